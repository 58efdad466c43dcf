// Quantization: k-means codebooks reproduce for a seed and fit known clusters; uniform
// quantization keeps at most 2^b values per scale group and keeps zeros; training through a
// forward_transform (QAT) is deterministic for 1 and 2 threads, and an identity transform
// changes nothing.
#define BOOST_TEST_MODULE compress_quantize
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "compress/quantize.hpp"
#include "core/error.hpp"
#include "fashion_fixture.hpp"
#include "nn/idx.hpp"
#include "nn/models.hpp"
#include "nn/train.hpp"
#include "nn_fixtures.hpp"

using namespace anvil;
using namespace anvil::compress;

namespace {

double mse(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * static_cast<double>(a[i] - b[i]);
  return s / static_cast<double>(a.size());
}

bool same_parameters(const nn::Network& a, const nn::Network& b) {
  const auto pa = a.parameters(), pb = b.parameters();
  for (size_t j = 0; j < pa.size(); ++j)
    if (!std::equal(pa[j].data, pa[j].data + pa[j].size, pb[j].data)) return false;
  return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(kmeans_reproduces_for_a_seed) {
  const std::vector<float> w = test::RandomFill(7).randn(5000, 1, 0.1);
  const std::vector<float> a = kmeans_codebook(w, 16, 3);
  const std::vector<float> b = kmeans_codebook(w, 16, 3);
  const std::vector<float> c = kmeans_codebook(w, 16, 4, 2);  // other seed, 2 iterations
  BOOST_TEST(a == b, boost::test_tools::per_element());       // bit-identical
  BOOST_TEST(a.size() == 16u);
  BOOST_TEST(c.size() == 16u);
  BOOST_TEST(a != c);  // the init is drawn from the seed
  const auto [lo, hi] = std::minmax_element(w.begin(), w.end());
  for (size_t i = 0; i < a.size(); ++i) {
    BOOST_TEST(a[i] >= *lo);
    BOOST_TEST(a[i] <= *hi);
    if (i) BOOST_TEST(a[i] > a[i - 1]);  // strictly ascending
  }
  // 16 fitted centers beat a 4-bit uniform grid (15 levels) on Gaussian weights.
  std::vector<float> k = w, u = w;
  snap_to_codebook(k, a);
  quantize_uniform(u, 1, 4, false);
  BOOST_TEST_MESSAGE("mse k-means " << mse(w, k) << ", uniform " << mse(w, u));
  BOOST_TEST(mse(w, k) < 0.6 * mse(w, u));
}

BOOST_AUTO_TEST_CASE(kmeans_finds_known_clusters) {
  const test::RandomFill fill(2);
  const std::vector<float> noise = fill.randn(900, 1, 0.01);
  std::vector<float> w;
  const float mu[3] = {-1.0f, 0.5f, 2.0f};
  for (size_t i = 0; i < 900; ++i) w.push_back(mu[i % 3] + noise[i]);
  const std::vector<float> c = kmeans_codebook(w, 3, 1);
  BOOST_REQUIRE(c.size() == 3u);
  for (int j = 0; j < 3; ++j) BOOST_TEST(std::fabs(c[j] - mu[j]) < 2e-3);
  // Fewer distinct values than k: exactly those values.
  const std::vector<float> few = {0.5f, -0.25f, 0.5f, 1.0f};
  BOOST_TEST(kmeans_codebook(few, 8, 1) == (std::vector<float>{-0.25f, 0.5f, 1.0f}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(kmeans_skips_pruned_zeros) {
  std::vector<float> w = test::RandomFill(5).randn(2000, 1, 0.2);
  for (size_t i = 0; i < w.size(); i += 2) w[i] = 0.0f;  // half pruned
  const std::vector<float> c = kmeans_codebook(w, 4, 9, 50, true);
  BOOST_REQUIRE(c.size() == 4u);
  // With the zeros (1000 values at 0) one center sits next to 0; without them the fit has no
  // reason to, and its centers sit at the middles of the two halves of each sign.
  auto nearest_zero = [](const std::vector<float>& v) {
    float m = INFINITY;
    for (float x : v) m = std::min(m, std::fabs(x));
    return m;
  };
  const std::vector<float> z = kmeans_codebook(w, 4, 9, 50, false);
  BOOST_TEST_MESSAGE("closest center to 0: skipping zeros " << nearest_zero(c) << ", fitting them "
                                                            << nearest_zero(z));
  BOOST_TEST(nearest_zero(z) < 0.25 * nearest_zero(c));
  BOOST_TEST(nearest_zero(c) > 0.05);
  std::vector<float> s = w;
  snap_to_codebook(s, c, true);
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] == 0.0f)
      BOOST_REQUIRE(s[i] == 0.0f);
    else
      BOOST_REQUIRE(std::count(c.begin(), c.end(), s[i]) == 1);
  }
}

BOOST_AUTO_TEST_CASE(snap_goes_to_nearest_and_ties_to_lower) {
  const std::vector<float> c = {-1.0f, 0.0f, 1.0f};
  std::vector<float> w = {0.5f, -0.5f, 0.49f, 0.51f, 7.0f, -7.0f, 0.0f};
  snap_to_codebook(w, c);
  BOOST_TEST(w == (std::vector<float>{0.0f, -1.0f, 0.0f, 1.0f, 1.0f, -1.0f, 0.0f}),
             boost::test_tools::per_element());
  std::vector<float> one = {3.0f};
  BOOST_CHECK_THROW(snap_to_codebook(one, std::vector<float>{1.0f, 0.0f}), Error);
  BOOST_CHECK_THROW(snap_to_codebook(one, std::vector<float>{}), Error);
}

BOOST_AUTO_TEST_CASE(uniform_has_at_most_2_to_the_b_levels_per_group_and_keeps_zeros) {
  const uint32_t rows = 8;
  std::vector<float> w = test::RandomFill(3).randn(rows * 100, 1);
  for (size_t i = 0; i < w.size(); i += 7) w[i] = 0.0f;
  for (size_t i = 0; i < 100; ++i) w[3 * 100 + i] *= 10.0f;  // one row with a larger range
  for (int bits : {2, 3, 5}) {
    for (bool per_channel : {false, true}) {
      std::vector<float> q = w;
      quantize_uniform(q, rows, bits, per_channel);
      const double qmax = (1 << (bits - 1)) - 1;
      std::set<float> all;
      for (uint32_t r = 0; r < rows; ++r) {
        std::set<float> vals;
        float m = 0.0f;
        for (size_t i = r * 100; i < (r + 1) * 100; ++i) {
          vals.insert(q[i]);
          all.insert(q[i]);
          m = std::max(m, std::fabs(per_channel ? w[i] : 0.0f));
        }
        BOOST_TEST(vals.size() <= (1u << bits));
        if (per_channel) {
          // Error within half a step; the extreme value is exact.
          const double step = m / qmax;
          for (size_t i = r * 100; i < (r + 1) * 100; ++i)
            BOOST_TEST(std::fabs(q[i] - w[i]) <= 0.5 * step * (1 + 1e-6));
        }
      }
      if (!per_channel) BOOST_TEST(all.size() <= (1u << bits));
      for (size_t i = 0; i < w.size(); i += 7) BOOST_TEST(q[i] == 0.0f);
      for (size_t i = 0; i < w.size(); ++i)
        if (w[i] != 0.0f && q[i] != 0.0f) BOOST_TEST((q[i] > 0) == (w[i] > 0));  // sign kept
    }
  }
  // At 2 bits per tensor: levels {-s, 0, s}, so the small rows collapse to 0 or +-s.
  std::vector<float> q2 = w;
  quantize_uniform(q2, rows, 2, false);
  BOOST_TEST(std::set<float>(q2.begin(), q2.end()).size() == 3u);
  BOOST_CHECK_THROW(quantize_uniform(q2, rows, 1, false), Error);
  BOOST_CHECK_THROW(quantize_uniform(q2, 7, 4, true), Error);  // 800 % 7 != 0
}

BOOST_AUTO_TEST_CASE(quantize_network_uniform_and_kmeans) {
  nn::Network net = nn::build_lenet5({}, 1);
  QuantSpec spec;
  spec.bits = 3;
  nn::Network u = net;
  BOOST_TEST(quantize_network(u, spec).empty());
  const auto pu = u.parameters();
  for (const auto& p : pu) {
    if (p.role != nn::ParamRole::kWeight) continue;
    const size_t per = p.size / static_cast<size_t>(p.shape[0]);
    for (int64_t r = 0; r < p.shape[0]; ++r)
      BOOST_TEST(std::set<float>(p.data + r * per, p.data + (r + 1) * per).size() <= 8u);
  }
  spec.method = QuantSpec::Method::kKmeans;
  nn::Network k = net;
  const auto books = quantize_network(k, spec);
  BOOST_TEST(books.size() == 5u);
  for (const auto& p : k.parameters()) {
    if (p.role != nn::ParamRole::kWeight) continue;
    BOOST_TEST(std::set<float>(p.data, p.data + p.size).size() <= 8u, p.name);
    BOOST_TEST(books.at(p.name).size() == 8u);
  }
  nn::Network k2 = net;
  quantize_network(k2, spec);
  BOOST_TEST(same_parameters(k, k2));
}

BOOST_AUTO_TEST_CASE(qat_is_deterministic_for_1_and_2_threads) {
  auto fashion = anvil::test::fashion_slice(1280, 1000);
  if (!fashion) return;
  nn::DataSplit& d = *fashion;
  const nn::Network init = nn::build_lenet5({}, 3);
  nn::TrainConfig cfg;
  cfg.epochs = 1;

  // An identity transform trains the same bits as no transform (the forward copy is exact).
  nn::Network plain = init, ident = init;
  nn::train(plain, d.train, {}, cfg);
  cfg.forward_transform = [](nn::Network&, uint64_t) {};
  nn::train(ident, d.train, {}, cfg);
  BOOST_TEST(same_parameters(plain, ident));

  for (auto method : {QuantSpec::Method::kUniform, QuantSpec::Method::kKmeans}) {
    QuantSpec spec;
    spec.method = method;
    spec.bits = 3;
    spec.refit_every = 7;
    nn::Network a = init, b = init;
    cfg.threads = 1;
    cfg.forward_transform = qat_transform(spec);
    nn::train(a, d.train, {}, cfg);
    cfg.threads = 2;
    cfg.forward_transform = qat_transform(spec);
    nn::train(b, d.train, {}, cfg);
    BOOST_TEST(same_parameters(a, b));
    BOOST_TEST(!same_parameters(a, plain));  // the transform did change the gradients
    // The float weights learned; their quantized form classifies well above chance.
    quantize_network(a, spec);
    const double acc = a.accuracy(d.test);
    BOOST_TEST_MESSAGE("QAT 3-bit "
                       << (method == QuantSpec::Method::kUniform ? "uniform" : "k-means")
                       << ": quantized accuracy " << acc);
    BOOST_TEST(acc > 0.45);
  }
}
