// measured channel: the partial-reset PCM data set (../shared/data/pcm, Zarcone et al. 2020)
// loads as 40 levels x 380 samples; normalisation, per-level statistics against the levels
// file, empirical and Gaussian sampling over 1e5 draws, the interpolating DAC, and every kind
// of bad CSV with the field named in the error.
#define BOOST_TEST_MODULE channel_measured
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>

#include <yaml-cpp/yaml.h>

#include "core/cell.hpp"
#include "core/device_config.hpp"
#include "core/error.hpp"
#include "core/measured_channel.hpp"
#include "test_util.hpp"

using namespace anvil::core;
namespace fs = std::filesystem;
namespace tt = boost::test_tools;

namespace {
const uint64_t kSeed = seed_from_env("ANVIL_TEST_SEED", 20260104);
const fs::path kData = fs::path(ANVIL_SHARED_DIR) / "data" / "pcm";
const fs::path kSamples = kData / "partial_reset_pcm_samples.csv";
const fs::path kLevels = kData / "partial_reset_pcm_levels.csv";

fs::path write_temp(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("anvil_channel_measured_" + name);
  std::ofstream(p) << text;
  return p;
}

MeasuredConfig config(const fs::path& file, const std::string& sampling = "empirical") {
  MeasuredConfig c;
  c.file = file;
  c.sampling = sampling;
  return c;
}

// The error's field when loading `text` as a measured CSV.
std::string csv_error_field(const std::string& name, const std::string& text) {
  const fs::path p = write_temp(name, text);
  return anvil::test::error_field_of([&] { MeasuredChannel ch(config(p, "gaussian")); }, p.c_str());
}
}  // namespace

BOOST_AUTO_TEST_CASE(data_set_loads_40_levels_of_380_samples) {
  const MeasuredChannel ch(config(kSamples));
  BOOST_TEST_REQUIRE(ch.levels() == 40u);
  BOOST_TEST(ch.dac_codes() == 40u);
  for (const auto& s : ch.table().samples) BOOST_TEST_REQUIRE(s.size() == 380u);
  BOOST_TEST(ch.write_setting(0) == 1.00, tt::tolerance(1e-12));
  BOOST_TEST(ch.write_setting(39) == 2.95, tt::tolerance(1e-12));
  BOOST_TEST(ch.write_normalised(0) == -1.0, tt::tolerance(1e-12));
  BOOST_TEST(ch.write_normalised(39) == 1.0, tt::tolerance(1e-12));
  BOOST_TEST(ch.read_min() == -1.0);
  BOOST_TEST(ch.read_max() == 1.0);
  // Normalised by the min and max of all samples: both ends are reached exactly.
  double lo = 2.0, hi = -2.0;
  for (uint32_t d = 0; d < 40; ++d) {
    for (double x : ch.table().samples[d]) {
      lo = std::min(lo, ch.to_read(x));
      hi = std::max(hi, ch.to_read(x));
    }
  }
  BOOST_TEST(lo == -1.0, tt::tolerance(1e-12));
  BOOST_TEST(hi == 1.0, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(per_level_statistics_match_the_levels_file) {
  const MeasuredChannel samples(config(kSamples));
  const MeasuredChannel levels(config(kLevels, "gaussian"));
  BOOST_TEST_REQUIRE(levels.levels() == 40u);
  for (uint32_t d = 0; d < 40; ++d) {
    // The levels file rounds to 5 decimals.
    BOOST_TEST(samples.table().mean[d] == levels.table().mean[d], tt::tolerance(1e-5));
    BOOST_TEST(std::abs(samples.table().std[d] - levels.table().std[d]) < 1e-5);
  }
  // The README's landmarks: plateau ~89-106 kOhm 1.45-2.40 V, ~2.4 MOhm at 2.95 V, largest
  // spread 0.175 decades at 2.50 V.
  for (uint32_t d = 9; d <= 28; ++d) {
    BOOST_TEST(std::pow(10.0, samples.table().mean[d]) > 85e3);
    BOOST_TEST(std::pow(10.0, samples.table().mean[d]) < 110e3);
  }
  BOOST_TEST(std::pow(10.0, samples.table().mean[39]) == 2.4e6, tt::tolerance(0.05));
  BOOST_TEST(samples.table().std[30] == 0.175, tt::tolerance(0.01));
}

BOOST_AUTO_TEST_CASE(empirical_and_gaussian_sampling_reproduce_the_level) {
  for (const char* sampling : {"empirical", "gaussian"}) {
    const Cell cell(std::make_shared<MeasuredChannel>(config(kSamples, sampling)), CellSpec{});
    const RandomStream rs(kSeed, 1);
    for (uint32_t d : {0u, 15u, 30u, 39u}) {
      double s = 0.0, s2 = 0.0;
      const uint32_t n = 100000;
      for (uint32_t k = 0; k < n; ++k) {
        const CellNoise noise(rs, k);
        const double v = cell.read_value(cell.program(d, noise), 86400.0, noise);
        s += v, s2 += v * v;
      }
      const double m = s / n, sd = std::sqrt(s2 / n - m * m);
      const LevelStats st = cell.channel().stats(d, 86400.0);
      BOOST_TEST(m == st.mean, tt::tolerance(0.02));
      BOOST_TEST(sd == st.std, tt::tolerance(0.02));
    }
  }
}

BOOST_AUTO_TEST_CASE(empirical_draws_are_measured_samples) {
  const MeasuredChannel ch(config(kSamples));
  const RandomStream rs(kSeed, 2);
  for (uint32_t k = 0; k < 200; ++k) {
    const double v = ch.program_pulse(30, CellNoise(rs, k), 0);
    bool found = false;
    for (double x : ch.table().samples[30]) found |= std::abs(ch.to_read(x) - v) < 1e-12;
    BOOST_TEST_REQUIRE(found);
  }
}

BOOST_AUTO_TEST_CASE(finer_dac_interpolates_between_levels) {
  MeasuredConfig c = config(kSamples, "gaussian");
  c.dac_codes = 79;  // every 0.025 V
  const MeasuredChannel fine(c);
  const MeasuredChannel coarse(config(kSamples, "gaussian"));
  BOOST_TEST(fine.dac_codes() == 79u);
  BOOST_TEST(fine.write_setting(1) == 1.025, tt::tolerance(1e-9));
  for (uint32_t d = 0; d < 39; ++d) {
    BOOST_TEST(fine.stats(2 * d, 0).mean == coarse.stats(d, 0).mean, tt::tolerance(1e-9));
    const double mid = 0.5 * (coarse.stats(d, 0).mean + coarse.stats(d + 1, 0).mean);
    BOOST_TEST(fine.stats(2 * d + 1, 0).mean == mid, tt::tolerance(1e-9));
  }
  c.sampling = "empirical";
  BOOST_CHECK_THROW(MeasuredChannel{c}, anvil::Error);
}

BOOST_AUTO_TEST_CASE(linear_domain_without_normalisation) {
  MeasuredConfig c = config(kSamples, "gaussian");
  c.domain = "linear";
  c.normalise = false;
  const MeasuredChannel ch(c);
  BOOST_TEST(ch.stats(39, 0).mean > 1e6);
  BOOST_TEST(ch.unit() == "read_resistance_ohm");
}

BOOST_AUTO_TEST_CASE(bad_csv_names_the_field) {
  BOOST_TEST(csv_error_field("empty.csv", "") == "");
  BOOST_TEST(csv_error_field("header_only.csv", "write_voltage_V,read_resistance_ohm\n") == "");
  BOOST_TEST(csv_error_field("one_col.csv", "write_voltage_V\n1.0\n") == "read value");
  BOOST_TEST(csv_error_field("no_std.csv", "write_voltage_V,samples,mean_log10_ohm\n1,2,3\n") ==
             "std_*");
  BOOST_TEST(
      csv_error_field("nan.csv", "write_voltage_V,read_resistance_ohm\n1.0,1e4\n1.1,abc\n") ==
      "read_resistance_ohm");
  BOOST_TEST(csv_error_field("nan2.csv", "write_voltage_V,read_resistance_ohm\n1.0,1e4\nx,1e4\n") ==
             "write_voltage_V");
  BOOST_TEST(csv_error_field("short.csv", "write_voltage_V,read_resistance_ohm\n1.0,1e4\n1.1\n") ==
             "line 3");
  BOOST_TEST(
      csv_error_field("single.csv", "write_voltage_V,read_resistance_ohm\n1.0,1e4\n1.0,2e4\n") ==
      "write_voltage_V");
  BOOST_TEST(
      csv_error_field("negative_r.csv", "write_voltage_V,read_resistance_ohm\n1.0,1e4\n1.1,-5\n") ==
      "read_resistance_ohm");
  BOOST_TEST(csv_error_field("neg_std.csv",
                             "write_voltage_V,samples,mean_log10_ohm,std_log10_ohm\n"
                             "1.0,10,4.5,0.1\n1.1,10,4.6,-0.1\n") == "std_log10_ohm");
  BOOST_TEST(csv_error_field("nonmono.csv",
                             "write_voltage_V,samples,mean_log10_ohm,std_log10_ohm\n"
                             "1.0,10,4.5,0.1\n1.2,10,4.6,0.1\n1.1,10,4.7,0.1\n") ==
             "write_voltage_V");
  BOOST_TEST(csv_error_field("single_level.csv",
                             "write_voltage_V,samples,mean_log10_ohm,std_log10_ohm\n"
                             "1.0,10,4.5,0.1\n") == "write_voltage_V");
  try {
    MeasuredChannel ch(config("/nonexistent/anvil.csv"));
    BOOST_FAIL("no error");
  } catch (const anvil::Error& e) {
    BOOST_TEST(e.file() == "/nonexistent/anvil.csv");
  }
  // The line and the offending text are in the message.
  try {
    MeasuredChannel ch(config(write_temp("msg.csv", "v,r\n1.0,1e4\n1.1,1e4x\n"), "gaussian"));
    BOOST_FAIL("no error");
  } catch (const anvil::Error& e) {
    BOOST_TEST(std::string(e.what()).find("line 3") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("1e4x") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(yaml_section_and_shipped_device_file) {
  const Cell cell = load_device(ANVIL_SOURCE_DIR "/models/devices/measured_pcm.yaml");
  BOOST_TEST(cell.channel().kind() == "measured");
  BOOST_TEST(cell.channel().dac_codes() == 40u);
  auto field_of = [](const std::string& text) {
    return anvil::test::error_field_of(
        [&] { make_cell(YAML::Load(text), ANVIL_SOURCE_DIR "/models/devices/x.yaml"); });
  };
  BOOST_TEST(field_of("{channel: measured}") == "device.measured.file");
  BOOST_TEST(field_of("{channel: measured, measured: {file: a.csv, domain: ln}}") ==
             "device.measured.domain");
  BOOST_TEST(field_of("{channel: measured, measured: {file: a.csv, sampling: x}}") ==
             "device.measured.sampling");
  BOOST_TEST(field_of("{channel: measured, measured: {file: a.csv, smoothing: 1}}") ==
             "device.measured.smoothing");
  BOOST_TEST(field_of("{channel: measured, measured: {file: a.csv, dac_codes: 1}}") ==
             "device.measured.dac_codes");
  BOOST_TEST(field_of("{channel: measured, pcm: {}, measured: {file: a.csv}}") == "device.pcm");
}
