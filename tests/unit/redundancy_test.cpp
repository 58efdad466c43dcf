// Redundancy (BRIEF 1, item 4): r replicas decoded by mean combining of linear (naive) soft
// estimates divide the channel noise variance by r. On a Gaussian channel with sigma = 1.5
// level spacings the reconstruction MSE in code units follows sigma^2 / r + 1/12 (rounding),
// measured for r = 1, 2, 4 against that model; median and ML combining also improve with r.
#define BOOST_TEST_MODULE redundancy
#include <boost/test/unit_test.hpp>

#include <vector>

#include "codec_fixtures.hpp"
#include "core/codec_tables.hpp"
#include "core/random.hpp"
#include "core/store.hpp"

using namespace anvil::core;
namespace tt = boost::test_tools;

namespace {
const uint64_t kSeed = seed_from_env("ANVIL_TEST_SEED", 20260101);

// MSE in code units of mid-range codes (digits 5..10 of 16, away from the clamped ends).
double mse(const Cell& cell, uint32_t r, Combine c, DecodeMode mode) {
  const CodecShape shape{16, 1, r, false, 1, c};
  TableOptions opt;
  opt.decode = mode;
  opt.draws = 4000;
  const CodecParams p = build_codec(cell, shape, uniform_level_dacs(cell.channel(), 16), opt);
  const uint32_t n = 30000;
  std::vector<int32_t> codes(n), out(n);
  for (uint32_t i = 0; i < n; ++i) codes[i] = -3 + static_cast<int32_t>(i % 6);
  store_and_read(cell, p, codes, 0, RandomStream(kSeed, 7), out, 2);
  double s = 0;
  for (uint32_t i = 0; i < n; ++i) s += double(out[i] - codes[i]) * (out[i] - codes[i]);
  return s / n;
}
}  // namespace

BOOST_AUTO_TEST_CASE(mean_combining_divides_mse_by_r) {
  const double spacing = 1.0 / 15.0, sigma = 1.5 * spacing;
  const Cell cell = anvil::test::gaussian_cell(sigma);
  const double m1 = mse(cell, 1, Combine::kMean, DecodeMode::kNaive);
  for (uint32_t r : {1u, 2u, 4u}) {
    const double m = mse(cell, r, Combine::kMean, DecodeMode::kNaive);
    const double model = 1.5 * 1.5 / r + 1.0 / 12.0;
    BOOST_TEST_MESSAGE("r = " << r << ": MSE " << m << " (model " << model << "), ratio to r=1 "
                              << m / m1);
    BOOST_TEST(m == model, tt::tolerance(0.12));
  }
  const double m2 = mse(cell, 2, Combine::kMean, DecodeMode::kNaive);
  const double m4 = mse(cell, 4, Combine::kMean, DecodeMode::kNaive);
  BOOST_TEST(m2 / m1 == (2.25 / 2 + 1.0 / 12) / (2.25 + 1.0 / 12), tt::tolerance(0.12));
  BOOST_TEST(m4 / m1 == (2.25 / 4 + 1.0 / 12) / (2.25 + 1.0 / 12), tt::tolerance(0.12));
}

BOOST_AUTO_TEST_CASE(median_and_ml_combining_improve_with_r) {
  const Cell cell = anvil::test::gaussian_cell(0.8 / 15.0);
  for (Combine c : {Combine::kMedian, Combine::kMl}) {
    const double m1 = mse(cell, 1, c, DecodeMode::kMl);
    const double m3 = mse(cell, 3, c, DecodeMode::kMl);
    BOOST_TEST_MESSAGE(to_string(c) << ": MSE r=1 " << m1 << ", r=3 " << m3);
    BOOST_TEST(m3 < 0.6 * m1);
  }
}
