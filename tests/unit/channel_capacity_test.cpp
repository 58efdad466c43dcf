// Blahut-Arimoto capacity and mutual information on channels with known capacity: binary
// symmetric (1 - H(p)), noiseless n-ary (log2 n), binary erasure (1 - e), Z channel (closed
// form), and a useless channel (0); plus the capacity of a Cell through its ADC.
#define BOOST_TEST_MODULE channel_capacity
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "core/capacity.hpp"
#include "core/cell.hpp"
#include "core/error.hpp"
#include "core/gaussian_channel.hpp"

using namespace anvil::core;
namespace tt = boost::test_tools;

namespace {
double H(double p) {
  return p <= 0 || p >= 1 ? 0.0 : -p * std::log2(p) - (1 - p) * std::log2(1 - p);
}
}  // namespace

BOOST_AUTO_TEST_CASE(binary_symmetric_channel) {
  for (double p : {0.0, 0.01, 0.11, 0.3, 0.5}) {
    const TransitionMatrix P = {{1 - p, p}, {p, 1 - p}};
    const CapacityResult c = capacity(P);
    BOOST_TEST(c.converged);
    BOOST_TEST(std::abs(c.bits - (1.0 - H(p))) < 1e-8);
    const std::vector<double> u = {0.5, 0.5};
    BOOST_TEST(std::abs(mutual_information(P, u) - (1.0 - H(p))) < 1e-12);
  }
}

BOOST_AUTO_TEST_CASE(noiseless_n_ary) {
  for (size_t n : {2u, 3u, 8u, 40u}) {
    TransitionMatrix P(n, std::vector<double>(n, 0.0));
    for (size_t i = 0; i < n; ++i) P[i][i] = 1.0;
    BOOST_TEST(capacity(P).bits == std::log2(static_cast<double>(n)), tt::tolerance(1e-9));
  }
}

BOOST_AUTO_TEST_CASE(binary_erasure_channel) {
  for (double e : {0.0, 0.2, 0.7}) {
    const TransitionMatrix P = {{1 - e, e, 0.0}, {0.0, e, 1 - e}};
    BOOST_TEST(capacity(P).bits == 1.0 - e, tt::tolerance(1e-8));
  }
}

BOOST_AUTO_TEST_CASE(z_channel_closed_form_and_nonuniform_input) {
  const double p = 0.5;  // 1 -> 0 with probability p
  const TransitionMatrix P = {{1.0, 0.0}, {p, 1 - p}};
  // C = log2(1 + (1 - p) p^(p / (1 - p))) = log2(1.25) for p = 1/2.
  const CapacityResult c = capacity(P, 1e-10);
  BOOST_TEST(c.bits == std::log2(1.0 + (1 - p) * std::pow(p, p / (1 - p))), tt::tolerance(1e-8));
  BOOST_TEST(c.input[1] == 0.4, tt::tolerance(1e-4));  // P(X = 1) = 2/5 at p = 1/2
  BOOST_TEST(mutual_information(P, c.input) == c.bits, tt::tolerance(1e-8));
}

BOOST_AUTO_TEST_CASE(useless_channel_has_zero_capacity) {
  const TransitionMatrix P = {{0.2, 0.8}, {0.2, 0.8}, {0.2, 0.8}};
  BOOST_TEST(std::abs(capacity(P).bits) < 1e-12);
}

BOOST_AUTO_TEST_CASE(many_inputs_few_outputs_converges_without_underflow) {
  // 200 closely spaced Gaussian inputs read by a 16-bin quantiser: the optimum uses few
  // inputs, the rest decay over thousands of iterations (regression: they once underflowed to
  // 0 and the capacity came out 0).
  const int nx = 200, ny = 16;
  TransitionMatrix P(nx, std::vector<double>(ny, 0.0));
  for (int x = 0; x < nx; ++x) {
    const double mu = (x + 0.5) / nx * ny;
    for (int y = 0; y < ny; ++y) {
      const double a = (y - mu) / 0.7, b = (y + 1 - mu) / 0.7;
      P[x][y] = 0.5 * (std::erfc(-b / std::sqrt(2.0)) - std::erfc(-a / std::sqrt(2.0)));
    }
    double s = 0.0;
    for (double v : P[x]) s += v;
    for (double& v : P[x]) v /= s;
  }
  const CapacityResult c = capacity(P, 1e-5);
  BOOST_TEST(c.converged);
  BOOST_TEST(c.bits > 2.0);
  BOOST_TEST(c.bits <= 4.0);
  const std::vector<double> u(nx, 1.0 / nx);
  BOOST_TEST(c.bits >= mutual_information(P, u));
  BOOST_TEST(c.upper_bits - c.bits <= 1e-5);
  BOOST_TEST(c.bits == 2.5562722, tt::tolerance(1e-5));  // 1e6 iterations at tol 1e-7
}

BOOST_AUTO_TEST_CASE(bad_matrices_are_errors) {
  BOOST_CHECK_THROW(capacity({}), anvil::Error);
  BOOST_CHECK_THROW(capacity({{0.5, 0.6}, {0.5, 0.5}}), anvil::Error);
  BOOST_CHECK_THROW(capacity({{0.5, 0.5}, {1.0}}), anvil::Error);
  BOOST_CHECK_THROW(capacity({{1.5, -0.5}}), anvil::Error);
  const std::vector<double> px = {0.5};
  BOOST_CHECK_THROW(mutual_information({{1.0, 0.0}, {0.0, 1.0}}, px), anvil::Error);
}

BOOST_AUTO_TEST_CASE(cell_capacity_through_the_adc) {
  // Two levels 6 sigma apart read by a 1-bit ADC: a BSC with p = Q(3).
  GaussianConfig g;
  g.levels = 2;
  g.sigma = {1.0 / 6.0};
  g.read_min = -0.5;
  g.read_max = 1.5;
  CellSpec spec;
  spec.adc_bits = 1;
  const Cell cell(std::make_shared<GaussianChannel>(g), spec);
  const std::vector<uint32_t> dacs = {0, 1};
  const TransitionMatrix P = cell.transition(dacs, 0.0, 400000, 3);
  const double p = 0.5 * std::erfc(3.0 / std::sqrt(2.0));
  BOOST_TEST(P[0][1] == p, tt::tolerance(0.1));
  BOOST_TEST(capacity(P).bits == 1.0 - H(p), tt::tolerance(0.002));
  BOOST_TEST(cell_capacity(cell, dacs, 0.0, 400000, 3).bits == capacity(P).bits,
             tt::tolerance(1e-5));
}
