// gaussian channel: y = x + sigma N(0,1). Mean and spread over 1e5 simulated cells against
// the configured values, constant and level-dependent sigma, and config errors.
#define BOOST_TEST_MODULE channel_gaussian
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <memory>

#include <yaml-cpp/yaml.h>

#include "core/cell.hpp"
#include "core/device_config.hpp"
#include "core/error.hpp"
#include "core/gaussian_channel.hpp"
#include "test_util.hpp"

using namespace anvil::core;
namespace tt = boost::test_tools;

namespace {
struct Moments {
  double mean = 0.0, std = 0.0;
};
// Program + read `n` cells at `dac` through `cell` (no ADC), sample mean and std.
Moments simulate(const Cell& cell, uint32_t dac, uint32_t n, uint64_t seed) {
  const RandomStream rs(seed, 1);
  double s = 0.0, s2 = 0.0;
  for (uint32_t k = 0; k < n; ++k) {
    const CellNoise noise(rs, k);
    const double v = cell.read_value(cell.program(dac, noise), cell.spec().read_time_s, noise);
    s += v;
    s2 += v * v;
  }
  const double m = s / n;
  return {m, std::sqrt(s2 / n - m * m)};
}
const uint64_t kSeed = seed_from_env("ANVIL_TEST_SEED", 20260101);
}  // namespace

BOOST_AUTO_TEST_CASE(constant_sigma_mean_and_spread) {
  GaussianConfig c;
  c.levels = 5;
  c.sigma = {0.03};
  const Cell cell(std::make_shared<GaussianChannel>(c), CellSpec{});
  for (uint32_t d = 0; d < 5; ++d) {
    const Moments m = simulate(cell, d, 100000, kSeed);
    BOOST_TEST(m.mean == d / 4.0, tt::tolerance(1e-3 / std::max(d / 4.0, 0.25)));
    BOOST_TEST(m.std == 0.03, tt::tolerance(0.01));
    BOOST_TEST(cell.channel().stats(d, 0).mean == d / 4.0);
    BOOST_TEST(cell.channel().stats(d, 0).std == 0.03);
  }
}

BOOST_AUTO_TEST_CASE(level_dependent_sigma_interpolates) {
  GaussianConfig c;
  c.levels = 3;
  c.sigma = {0.01, 0.05};  // sigma(x) = 0.01 + 0.04 x
  c.read_sigma = 0.02;
  const GaussianChannel ch(c);
  BOOST_TEST(ch.sigma_at(0.5) == 0.03, tt::tolerance(1e-12));
  const Cell cell(std::make_shared<GaussianChannel>(c), CellSpec{});
  const Moments m = simulate(cell, 2, 100000, kSeed);
  const double expect = std::sqrt(0.05 * 0.05 + 0.02 * 0.02);
  BOOST_TEST(m.std == expect, tt::tolerance(0.01));
  BOOST_TEST(ch.stats(2, 0).std == expect, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(yaml_errors_name_the_field) {
  auto field_of = [](const std::string& text) {
    return anvil::test::error_field_of([&] { make_cell(YAML::Load(text), "t.yaml"); }, "t.yaml");
  };
  BOOST_TEST(field_of("{channel: gaussian, gaussian: {sigma: -0.1}}") == "device.gaussian.sigma");
  BOOST_TEST(field_of("{channel: gaussian, gaussian: {levels: 1}}") == "device.gaussian.levels");
  BOOST_TEST(field_of("{channel: gaussian, gaussian: {sigmaa: 1}}") == "device.gaussian.sigmaa");
  BOOST_TEST(field_of("{channel: gaussian, adc_bit: 6}") == "device.adc_bit");
  BOOST_TEST(field_of("{channel: gaussian, adc_bits: 17}") == "device.adc_bits");
  BOOST_TEST(field_of("{channel: gaussian, stuck_at: {rate: 1.5}}") == "device.stuck_at.rate");
  BOOST_TEST(field_of("{channel: gaussian, write_verify: {max_pulses: 0}}") ==
             "device.write_verify.max_pulses");
  BOOST_TEST(field_of("{channel: gaussian, gaussian: {sigma: abc}}") == "device.gaussian.sigma");
  BOOST_TEST(field_of("{channel: tape}") == "device.channel");
  BOOST_TEST(field_of("{adc_bits: 6}") == "device.channel");
}

BOOST_AUTO_TEST_CASE(shipped_device_file_loads) {
  const Cell cell = load_device(ANVIL_SOURCE_DIR "/models/devices/gaussian.yaml");
  BOOST_TEST(cell.channel().kind() == "gaussian");
  BOOST_TEST(cell.channel().dac_codes() == 16u);
  BOOST_TEST(cell.spec().adc_bits == 6u);
}
