// Cell: write-and-verify (spread reduced, pulses counted), stuck-at rate, ADC quantize /
// dequantize, and the Monte Carlo transition matrix (rows sum to 1, deterministic).
#define BOOST_TEST_MODULE channel_cell
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "core/cell.hpp"
#include "core/error.hpp"
#include "core/gaussian_channel.hpp"

using namespace anvil::core;
namespace tt = boost::test_tools;

namespace {
const uint64_t kSeed = seed_from_env("ANVIL_TEST_SEED", 20260102);

std::shared_ptr<GaussianChannel> gauss(double sigma, uint32_t levels = 9) {
  GaussianConfig c;
  c.levels = levels;
  c.sigma = {sigma};
  c.read_min = -0.5;
  c.read_max = 1.5;
  return std::make_shared<GaussianChannel>(c);
}
}  // namespace

BOOST_AUTO_TEST_CASE(without_verify_one_pulse_and_full_spread) {
  const Cell cell(gauss(0.1), CellSpec{});
  const RandomStream rs(kSeed, 7);
  double s2 = 0.0;
  const uint32_t n = 100000;
  for (uint32_t k = 0; k < n; ++k) {
    const CellState st = cell.program(4, CellNoise(rs, k));
    BOOST_TEST_REQUIRE(st.pulses == 1u);
    s2 += (st.stored - 0.5) * (st.stored - 0.5);
  }
  BOOST_TEST(std::sqrt(s2 / n) == 0.1, tt::tolerance(0.01));
}

BOOST_AUTO_TEST_CASE(write_verify_tightens_spread_and_counts_pulses) {
  CellSpec spec;
  spec.verify = {true, 0.05, 8};
  const Cell cell(gauss(0.1), spec);
  const RandomStream rs(kSeed, 8);
  const uint32_t n = 100000;
  double s2 = 0.0, pulses = 0.0;
  uint32_t within = 0, max_seen = 0;
  for (uint32_t k = 0; k < n; ++k) {
    const CellState st = cell.program(4, CellNoise(rs, k));
    s2 += (st.stored - 0.5) * (st.stored - 0.5);
    pulses += st.pulses;
    within += std::abs(st.stored - 0.5) <= 0.05;
    max_seen = std::max(max_seen, st.pulses);
  }
  // One pulse lands within +-0.5 sigma with p = 0.3829; pulses ~ truncated geometric.
  const double p = std::erf(0.5 / std::sqrt(2.0)), q = 1.0 - p;
  double expect_pulses = 0.0;
  for (int j = 1; j <= 8; ++j) expect_pulses += std::pow(q, j - 1);  // E = sum P(pulses >= j)
  BOOST_TEST(pulses / n == expect_pulses, tt::tolerance(0.01));
  BOOST_TEST(static_cast<double>(within) / n == 1.0 - std::pow(q, 8), tt::tolerance(0.005));
  BOOST_TEST(max_seen == 8u);
  BOOST_TEST(std::sqrt(s2 / n) < 0.05);
}

BOOST_AUTO_TEST_CASE(stuck_at_rate_and_sides) {
  CellSpec spec;
  spec.stuck = {0.02, 0.25};
  const Cell cell(gauss(0.01), spec);
  const RandomStream rs(kSeed, 9);
  const uint32_t n = 200000;
  uint32_t low = 0, high = 0;
  for (uint32_t k = 0; k < n; ++k) {
    const CellNoise noise(rs, k);
    const CellState st = cell.program(4, noise);
    if (st.stuck < 0) {
      ++low;
      BOOST_TEST_REQUIRE(cell.read_value(st, 1.0, noise) == -0.5);
    }
    if (st.stuck > 0) {
      ++high;
      BOOST_TEST_REQUIRE(cell.read(st, noise) == cell.adc_codes() - 1);
    }
  }
  BOOST_TEST(static_cast<double>(low + high) / n == 0.02, tt::tolerance(0.05));
  BOOST_TEST(static_cast<double>(low) / (low + high) == 0.25, tt::tolerance(0.1));
}

BOOST_AUTO_TEST_CASE(adc_quantize_dequantize) {
  CellSpec spec;
  spec.adc_bits = 3;  // 8 codes over [-0.5, 1.5], bin width 0.25
  const Cell cell(gauss(0.0), spec);
  BOOST_TEST(cell.adc_codes() == 8u);
  BOOST_TEST(cell.quantize(-10.0) == 0u);
  BOOST_TEST(cell.quantize(-0.5) == 0u);
  BOOST_TEST(cell.quantize(-0.26) == 0u);
  BOOST_TEST(cell.quantize(-0.24) == 1u);
  BOOST_TEST(cell.quantize(1.49) == 7u);
  BOOST_TEST(cell.quantize(1.5) == 7u);
  BOOST_TEST(cell.quantize(99.0) == 7u);
  BOOST_TEST(cell.quantize(std::nan("")) == 0u);
  for (uint32_t a = 0; a < 8; ++a) {
    BOOST_TEST(cell.dequantize(a) == -0.5 + 0.25 * (a + 0.5), tt::tolerance(1e-12));
    BOOST_TEST(cell.quantize(cell.dequantize(a)) == a);
  }
}

BOOST_AUTO_TEST_CASE(transition_rows_are_distributions_and_deterministic) {
  CellSpec spec;
  spec.adc_bits = 4;
  const Cell cell(gauss(0.05), spec);
  const std::vector<uint32_t> dacs = {0, 4, 8};
  const auto t1 = cell.transition(dacs, 1.0, 20000, 42);
  const auto t2 = cell.transition(std::vector<uint32_t>{8, 4}, 1.0, 20000, 42);
  BOOST_TEST_REQUIRE(t1.size() == 3u);
  for (const auto& row : t1) {
    double sum = 0.0;
    for (double p : row) sum += p;
    BOOST_TEST(sum == 1.0, tt::tolerance(1e-12));
  }
  BOOST_TEST(t1[2] == t2[0], tt::per_element());  // a row depends on (seed, code) only
  BOOST_TEST(t1[1] == t2[1], tt::per_element());
  // Noise-free: the row is a point mass at the ADC code of the target.
  const Cell ideal(gauss(0.0), spec);
  const auto t0 = ideal.transition(dacs, 1.0, 100, 1);
  BOOST_TEST(t0[1][ideal.quantize(0.5)] == 1.0);
}

BOOST_AUTO_TEST_CASE(spec_out_of_range_is_an_error) {
  CellSpec spec;
  spec.adc_bits = 0;
  BOOST_CHECK_THROW(Cell(gauss(0.1), spec), anvil::Error);
  spec.adc_bits = 6;
  spec.stuck.rate = -0.1;
  BOOST_CHECK_THROW(Cell(gauss(0.1), spec), anvil::Error);
}
