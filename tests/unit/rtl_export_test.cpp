// RTL export (sw/flow/rtl_export) and the RTL register map (core/codec_rtl): bad
// configurations are rejected before anything is written; a good one writes the package with
// the configuration's values and the tables as hex; strict codec YAML keys.
#define BOOST_TEST_MODULE rtl_export
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/codec_rtl.hpp"
#include "core/error.hpp"
#include "flow/rtl_export.hpp"

using namespace anvil;
namespace fs = std::filesystem;

namespace {
core::CodecParams small() {
  core::CodecParams p;
  p.shape = {4, 2, 3, true, 3, core::Combine::kMean};
  p.dac_bits = 4;
  p.adc_bits = 3;
  p.soft_frac_bits = 4;
  p.level_dac = {0, 5, 10, 15};
  p.sign_dac[0] = 0;
  p.sign_dac[1] = 15;
  p.adc_digit = {0, 0, 1, 1, 2, 2, 3, 3};
  p.adc_soft = {0, 7, 14, 22, 29, 36, 43, 48};
  p.adc_sign = {0, 0, 0, 0, 1, 1, 1, 1};
  return p;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("anvil_rtl_export_test_" + name);
  fs::remove_all(d);
  return d;
}

std::string slurp(const fs::path& f) {
  std::ifstream in(f);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void expect_rejected(const core::CodecParams& p, const std::string& field) {
  const fs::path d = fresh_dir("bad");
  try {
    flow::export_rtl(p, d);
    BOOST_ERROR("accepted a bad configuration (" << field << ")");
  } catch (const Error& e) {
    BOOST_TEST(e.field() == field);
  }
  BOOST_TEST(!fs::exists(d));
}

// small() with one change made by `edit`.
void expect_rejected(const std::string& field,
                     const std::function<void(core::CodecParams&)>& edit) {
  core::CodecParams p = small();
  edit(p);
  expect_rejected(p, field);
}
}  // namespace

BOOST_AUTO_TEST_CASE(zero_replicas_rejected) {
  expect_rejected("replicas", [](core::CodecParams& p) { p.shape.replicas = 0; });
}

BOOST_AUTO_TEST_CASE(table_too_short_for_adc_rejected) {
  // The first 2^adc_bits table is the one checked.
  expect_rejected("adc_sign", [](core::CodecParams& p) { p.adc_bits = 4; });
}

BOOST_AUTO_TEST_CASE(widths_out_of_range_rejected) {
  expect_rejected("dac_bits", [](core::CodecParams& p) { p.dac_bits = 0; });
  expect_rejected("soft_frac_bits", [](core::CodecParams& p) { p.soft_frac_bits = 17; });
}

BOOST_AUTO_TEST_CASE(levels_above_dac_codes_rejected) {
  expect_rejected("levels", [](core::CodecParams& p) { p.dac_bits = 1; });
}

BOOST_AUTO_TEST_CASE(ml_combiner_exports_its_log_likelihood_table) {
  auto p = small();
  p.shape.combine = core::Combine::kMl;
  p.adc_llr.assign(8 * 4, 0);
  p.adc_llr[1] = -1;     // two's complement in kRtlLlrBits bits
  p.adc_llr[2] = 32767;  // the widest entries that fit
  p.adc_llr[3] = -32768;
  const fs::path d = fresh_dir("ml");
  flow::export_rtl(p, d);
  const std::string llr = slurp(d / "hex/adc_llr.hex");
  BOOST_TEST(llr.rfind("0000\nffff\n7fff\n8000\n0000\n", 0) == 0u, llr.substr(0, 30));
  BOOST_TEST(std::count(llr.begin(), llr.end(), '\n') == 32);
  BOOST_TEST(slurp(d / "rtl/anvil_codec_cfg_pkg.svh").find("Combine = 2;") != std::string::npos);
  BOOST_TEST(slurp(d / "rtl/anvil_codec_decoder.sv").find("\"hex/adc_llr.hex\"") !=
             std::string::npos);
  fs::remove_all(d);
  // A narrow table gets a narrow decoder: entries in [-5, 3] need 4 bits (and an 11-bit
  // entry is written with no bit above its width: 0x559, not 0xd59).
  std::fill(p.adc_llr.begin(), p.adc_llr.end(), -5);
  p.adc_llr[7] = 3;
  BOOST_TEST(core::rtl_geometry(p).llr_bits == 4u);
  const fs::path n = fresh_dir("ml_narrow");
  flow::export_rtl(p, n);
  BOOST_TEST(slurp(n / "rtl/anvil_codec_cfg_pkg.svh").find("LlrBits = 4;") != std::string::npos);
  BOOST_TEST(slurp(n / "hex/adc_llr.hex").rfind("b\nb\nb\nb\nb\nb\nb\n3\n", 0) == 0u);
  fs::remove_all(n);
  p.adc_llr[7] = -679;  // 11 bits
  flow::export_rtl(p, n);
  const std::string h = slurp(n / "hex/adc_llr.hex");
  BOOST_TEST(h.substr(0, 32) == "7fb\n7fb\n7fb\n7fb\n7fb\n7fb\n7fb\n559\n");
  fs::remove_all(n);
  p.adc_llr[3] = -32769;  // beyond the widest decoder
  expect_rejected(p, "adc_llr");
}

BOOST_AUTO_TEST_CASE(bad_name_rejected) {
  const fs::path d = fresh_dir("name");
  flow::RtlExportOptions o;
  o.name = "9lives";
  BOOST_CHECK_THROW(flow::export_rtl(small(), d, o), Error);
  BOOST_TEST(!fs::exists(d));
}

BOOST_AUTO_TEST_CASE(good_configuration_writes_package_and_tables) {
  const fs::path d = fresh_dir("ok");
  const auto r = flow::export_rtl(small(), d);
  BOOST_TEST(r.files.size() >= 15u);
  const std::string pkg = slurp(d / "rtl/anvil_codec_cfg_pkg.svh");
  BOOST_TEST(pkg.find("localparam int unsigned Levels = 4;") != std::string::npos);
  BOOST_TEST(pkg.find("localparam int unsigned Cells = 9;") != std::string::npos);
  BOOST_TEST(pkg.find("localparam int unsigned CodeBits = 5;") != std::string::npos);
  BOOST_TEST(slurp(d / "hex/level_dac.hex") == "0\n5\na\nf\n");
  BOOST_TEST(slurp(d / "hex/sign_dac.hex") == "0\nf\n");
  BOOST_TEST(slurp(d / "hex/adc_sign.hex") == "0\n0\n0\n0\n1\n1\n1\n1\n");
  BOOST_TEST(fs::exists(d / "synth.ys"));
  // Headers come through the include path; only compilation units are listed.
  const std::string fl = slurp(d / "filelist.f");
  BOOST_TEST(fl.rfind("+incdir+rtl\n", 0) == 0u);
  BOOST_TEST(fl.find(".svh") == std::string::npos);
  BOOST_TEST(fl.find("rtl/weight_decoder.sv\n") != std::string::npos);
  BOOST_TEST(fl.find("rtl/anvil_codec_encoder.sv\n") != std::string::npos);
  BOOST_TEST(slurp(d / "rtl/anvil_codec_encoder.sv").find("`include \"anvil_codec_cfg_pkg.svh\"") !=
             std::string::npos);
  fs::remove_all(d);
}

BOOST_AUTO_TEST_CASE(register_map) {
  const auto p = small();
  const auto g = core::rtl_geometry(p);
  BOOST_TEST(g.cells == 9u);
  BOOST_TEST(g.digit_bits == 2u);
  BOOST_TEST(g.enc_cfg_addr_bits == 3u);
  BOOST_TEST(g.dec_cfg_addr_bits == 5u);
  BOOST_TEST(g.dec_cfg_data_bits == 6u);  // 3 << 4 = 48
  const auto enc = core::encoder_cfg_writes(p);
  BOOST_TEST(enc.size() == 6u);
  BOOST_TEST(enc[4].addr == 4u);  // sign_dac[0]: select bit above the 2 index bits
  const auto dec = core::decoder_cfg_writes(p);
  BOOST_TEST(dec.size() == 16u);
  BOOST_TEST(dec[0].addr == 8u);   // adc_soft[0]
  BOOST_TEST(dec[1].addr == 16u);  // adc_sign[0]
}

BOOST_AUTO_TEST_CASE(codec_yaml_strict_keys) {
  BOOST_CHECK_THROW(flow::codec_params_from_yaml(YAML::Load("levels: 4\nlevel: 3\n"), "c.yaml"),
                    Error);
  try {
    flow::codec_params_from_yaml(YAML::Load("replicas: -1\n"), "c.yaml");
    BOOST_ERROR("negative accepted");
  } catch (const Error& e) {
    BOOST_TEST(e.field() == "replicas");
    BOOST_TEST(e.file() == "c.yaml");
  }
  const auto p = flow::codec_params_from_yaml(
      YAML::Load("levels: 3\nsign_cell: true\ncombine: mean\nsign_dac: [1, 2]\n"), "c.yaml");
  BOOST_TEST(p.shape.levels == 3u);
  BOOST_TEST(p.shape.sign_cell);
  BOOST_TEST(p.sign_dac[1] == 2u);
  // Sign bits are 0 or 1: an entry out of range is named (it used to be cut to 8 bits).
  for (const char* bad : {"adc_sign: [0, 2]", "adc_sign: [0, 256]"}) {
    try {
      flow::codec_params_from_yaml(YAML::Load(bad), "c.yaml");
      BOOST_ERROR("accepted " << bad);
    } catch (const Error& e) {
      BOOST_TEST(e.field() == "adc_sign[1]");
    }
  }
  BOOST_TEST(flow::codec_params_from_yaml(YAML::Load("adc_sign: [0, 1, 1]"), "c.yaml").adc_sign ==
                 std::vector<uint8_t>({0, 1, 1}),
             boost::test_tools::per_element());
}
