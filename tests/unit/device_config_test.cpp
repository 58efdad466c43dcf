// The device section as it resolved (core::channel_section): every default filled in, under
// the keys it is read with, so that reading it back makes the same channel; and report.json
// echoes it beside the section as written.
#define BOOST_TEST_MODULE device_config
#include <boost/test/unit_test.hpp>

#include <string>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "core/device_config.hpp"
#include "core/random.hpp"

using namespace anvil::core;

namespace {

const std::string kDevices = ANVIL_SOURCE_DIR "/models/devices/";

// A device section from its channel's resolved section (JSON is YAML).
Cell reread(const Cell& cell, const std::string& file) {
  const nlohmann::json d = {{"channel", cell.channel().kind()},
                            {cell.channel().kind(), channel_section(cell.channel())}};
  return make_cell(YAML::Load(d.dump()), file);
}

}  // namespace

// Every shipped device: its resolved section read back gives the same section and the same
// channel, level by level and draw by draw.
BOOST_AUTO_TEST_CASE(resolved_section_reads_back_to_the_same_channel) {
  for (const char* name : {"pcm.yaml", "measured_pcm.yaml", "gaussian.yaml", "mlc2_digital.yaml"}) {
    BOOST_TEST_CONTEXT(name) {
      const Cell a = load_device(kDevices + name);
      const nlohmann::json sa = channel_section(a.channel());
      BOOST_TEST_REQUIRE(sa.is_object());
      const Cell b = reread(a, "/elsewhere/device.yaml");  // measured.file is absolute
      BOOST_TEST(channel_section(b.channel()) == sa);
      BOOST_TEST_REQUIRE(b.channel().dac_codes() == a.channel().dac_codes());
      BOOST_TEST(b.channel().read_min() == a.channel().read_min());
      BOOST_TEST(b.channel().read_max() == a.channel().read_max());
      const RandomStream rs(7, 3);
      for (uint32_t dac = 0; dac < a.channel().dac_codes(); dac += 5) {
        const CellNoise noise(rs, dac);
        BOOST_TEST(b.channel().program_pulse(dac, noise, 0) ==
                   a.channel().program_pulse(dac, noise, 0));
        BOOST_TEST(b.channel().stats(dac, 86400.0).mean == a.channel().stats(dac, 86400.0).mean);
      }
    }
  }
}

// Keys the user left out appear with their defaults: a PCM section giving only g_max_us.
BOOST_AUTO_TEST_CASE(defaults_are_filled_in) {
  const Cell c = make_cell(YAML::Load("{channel: pcm, pcm: {g_max_us: 20}}"), "d.yaml");
  const nlohmann::json s = channel_section(c.channel());
  BOOST_TEST(s["g_max_us"].get<double>() == 20.0);
  BOOST_TEST(s["dac_bits"].get<int>() == 8);
  BOOST_TEST(s["t0_s"].get<double>() == 20.0);
  BOOST_TEST(s["mu_nu"]["max"].get<double>() == 0.1);
  BOOST_TEST(s["q_s"]["exponent"].get<double>() == 0.65);
  BOOST_TEST(s.size() == 12u);  // every key make_pcm reads
  // A Gaussian channel's unset read range resolves to [-4 s, 1 + 4 s].
  const Cell g = make_cell(YAML::Load("{channel: gaussian, gaussian: {sigma: 0.1}}"), "g.yaml");
  BOOST_TEST(channel_section(g.channel())["read_min"].get<double>() == -0.4);
  BOOST_TEST(channel_section(g.channel())["read_max"].get<double>() == 1.4);
  // A digital channel's error rate resolves to its transition matrix.
  const Cell d = make_cell(
      YAML::Load("{channel: digital, digital: {levels: 2, error_rate: [0.25]}}"), "d.yaml");
  BOOST_TEST(channel_section(d.channel())["transition"] ==
             nlohmann::json::parse("[[0.75, 0.25], [0.25, 0.75]]"));
}

// Digital channels given by a level spread: the section read back gives the same symbol
// transition matrix, bit for bit, whatever the spread.
BOOST_AUTO_TEST_CASE(digital_sections_read_back_bit_for_bit) {
  for (const int levels : {2, 3, 4, 8}) {
    for (const double sigma : {0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 1.0}) {
      const std::string yaml = "{channel: digital, digital: {levels: " + std::to_string(levels) +
                               ", sigma: " + std::to_string(sigma) + "}}";
      const Cell a = make_cell(YAML::Load(yaml), "d.yaml");
      const Cell b = reread(a, "d.yaml");
      BOOST_TEST(channel_section(b.channel()) == channel_section(a.channel()), yaml);
    }
  }
}
