// `anvil channel` end to end: the shipped device files produce channel.json / channel.csv with
// the response table, selected levels and capacities (the measured partial-reset PCM data from
// ../shared/data/pcm: 40 write levels, 2 levels carry 1 bit, 4 levels 2 bits through a 6-bit
// ADC); bad device files give one stderr line naming file, field and rule, and a non-zero exit.
#define BOOST_TEST_MODULE cli_channel
#include <boost/test/unit_test.hpp>

#include "cli_test.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

const std::string kDevices = std::string(ANVIL_SOURCE_DIR) + "/models/devices/";

}  // namespace

BOOST_AUTO_TEST_CASE(measured_device_report) {
  TempDir tmp;
  run_anvil_ok("channel '" + kDevices + "measured_pcm.yaml' --draws 4000 --out '" +
                   tmp.path.string() + "/out'",
               tmp);
  const auto j = nlohmann::json::parse(slurp(tmp.path / "out" / "channel.json"));
  BOOST_TEST(j["channel"] == "measured");
  BOOST_TEST(j["adc_bits"] == 6);
  BOOST_TEST(j["response"].size() == 40u);
  BOOST_TEST(j["response"][0]["write_setting"].get<double>() == 1.0, tt::tolerance(1e-12));
  BOOST_TEST_REQUIRE(j["levels"].size() == 5u);  // 2, 4, 8, 16, all 40
  BOOST_TEST(j["levels"][0]["capacity_bits"].get<double>() == 1.0, tt::tolerance(1e-3));
  BOOST_TEST(j["levels"][1]["capacity_bits"].get<double>() == 2.0, tt::tolerance(2e-3));
  BOOST_TEST(j["levels"][4]["levels"] == 40);
  const double c40 = j["levels"][4]["capacity_bits"].get<double>();
  BOOST_TEST(c40 > j["levels"][3]["capacity_bits"].get<double>());
  BOOST_TEST(c40 == 2.678, tt::tolerance(0.01));
  // Selected levels are ordered by increasing mean read value.
  for (const auto& e : j["levels"]) {
    double last = -1e300;
    for (uint32_t d : e["dacs"]) {
      const double m = j["response"][d]["mean"].get<double>();
      BOOST_TEST(m >= last);
      last = m;
    }
  }
  const std::string csv = slurp(tmp.path / "out" / "channel.csv");
  BOOST_TEST(csv.rfind("dac,write_setting,target,mean,std,in_L2,in_L4,in_L8,in_L16\n", 0) == 0);
  BOOST_TEST(std::count(csv.begin(), csv.end(), '\n') == 41);
}

BOOST_AUTO_TEST_CASE(every_shipped_device_runs) {
  for (const char* d : {"pcm.yaml", "gaussian.yaml", "mlc2_digital.yaml"}) {
    TempDir tmp;
    const Run r = run_anvil(
        "channel '" + kDevices + d + "' --draws 500 --out '" + tmp.path.string() + "'", tmp);
    BOOST_TEST(r.status == 0, d << ": " << r.err);
    BOOST_TEST(fs::exists(tmp.path / "channel.json"));
  }
}

BOOST_AUTO_TEST_CASE(bad_device_file_is_one_line) {
  TempDir tmp;
  const fs::path dev = tmp.path / "bad.yaml";
  std::ofstream(dev) << "device:\n  channel: gaussian\n  gaussian: {levels: 4, sigma: -0.1}\n";
  const Run r = run_anvil("channel '" + dev.string() + "' --out '" + tmp.path.string() + "'", tmp);
  expect_one_line_error(r, dev.string(), "device.gaussian.sigma");
  BOOST_TEST(!fs::exists(tmp.path / "channel.json"));
  std::ofstream(dev) << "device:\n  channel: measured\n  measured: {file: missing.csv}\n";
  const Run m = run_anvil("channel '" + dev.string() + "' --out '" + tmp.path.string() + "'", tmp);
  BOOST_TEST(m.status != 0);
  BOOST_TEST(m.err.find((tmp.path / "missing.csv").string()) != std::string::npos, m.err);
}
