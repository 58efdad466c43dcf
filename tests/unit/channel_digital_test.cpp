// digital channel: SLC/MLC symbol errors from a Gaussian level spread (midpoint detection,
// closed form) and from given per-level error rates / transition matrices, over 1e5 cells.
#define BOOST_TEST_MODULE channel_digital
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/cell.hpp"
#include "core/device_config.hpp"
#include "core/digital_channel.hpp"
#include "core/error.hpp"
#include "test_util.hpp"

using namespace anvil::core;
namespace tt = boost::test_tools;

namespace {
const uint64_t kSeed = seed_from_env("ANVIL_TEST_SEED", 20260105);
double Q(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

// Fraction of cells written at `dac` that read as each level, through the cell's ADC.
std::vector<double> simulate(const Cell& cell, uint32_t dac, uint32_t n) {
  const RandomStream rs(kSeed, dac);
  const uint32_t L = cell.channel().dac_codes();
  std::vector<double> f(L, 0.0);
  for (uint32_t k = 0; k < n; ++k) {
    const CellNoise noise(rs, k);
    const double v = cell.read_value(cell.program(dac, noise), 0.0, noise);
    f[static_cast<size_t>(v)] += 1.0 / n;
  }
  return f;
}
}  // namespace

BOOST_AUTO_TEST_CASE(gaussian_spread_gives_q_function_errors) {
  DigitalConfig c;
  c.levels = 4;
  c.sigma = 0.25;  // P(cross one threshold) = Q(0.5 / 0.25) = Q(2) = 0.02275
  const DigitalChannel ch(c);
  const double q = Q(2.0);
  BOOST_TEST(ch.symbol_error_rate(0) == q, tt::tolerance(1e-9));
  BOOST_TEST(ch.symbol_error_rate(1) == 2 * q, tt::tolerance(1e-9));
  BOOST_TEST(ch.mean_symbol_error_rate() == 1.5 * q, tt::tolerance(1e-9));
  CellSpec spec;
  spec.adc_bits = 2;
  const Cell cell(std::make_shared<DigitalChannel>(c), spec);
  const auto f = simulate(cell, 1, 100000);
  BOOST_TEST(f[0] == q - Q(6.0), tt::tolerance(0.05));
  BOOST_TEST(f[2] == q - Q(6.0), tt::tolerance(0.05));
  BOOST_TEST(f[1] == 1 - 2 * q + 2 * Q(6.0), tt::tolerance(0.002));
  // The 2-bit ADC reads each level as its own code.
  for (uint32_t l = 0; l < 4; ++l) BOOST_TEST(cell.quantize(l) == l);
}

BOOST_AUTO_TEST_CASE(error_rate_per_level_and_transition_matrix) {
  DigitalConfig c;
  c.levels = 2;
  c.error_rate = {0.01, 0.1};
  const Cell slc(std::make_shared<DigitalChannel>(c), CellSpec{});
  BOOST_TEST(simulate(slc, 0, 100000)[1] == 0.01, tt::tolerance(0.05));
  BOOST_TEST(simulate(slc, 1, 100000)[0] == 0.1, tt::tolerance(0.03));
  DigitalConfig t;
  t.levels = 3;
  t.transition = {{0.9, 0.1, 0.0}, {0.0, 1.0, 0.0}, {0.2, 0.0, 0.8}};
  const Cell cell(std::make_shared<DigitalChannel>(t), CellSpec{});
  const auto f = simulate(cell, 2, 100000);
  BOOST_TEST(f[0] == 0.2, tt::tolerance(0.02));
  BOOST_TEST(f[1] == 0.0);
  BOOST_TEST(cell.channel().stats(2, 0).mean == 1.6, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(bad_config_names_the_field) {
  auto field_of = [](const std::string& text) {
    return anvil::test::error_field_of([&] { make_cell(YAML::Load(text), "d.yaml"); });
  };
  BOOST_TEST(field_of("{channel: digital, digital: {levels: 1}}") == "device.digital.levels");
  BOOST_TEST(field_of("{channel: digital, digital: {sigma: -0.1}}") == "device.digital.sigma");
  BOOST_TEST(field_of("{channel: digital, digital: {error_rate: 1.5}}") ==
             "device.digital.error_rate");
  BOOST_TEST(
      field_of("{channel: digital, digital: {levels: 2, transition: [[0.5, 0.6], [0, 1]]}}") ==
      "digital.transition[0]");
  BOOST_TEST(field_of("{channel: digital, digital: {sigma: 0.1, error_rate: 0.1}}") == "digital");
  BOOST_TEST(field_of("{channel: digital, digital: {level: 4}}") == "device.digital.level");
  // Matrix entries are read as every number is: finite, named down to the entry.
  BOOST_TEST(field_of("{channel: digital, digital: {levels: 2, transition: [[1, x], [0, 1]]}}") ==
             "device.digital.transition[0][1]");
  BOOST_TEST(
      field_of("{channel: digital, digital: {levels: 2, transition: [[1, 0], [.nan, 1]]}}") ==
      "device.digital.transition[1][0]");
  BOOST_TEST(field_of("{channel: digital, digital: {levels: 2, transition: [[1, 0], 1]}}") ==
             "device.digital.transition[1]");
  BOOST_TEST(field_of("{channel: digital, digital: {levels: 4, sigma: 0.1}}") == "<no error>");
}

BOOST_AUTO_TEST_CASE(shipped_mlc2_device) {
  const Cell cell = load_device(ANVIL_SOURCE_DIR "/models/devices/mlc2_digital.yaml");
  const auto* ch = dynamic_cast<const DigitalChannel*>(&cell.channel());
  BOOST_TEST_REQUIRE(ch != nullptr);
  BOOST_TEST(ch->dac_codes() == 4u);
  BOOST_TEST(ch->symbol_error_rate(1) == 2 * Q(0.5 / 0.15), tt::tolerance(1e-9));
}
