// Sensitivity: the Fisher diagonal is deterministic (any thread count), non-negative, zero on
// weights whose input is always zero, and larger where zeroing weights costs accuracy.
#define BOOST_TEST_MODULE compress_sensitivity
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "compress/sensitivity.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "fashion_fixture.hpp"
#include "nn/idx.hpp"
#include "nn/models.hpp"
#include "nn/onnx_io.hpp"

using namespace anvil;
using namespace anvil::compress;

BOOST_AUTO_TEST_CASE(magnitude_scores_are_abs_weights) {
  const nn::Network net = nn::build_lenet5({}, 1);
  const Scores s = magnitude_scores(net);
  const auto ps = net.parameters();
  BOOST_REQUIRE(s.size() == ps.size());
  for (size_t j = 0; j < ps.size(); ++j)
    for (size_t i = 0; i < ps[j].size; i += 17) BOOST_TEST(s[j][i] == std::fabs(ps[j].data[i]));
  const auto named = scores_by_name(net, s);
  BOOST_TEST(named.at("fc2.weight") == s[6], boost::test_tools::per_element());
  BOOST_CHECK_THROW(scores_by_name(net, Scores(2)), Error);
}

BOOST_AUTO_TEST_CASE(fisher_is_deterministic_non_negative_and_tracks_importance) {
  auto fashion = anvil::test::fashion_slice(anvil::test::kWhole, 2000);
  if (!fashion) return;
  nn::DataSplit& d = *fashion;
  const nn::Network net =
      nn::load_onnx(ANVIL_SOURCE_DIR "/models/networks/lenet300-fashion-mnist.onnx");
  const Scores f1 = fisher_diagonal(net, d.train, 300, 5, 1);
  const Scores f2 = fisher_diagonal(net, d.train, 300, 5, 2);
  BOOST_REQUIRE(f1.size() == 6u);
  for (size_t j = 0; j < f1.size(); ++j) {
    BOOST_TEST(f1[j] == f2[j]);  // bit-identical for 1 and 2 threads
    BOOST_TEST(*std::min_element(f1[j].begin(), f1[j].end()) >= 0.0f);
  }
  const Scores other = fisher_diagonal(net, d.train, 300, 6, 2);
  BOOST_TEST(other[0] != f1[0]);  // another seed, other images

  // fc1.weight [300, 784]: column p is pixel p. How often is each pixel non-zero?
  std::vector<size_t> lit(784, 0);
  for (size_t i = 0; i < d.train.size(); ++i)
    for (size_t p = 0; p < 784; ++p) lit[p] += d.train.image(i)[p] != 0.0f;
  auto column = [&](size_t p) {
    double s = 0.0;
    for (size_t r = 0; r < 300; ++r) s += f1[0][r * 784 + p];
    return s;
  };
  const size_t dark = static_cast<size_t>(std::min_element(lit.begin(), lit.end()) - lit.begin());
  const double centre = column(14 * 28 + 14);
  BOOST_TEST_MESSAGE("pixel " << dark << " lit in " << lit[dark] << " images; Fisher column "
                              << column(dark) << ", centre pixel " << centre);
  BOOST_TEST(centre > 0.0);
  BOOST_TEST(column(dark) < 1e-3 * centre);

  // Zeroing the 1 % fc2 weights of largest Fisher costs more accuracy than zeroing a random
  // 1 % of them.
  const size_t n = f1[2].size(), k = n / 100;
  std::vector<uint32_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0u);
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(),
                    [&](uint32_t a, uint32_t b) { return f1[2][a] > f1[2][b]; });
  nn::Network top = net, rnd = net;
  for (size_t i = 0; i < k; ++i) top.nodes()[3].params[0].data[idx[i]] = 0.0f;
  const core::RandomStream r(3, 0);
  for (size_t i = 0; i < k; ++i)
    rnd.nodes()[3].params[0].data[r.below(i, core::Draw::kUser, 0, n)] = 0.0f;
  const double base = net.accuracy(d.test), a_top = top.accuracy(d.test),
               a_rnd = rnd.accuracy(d.test);
  BOOST_TEST_MESSAGE("accuracy " << base << "; 1 % of fc2 zeroed by Fisher " << a_top
                                 << ", at random " << a_rnd);
  BOOST_TEST(base - a_top > 2.0 * (base - a_rnd) + 0.005);

  BOOST_CHECK_THROW(fisher_diagonal(net, d.train, 0, 1, 1), Error);
  BOOST_CHECK_THROW(fisher_diagonal(net, d.train, d.train.size() + 1, 1, 1), Error);
}

BOOST_AUTO_TEST_CASE(fisher_on_batchnorm_network) {
  // Eval-mode BatchNorm: one image per gradient is well defined; scales get a score.
  const nn::Network net = nn::build_resnet({}, 1);
  nn::Dataset data;
  data.labels = {1, 2, 3, 4};
  const core::RandomStream r(1, 2);
  for (size_t i = 0; i < 4 * 784; ++i)
    data.images.push_back(static_cast<float>(r.uniform(i, core::Draw::kUser)));
  const Scores a = fisher_diagonal(net, data, 4, 1, 1), b = fisher_diagonal(net, data, 4, 1, 2);
  const auto ps = net.parameters();
  for (size_t j = 0; j < ps.size(); ++j) {
    BOOST_TEST(a[j] == b[j], ps[j].name);
    const double s = std::accumulate(a[j].begin(), a[j].end(), 0.0);
    const bool stats = ps[j].role == nn::ParamRole::kBnMean || ps[j].role == nn::ParamRole::kBnVar;
    BOOST_TEST((s > 0.0) == !stats, ps[j].name);
  }
}
