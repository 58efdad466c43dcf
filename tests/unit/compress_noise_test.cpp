// Noise-aware fine-tuning: with a synthetic read-back error (3-bit uniform grid per tensor,
// each weight moved one level up or down with probability 0.1), fine-tuning through the noise
// beats plain fine-tuning of the same network when both are read through that noise (mean of
// several draws). Also: the transform is deterministic for 1 and 2 threads and reaches every
// named tensor. Skipped without Fashion-MNIST.
#define BOOST_TEST_MODULE compress_noise
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "compress/distill.hpp"
#include "compress/noise.hpp"
#include "compress/prune.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "fashion_fixture.hpp"
#include "nn/idx.hpp"
#include "nn/train.hpp"

using namespace anvil;
using namespace anvil::compress;

namespace {

// Stands in for the codec's store/read error: quantize to 7 levels (3-bit mid-tread, scale
// max|w| / 3), then a level error of +-1 with probability p. Keyed by (seed, tensor, step).
WeightNoise level_flips(double p, uint64_t seed) {
  return [p, seed](const std::string& tensor, std::span<float> w, uint64_t step) {
    float m = 0.0f;
    for (float v : w) m = std::max(m, std::fabs(v));
    if (m == 0.0f) return;
    const double s = m / 3.0;
    uint64_t h = 1469598103934665603ull;  // FNV-1a of the name: one stream per tensor
    for (char c : tensor) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
    const core::RandomStream r = core::RandomStream(seed, h).child(step);
    for (size_t i = 0; i < w.size(); ++i) {
      double q = std::round(w[i] / s);
      if (r.uniform(i, core::Draw::kUser) < p)
        q += r.uniform(i, core::Draw::kUser, 1) < 0.5 ? -1 : 1;
      w[i] = static_cast<float>(std::clamp(q, -3.0, 3.0) * s);
    }
  };
}

// Mean accuracy over `draws` read-backs (draw keys far from any training step).
double noisy_accuracy(const nn::Network& net, const WeightNoise& noise, const nn::Dataset& test,
                      int draws) {
  double sum = 0.0;
  for (int d = 0; d < draws; ++d) {
    nn::Network copy = net;
    apply_noise(copy, noise, weight_tensors(copy), 1'000'000 + static_cast<uint64_t>(d));
    sum += copy.accuracy(test);
  }
  return sum / draws;
}

}  // namespace

BOOST_AUTO_TEST_CASE(transform_reaches_named_tensors_only) {
  nn::Network net = build_mlp({}, {8}, 1);
  std::vector<std::string> seen;
  const ForwardTransform t = noise_transform(
      [&](const std::string& name, std::span<float> w, uint64_t step) {
        seen.push_back(name);
        BOOST_TEST(step == 5u);
        std::fill(w.begin(), w.end(), 0.5f);
      },
      {"fc2.weight", "fc1.weight"});
  t(net, 5);
  BOOST_TEST(seen == (std::vector<std::string>{"fc1.weight", "fc2.weight"}),  // network order
             boost::test_tools::per_element());
  for (const auto& p : net.parameters())
    BOOST_TEST((p.data[0] == 0.5f) == (p.role == nn::ParamRole::kWeight), p.name);
  BOOST_CHECK_THROW(noise_transform(level_flips(0.1, 1), {"nope"})(net, 0), Error);
  BOOST_CHECK_THROW(noise_transform({}, {"fc1.weight"}), Error);
  // The synthetic noise is a pure function of (tensor, values, step).
  const WeightNoise n = level_flips(0.1, 3);
  nn::Network a = build_mlp({}, {8}, 2), b = a;
  apply_noise(a, n, weight_tensors(a), 4);
  apply_noise(b, n, weight_tensors(b), 4);
  BOOST_TEST(a.nodes()[1].params[0].data == b.nodes()[1].params[0].data,
             boost::test_tools::per_element());
  const auto& w = a.nodes()[1].params[0].data;
  BOOST_TEST(std::set<float>(w.begin(), w.end()).size() <= 7u);
}

BOOST_AUTO_TEST_CASE(noise_aware_fine_tuning_beats_plain_under_the_same_noise) {
  auto fashion = anvil::test::fashion_slice(3000, 2000);
  if (!fashion) return;
  nn::DataSplit& d = *fashion;
  const WeightNoise noise = level_flips(0.1, 77);
  double plain_sum = 0.0, aware_sum = 0.0;
  for (uint64_t seed : {1, 2}) {
    nn::Network base = build_mlp({}, {100}, seed);
    nn::TrainConfig cfg;
    cfg.epochs = 3;
    cfg.seed = seed;
    nn::train(base, d.train, {}, cfg);  // pre-trained, noise-free
    cfg.epochs = 2;
    cfg.lr = 0.02;
    nn::Network plain = base, aware = base;
    nn::train(plain, d.train, {}, cfg);
    cfg.forward_transform = noise_transform(noise, weight_tensors(aware));
    nn::train(aware, d.train, {}, cfg);
    const double p = noisy_accuracy(plain, noise, d.test, 5);
    const double a = noisy_accuracy(aware, noise, d.test, 5);
    BOOST_TEST_MESSAGE("seed " << seed << ": clean " << plain.accuracy(d.test) << " / "
                               << aware.accuracy(d.test) << "; under noise: plain " << p
                               << ", noise-aware " << a);
    BOOST_TEST(a > p);
    plain_sum += p / 2;
    aware_sum += a / 2;
  }
  BOOST_TEST_MESSAGE("mean under noise: plain " << plain_sum << ", noise-aware " << aware_sum);
  BOOST_TEST(aware_sum - plain_sum > 0.01);  // measured +2.8 pp
}

BOOST_AUTO_TEST_CASE(noise_aware_training_is_thread_independent) {
  auto fashion = anvil::test::fashion_slice(640, anvil::test::kWhole);
  if (!fashion) return;
  nn::DataSplit& d = *fashion;
  const nn::Network init = build_mlp({}, {32}, 4);
  nn::TrainConfig cfg;
  cfg.epochs = 1;
  nn::Network a = init, b = init;
  cfg.forward_transform = noise_transform(level_flips(0.1, 5), weight_tensors(init));
  cfg.threads = 1;
  nn::train(a, d.train, {}, cfg);
  cfg.threads = 2;
  nn::train(b, d.train, {}, cfg);
  const auto pa = a.parameters(), pb = b.parameters();
  for (size_t j = 0; j < pa.size(); ++j)
    BOOST_TEST(std::equal(pa[j].data, pa[j].data + pa[j].size, pb[j].data), pa[j].name);
}
