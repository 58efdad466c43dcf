// The storage channel as the network sees it (flow/storage_noise): a codec's measured code
// channel reproduces what core::store_and_read does to weights stored on other cells, and
// noise-aware fine-tuning against it beats plain fine-tuning when both are read back through
// the same channel (PCM one day after programming, LeNet-300-100 on Fashion-MNIST).
#define BOOST_TEST_MODULE storage_noise
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "core/allocation.hpp"
#include "core/random.hpp"
#include "core/store.hpp"
#include "flow/experiment.hpp"
#include "flow/storage_noise.hpp"
#include "nn/datasets.hpp"
#include "nn/onnx_io.hpp"
#include "nn/train.hpp"

using namespace anvil;

namespace {
const std::string kSrc = ANVIL_SOURCE_DIR;
const uint64_t kSeed = core::seed_from_env("ANVIL_TEST_SEED", 2026);

core::Cell pcm_one_day() {
  auto cfg = flow::load_experiment(kSrc + "/configs/default.yaml");
  return flow::experiment_cell(cfg);
}

core::SchemeSpec scheme(const std::string& y) {
  return core::parse_schemes_text(y).at(0);
}
}  // namespace

BOOST_AUTO_TEST_CASE(code_channel_matches_the_golden_store) {
  const core::Cell cell = pcm_one_day();
  std::vector<float> w(4000);
  const core::RandomStream rs(kSeed, 1);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(rs.normal(i, core::Draw::kUser));
  const std::vector<core::TensorView> views{{"w", w, 1, {}}};
  const auto s = scheme("- {name: s, levels: 7, levels_from: select, decode: ml}");
  const core::Allocation a = core::allocate(views, s, cell);
  const flow::CodeChannel ch = flow::measure_code_channel(a.segments[0].params, cell, 4000);
  // The same codes stored through the golden path at other cells, other noise.
  const int32_t lo = ch.code_min, hi = ch.code_max;
  const size_t per = 4000;
  std::vector<int32_t> codes, decoded;
  for (int32_t c = lo; c <= hi; ++c) codes.insert(codes.end(), per, c);
  decoded.resize(codes.size());
  core::store_and_read(cell, a.segments[0].params, codes, 1'000'000, core::RandomStream(kSeed, 2),
                       decoded, 2);
  double err = 0;
  for (size_t i = 0; i < codes.size(); ++i) err += decoded[i] != codes[i];
  err /= static_cast<double>(codes.size());
  BOOST_TEST_MESSAGE("code error rate: channel " << ch.error_rate << ", golden store " << err);
  BOOST_TEST(ch.error_rate > 0.01);  // 7 levels after a day: a noisy channel, not a clean one
  // Binomial: the two estimates agree within 4 standard errors of their difference.
  const double se = std::sqrt(2 * err * (1 - err) / static_cast<double>(codes.size()));
  BOOST_TEST(std::abs(ch.error_rate - err) < 4 * se + 1e-3);
  // Sampling reproduces the channel: P(decoded == written) per code.
  for (int32_t c = lo; c <= hi; ++c) {
    size_t same = 0;
    for (size_t k = 0; k < 20000; ++k)
      same += ch.sample(c, rs.uniform(k, core::Draw::kUser, 7)) == c;
    const auto& row = ch.cdf[static_cast<size_t>(c - lo)];
    const double p =
        row[static_cast<size_t>(c - lo)] - (c > lo ? row[static_cast<size_t>(c - lo - 1)] : 0.0f);
    BOOST_TEST(std::abs(same / 20000.0 - p) < 0.02);
  }
}

BOOST_AUTO_TEST_CASE(noise_aware_beats_plain_fine_tuning_under_the_same_channel) {
  const core::Cell cell = pcm_one_day();
  nn::Network base = nn::load_onnx(kSrc + "/models/networks/lenet300-fashion-mnist.onnx");
  auto data = nn::load_dataset("fashion-mnist");
  data.train.images.resize(6000 * data.train.image_size());
  data.train.labels.resize(6000);
  data.test.images.resize(2000 * data.test.image_size());
  data.test.labels.resize(2000);
  flow::StoredModel m = flow::prepare_model(base);
  const auto views = flow::stored_views(m);
  const flow::StorageNoise noise(
      scheme("- {name: s, levels: 7, levels_from: select, decode: ml, "
             "mapping: {granularity: per_channel, clip_quantile: 0.999}}"),
      views, cell);
  auto read_back = [&](nn::Network net, uint64_t draw) {
    const core::RandomStream rs(kSeed, 100 + draw);
    size_t t = 0;
    for (auto& p : net.parameters())
      if (p.role == nn::ParamRole::kWeight) noise.apply(t++, {p.data, p.size}, rs);
    return net;
  };
  nn::TrainConfig cfg;
  cfg.epochs = 3;
  cfg.lr = 0.01;
  cfg.weight_decay = 0;
  cfg.seed = kSeed;
  nn::Network plain = base, aware = base;
  nn::train(plain, data.train, {}, cfg);
  cfg.forward_transform = [&](nn::Network& fwd, uint64_t step) {
    fwd = read_back(fwd, 1000 + step);
  };
  nn::train(aware, data.train, {}, cfg);
  double a_plain = 0, a_aware = 0;
  for (uint64_t d = 0; d < 4; ++d) {
    a_plain += read_back(plain, d).accuracy(data.test, 2) / 4;
    a_aware += read_back(aware, d).accuracy(data.test, 2) / 4;
  }
  BOOST_TEST_MESSAGE("read back through 7-level PCM cells: plain " << a_plain * 100 << " %, "
                                                                   << "noise-aware "
                                                                   << a_aware * 100 << " %");
  BOOST_TEST(a_aware > a_plain + 0.005);
}
