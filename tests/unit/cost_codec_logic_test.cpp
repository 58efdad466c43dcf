// Codec logic of a scheme (flow/codec_logic): the nearest synthesized encoder / decoder and
// the SECDED(72,64) logic of SLC data, scaled from the library's node; against hand-picked
// configurations of a small synthetic report and of the shipped synth/osu018/report.csv.
#define BOOST_TEST_MODULE cost_codec_logic
#include <boost/test/unit_test.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "test_util.hpp"

#include "core/error.hpp"
#include "flow/codec_logic.hpp"

namespace tt = boost::test_tools;
using namespace anvil;
using anvil::test::TempDir;

namespace {

const char* const kReport =
    "config,top,parameters,cells,flip_flops,area_um2,min_period_ns,max_clock_mhz\n"
    "e1,weight_encoder,\"Levels 16 Split 1 Replicas 1 SignCell 0\",1,1,100,1,1\n"
    "e3,weight_encoder,\"Levels 16 Split 1 Replicas 3 SignCell 1 SignReplicas 3\",1,1,300,1,1\n"
    "e2k,weight_encoder,\"Levels 5 Split 2 Replicas 2 SignCell 0\",1,1,200,1,1\n"
    "d1,weight_decoder,\"Levels 16 Split 1 Replicas 1 SignCell 0 Combine 1\",1,1,1000,1,1\n"
    "d3med,weight_decoder,\"Levels 16 Split 1 Replicas 3 SignCell 1 SignReplicas 3 Combine "
    "1\",1,1,3000,1,1\n"
    "d3mean,weight_decoder,\"Levels 16 Split 1 Replicas 3 SignCell 1 SignReplicas 3 Combine "
    "0\",1,1,5000,1,1\n"
    "d2k,weight_decoder,\"Levels 5 Split 2 Replicas 2 SignCell 0 Combine 1\",1,1,2000,1,1\n"
    "d2ml,weight_decoder,\"Levels 8 Split 1 Replicas 2 SignCell 0 Combine 2\",1,1,9000,1,1\n"
    "d3ml,weight_decoder,\"Levels 8 Split 1 Replicas 3 SignCell 0 Combine 2\",1,1,9500,1,1\n"
    "se,secded_72_64_enc,\"\",1,0,10,1,1\n"
    "sd,secded_72_64_dec,\"\",1,0,20,1,1\n";

core::SchemeSpec analog(uint32_t levels, uint32_t split, uint32_t replicas, core::Combine c) {
  core::SchemeSpec s;
  s.shape.levels = levels;
  s.shape.split = split;
  s.shape.replicas = replicas;
  s.shape.combine = c;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(report_parses_with_quoted_parameters) {
  TempDir tmp;
  const auto rows = flow::load_synth_report(tmp.write("report.csv", kReport));
  BOOST_TEST_REQUIRE(rows.size() == 11u);
  BOOST_TEST(rows[1].config == "e3");
  BOOST_TEST(rows[1].params.at("SignReplicas") == 3.0);
  BOOST_TEST(rows[4].area_um2 == 3000.0);
  BOOST_TEST(flow::load_synth_report(tmp.path / "missing.csv").empty());
  BOOST_CHECK_THROW(flow::load_synth_report(tmp.write("bad.csv", "h\na,b,c,d,e,zz\n")), Error);
}

BOOST_AUTO_TEST_CASE(nearest_configuration_and_secded) {
  TempDir tmp;
  const auto rows = flow::load_synth_report(tmp.write("report.csv", kReport));
  flow::SchemeResult row;
  // One cell of 8 levels: e1 + d1 (distance 1: levels only); no metadata, no ECC.
  auto c = flow::codec_logic(analog(8, 1, 1, core::Combine::kMedian), row, rows, 0.25);
  BOOST_TEST(c.encoder == "e1");
  BOOST_TEST(c.decoder == "d1");
  BOOST_TEST(c.ecc.empty());
  BOOST_TEST(c.area_lib_um2 == 1100.0);
  BOOST_TEST(c.area_um2 == 275.0, tt::tolerance(1e-12));  // x (90/180)^2
  // Three replicas, median: e3 / d3med (sign cell 2 + levels 1 = 3) beat e1 / d1 (replicas 6
  // + levels 1 = 7) and d3ml (same shape, other combiner: 8); with the mean combiner the
  // decoder is d3mean.
  c = flow::codec_logic(analog(8, 1, 3, core::Combine::kMedian), row, rows, 1.0);
  BOOST_TEST(c.encoder == "e3");
  BOOST_TEST(c.decoder == "d3med");
  c = flow::codec_logic(analog(8, 1, 3, core::Combine::kMean), row, rows, 1.0);
  BOOST_TEST(c.decoder == "d3mean");
  // The combiner must match in kind (RTL Combine 0 mean, 1 median, 2 ml): two replicas with
  // the ml combiner take the ml decoder d2ml; with the mean combiner the same shape does not:
  // d1 (one replica less, 16 levels: 4) beats d3mean (5) and d2ml, of the other kind (8).
  c = flow::codec_logic(analog(8, 1, 2, core::Combine::kMl), row, rows, 1.0);
  BOOST_TEST(c.decoder == "d2ml");
  BOOST_TEST(c.note.find("flip-flops") != std::string::npos);
  c = flow::codec_logic(analog(8, 1, 2, core::Combine::kMean), row, rows, 1.0);
  BOOST_TEST(c.decoder == "d1");
  // Two cells of 4 levels: the split-2 pair.
  c = flow::codec_logic(analog(4, 2, 1, core::Combine::kMedian), row, rows, 1.0);
  BOOST_TEST(c.encoder == "e2k");
  BOOST_TEST(c.decoder == "d2k");
  // Metadata on SLC: SECDED encoder + decoder added.
  row.metadata_cells = 10;
  c = flow::codec_logic(analog(8, 1, 1, core::Combine::kMedian), row, rows, 1.0);
  BOOST_TEST(c.ecc == "se+sd");
  BOOST_TEST(c.area_lib_um2 == 1130.0);
  // A digital baseline with SECDED: no weight codec, the ECC logic only.
  core::SchemeSpec d;
  d.is_digital = true;
  flow::SchemeResult drow;
  drow.spec["ecc"] = "SECDED(72,64)";
  c = flow::codec_logic(d, drow, rows, 0.25);
  BOOST_TEST(c.encoder.empty());
  BOOST_TEST(c.area_lib_um2 == 30.0);
  BOOST_TEST(c.area_um2 == 7.5, tt::tolerance(1e-12));
  // No report: nothing counted, and said so.
  c = flow::codec_logic(d, drow, {}, 0.25);
  BOOST_TEST(c.area_um2 == 0.0);
  BOOST_TEST(!c.note.empty());
}

BOOST_AUTO_TEST_CASE(shipped_report_secded_area) {
  const auto rows =
      flow::load_synth_report(std::string(ANVIL_SOURCE_DIR) + "/synth/osu018/report.csv");
  core::SchemeSpec d;
  d.is_digital = true;
  flow::SchemeResult drow;
  drow.spec["ecc"] = "SECDED(72,64)";
  const auto c = flow::codec_logic(d, drow, rows, 0.25);
  BOOST_TEST(c.area_lib_um2 == 8736.0 + 17817.0);  // report.md: secded_72_64_enc + _dec
  BOOST_TEST(c.area_um2 == 26553.0 / 4, tt::tolerance(1e-12));
}
