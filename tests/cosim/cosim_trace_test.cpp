// Waves: a short co-simulation with a trace file writes a VCD (or FST, per the build's
// ANVIL_COSIM_TRACE) whose header declares the timescale, the module scopes and the RTL
// handshake signals; the run still matches the golden model.
#define BOOST_TEST_MODULE cosim_trace
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/store.hpp"
#include "cosim_test_util.hpp"
#include "systemc/cosim.hpp"

using namespace anvil;

BOOST_AUTO_TEST_CASE(trace_file_has_header_and_handshake_signals) {
  const core::Cell cell = test::noisy_cell();
  const core::RandomStream noise(core::seed_from_env("ANVIL_TEST_SEED", 5), 1);
  const auto p = test::codec_for(cell, 16, 1, 3, true, 1, core::Combine::kMedian);
  const auto codes = test::random_codes(p, 300, 3);
  const std::string file = std::string("cosim_trace_test.") + cosim::cosim_trace_format();
  std::filesystem::remove(file);
  cosim::CosimOptions opt;
  opt.trace_file = file;
  const cosim::CosimResult r = cosim::run_cosim(cell, p, codes, 0, noise, opt);
  std::vector<int32_t> golden(codes.size());
  core::store_and_read(cell, p, codes, 0, noise, golden);
  BOOST_TEST(r.segments.at(0).decoded == golden, boost::test_tools::per_element());
  BOOST_TEST(r.trace_file == file);
  BOOST_TEST_REQUIRE(std::filesystem::exists(file));
  BOOST_TEST(std::filesystem::file_size(file) > 1000u);
  if (std::string(cosim::cosim_trace_format()) != "vcd") return;  // FST is binary
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string vcd = ss.str();
  const std::string header = vcd.substr(0, vcd.find("$enddefinitions"));
  BOOST_TEST_REQUIRE(header.size() < vcd.size());
  for (const char* want :
       {"$timescale", "$scope module", "$var wire", " clk_i ", " rst_ni ", " valid_i ", " ready_o ",
        " valid_o ", " ready_i ", " code_i ", " dac_o ", " adc_i ", " code_o ", " cfg_we_i "})
    BOOST_TEST(header.find(want) != std::string::npos, "header declares '" << want << "'");
  // Value changes after the header, at more than one time.
  const std::string body = vcd.substr(header.size());
  BOOST_TEST(body.find("\n#") != std::string::npos);
  BOOST_TEST(body.find("\n#", body.find("\n#") + 2) != std::string::npos);
}
