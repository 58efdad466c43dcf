// Footprint accounting (BRIEF 4): hand-computed cell counts for the digital baselines and
// analog schemes (sign cells, replicas, splits, per-channel scales, codebooks, importance
// bitmaps, reference cells, SECDED(72,64) metadata), BCH dimensions, word failure
// probabilities, the ECC choice and raw bit error rates from a Gaussian channel's statistics.
#define BOOST_TEST_MODULE footprint
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "codec_fixtures.hpp"
#include "core/allocation.hpp"
#include "core/footprint.hpp"
#include "core/scheme.hpp"

using namespace anvil::core;
namespace tt = boost::test_tools;

namespace {
SchemeSpec scheme(const std::string& yaml) {
  return parse_schemes_text(yaml).at(0);
}
double q_upper(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}
}  // namespace

BOOST_AUTO_TEST_CASE(secded_blocks) {
  BOOST_TEST(secded_cells(0) == 0u);
  BOOST_TEST(secded_cells(1) == 72u);
  BOOST_TEST(secded_cells(64) == 72u);
  BOOST_TEST(secded_cells(65) == 144u);
  BOOST_TEST(ecc_cells(100, secded_72_64(), 2) == 72u);  // 2 words = 144 bits on 2-bit cells
}

BOOST_AUTO_TEST_CASE(fp32_slc_secded_1000_weights) {
  const std::vector<TensorShape> t{{"fc", 1000, 10}};
  const Footprint f = digital_footprint(scheme("- {name: fp32, digital: {format: fp32}}"), t, {});
  BOOST_TEST(f.total() == 36000u);  // ceil(32000 / 64) * 72
  BOOST_TEST(f.parity_cells == 4000u);
  BOOST_TEST(f.metadata_cells == 0u);
  BOOST_TEST(f.ecc.code.name == "SECDED(72,64)");
}

BOOST_AUTO_TEST_CASE(intN_on_slc_and_mlc2) {
  const std::vector<TensorShape> t{{"a", 1000, 10}, {"b", 24, 4}};
  // int8 per tensor: 8192 data bits -> 128 words * 72 = 9216 cells; scales 2 * 32 bits -> 72.
  Footprint f = digital_footprint(
      scheme("- {name: i8, digital: {format: int8, cell: slc, ecc: secded}}"), t, {});
  BOOST_TEST(f.weight_cells == 9216u);
  BOOST_TEST(f.metadata_bits == 64u);
  BOOST_TEST(f.total() == 9216u + 72u);
  // 2-bit MLC halves the data cells; per-channel scales: 14 * 32 = 448 bits -> 7 blocks.
  f = digital_footprint(scheme("- {name: i8m, digital: {format: int8, cell: mlc2}, mapping: "
                               "{granularity: per_channel}}"),
                        t, {});
  BOOST_TEST(f.weight_cells == 4608u);
  BOOST_TEST(f.metadata_cells == 7u * 72u);
  // No ECC: bits / bits per cell.
  f = digital_footprint(scheme("- {name: i4, digital: {format: int4, cell: mlc2, ecc: none}}"), t,
                        {});
  BOOST_TEST(f.weight_cells == 2048u);
  BOOST_TEST(f.parity_cells == 0u);
}

BOOST_AUTO_TEST_CASE(analog_schemes_hand_computed) {
  const std::vector<TensorShape> t{{"fc", 1000, 10}};
  // One 16-level cell per weight, one fp32 scale.
  Footprint f = analog_footprint(scheme("- {name: naive}"), t);
  BOOST_TEST(f.weight_cells == 1000u);
  BOOST_TEST(f.metadata_cells == 72u);
  BOOST_TEST(f.total() == 1072u);
  // Sign cell x3 + 2 digits x 3 replicas = 9 cells per weight; 10 per-channel scales = 320
  // bits -> 5 blocks; Lloyd codebook of 2 * 255 + 1 = 511 entries: 16352 bits.
  f = analog_footprint(
      scheme("- {name: s, levels: 16, split: 2, replicas: 3, sign: {cell: true, replicas: 3}, "
             "mapping: {granularity: per_channel, companding: lloyd}}"),
      t);
  BOOST_TEST(f.weight_cells == 9000u);
  BOOST_TEST(f.sign_cells == 3000u);
  BOOST_TEST(f.metadata_bits == 320u + 511u * 32u);
  BOOST_TEST(f.metadata_cells == (320u + 511u * 32u + 63u) / 64u * 72u);
  // Reference cells: 4 per level of 8 levels.
  f = analog_footprint(scheme("- {name: r, levels: 8, decode: ref}"), t);
  BOOST_TEST(f.reference_cells == 32u);
  BOOST_TEST(f.total() == 1000u + 32u + 72u);
}

BOOST_AUTO_TEST_CASE(importance_classes_footprint) {
  // 1024 weights in 16 groups of 64; the top 25% (4 groups, 256 weights) get 3 replicas.
  // Cells: 768 * 1 + 256 * 3 = 1536. Metadata: 2 segment scales (64 bits) + 16 bitmap bits
  // = 80 bits -> 2 SECDED blocks = 144 cells.
  const SchemeSpec s = scheme(
      "- {name: imp, importance: {metric: magnitude, fraction: 0.25, group: 64, protect: "
      "{replicas: 3}}}");
  const std::vector<TensorShape> shapes{{"w", 1024, 1}};
  const Footprint f = analog_footprint(s, shapes);
  BOOST_TEST(f.weight_cells == 1536u);
  BOOST_TEST(f.metadata_bits == 80u);
  BOOST_TEST(f.total() == 1680u);
  // The allocation of real weights agrees, and protects the largest-magnitude groups.
  std::vector<float> w(1024);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.001f * static_cast<float>(i % 64 + 1);
  for (size_t g : {3u, 7u, 8u, 15u}) w[g * 64 + 5] = 1.0f + g;
  const Cell cell = anvil::test::gaussian_cell(0.0);
  const std::vector<TensorView> views{{"w", w, 1, {}}};
  const Allocation a = allocate(views, s, cell);
  const Footprint fa = footprint(a);
  BOOST_TEST(fa.total() == f.total());
  BOOST_TEST(fa.weight_cells == f.weight_cells);
  BOOST_TEST_REQUIRE(a.segments.size() == 2u);
  BOOST_TEST(a.segments[1].klass == 1u);
  BOOST_TEST(a.segments[1].count == 256u);
  BOOST_TEST(a.segments[1].index.front() == 3u * 64u);
  BOOST_TEST(a.segments[1].index.back() == 15u * 64u + 63u);
  BOOST_TEST(a.segments[1].params.shape.replicas == 3u);
}

BOOST_AUTO_TEST_CASE(bch_dimensions) {
  BOOST_TEST(bch_dimension(10, 1) == 1013u);
  BOOST_TEST(bch_dimension(10, 2) == 1003u);
  BOOST_TEST(bch_dimension(10, 16) == 863u);
  BOOST_TEST(bch_dimension(10, 17) == 858u);  // the coset of 33 has only 5 elements
  BOOST_TEST(bch_dimension(4, 1) == 11u);     // BCH(15,11) = Hamming
  BOOST_TEST(bch_dimension(4, 2) == 7u);      // BCH(15,7)
  BOOST_TEST(bch_dimension(4, 3) == 5u);      // BCH(15,5)
  BOOST_TEST(bch_dimension(4, 7) == 1u);      // repetition
  BOOST_TEST(bch_dimension(4, 8) == 0u);      // no such code
  BOOST_TEST(bch_code(10, 3).name == "BCH(1023,993,t=3)");
}

BOOST_AUTO_TEST_CASE(word_failure_and_ecc_choice) {
  const double p = 1e-3;
  const double exact = 1 - std::pow(1 - p, 72) - 72 * p * std::pow(1 - p, 71);
  BOOST_TEST(word_failure(72, 1, p) == exact, tt::tolerance(1e-9));
  BOOST_TEST(word_failure(72, 1, 0.0) == 0.0);
  // Error-free medium: SECDED suffices.
  EccChoice c = choose_ecc(Ecc::kAuto, 0.0, 1000000, 1e-6);
  BOOST_TEST(c.code.name == "SECDED(72,64)");
  // 1e-3 raw BER over 8 Mbit: SECDED fails, BCH with the smallest sufficient t is chosen.
  c = choose_ecc(Ecc::kAuto, p, 8000000, 1e-6);
  BOOST_TEST_MESSAGE("chosen " << c.code.name << ", model failure " << c.model_failure);
  BOOST_TEST(c.code.n == 1023u);
  BOOST_TEST(c.meets_target);
  const EccCode weaker = bch_code(10, c.code.t - 1);
  const double words = std::ceil(8e6 / weaker.k);
  BOOST_TEST(words * word_failure(1023, weaker.t, p) > 1e-6);
  BOOST_TEST(!choose_ecc(Ecc::kSecded, p, 8000000, 1e-6).meets_target);
  BOOST_TEST(!choose_ecc(Ecc::kBch, 0.5, 8000000, 1e-6).meets_target);
}

BOOST_AUTO_TEST_CASE(raw_error_rates_from_gaussian_statistics) {
  const Cell cell = anvil::test::gaussian_cell(0.1);
  const DigitalErrorRates r = digital_error_rates(cell);
  BOOST_TEST(r.slc == q_upper(5.0), tt::tolerance(1e-6));  // levels 0 and 1, threshold 0.5
  BOOST_TEST(r.mlc2_dacs == (std::vector<uint32_t>{0, 85, 170, 255}), tt::per_element());
  // Four levels 1/3 apart, thresholds halfway: 6 adjacent transitions of one Gray bit each,
  // over 4 symbols of 2 bits.
  const double q = q_upper(1.0 / 6.0 / 0.1);
  BOOST_TEST(r.mlc2 == 0.75 * q, tt::tolerance(0.01));
  // int8 on MLC2 at this error rate needs BCH.
  const std::vector<TensorShape> t{{"w", 100000, 1}};
  const Footprint f = digital_footprint(
      scheme("- {name: i8m, digital: {format: int8, cell: mlc2, ecc: auto}}"), t, r);
  BOOST_TEST(f.ecc.code.n == 1023u);
  BOOST_TEST(f.weight_cells == ecc_cells(800000, f.ecc.code, 2));
  BOOST_TEST_MESSAGE("int8 MLC2: " << f.ecc.code.name << " raw BER " << f.ecc.raw_ber << ", "
                                   << f.total() << " cells");
}

BOOST_AUTO_TEST_CASE(json_report) {
  const std::vector<TensorShape> t{{"fc", 1000, 10}};
  const auto j =
      to_json(digital_footprint(scheme("- {name: fp32, digital: {format: fp32}}"), t, {}));
  BOOST_TEST(j["total_cells"].get<uint64_t>() == 36000u);
  BOOST_TEST(j["ecc"]["code"].get<std::string>() == "SECDED(72,64)");
  const auto a = to_json(analog_footprint(scheme("- {name: naive}"), t));
  BOOST_TEST(a["cells_per_weight"].get<double>() == 1.072);
  BOOST_TEST(!a.contains("ecc"));
}

// Relative indices: one entry per nonzero holding its gap; gaps of 2^b - 1 or more spend
// escape entries. Bitmap: one bit per weight. Hand-computed.
BOOST_AUTO_TEST_CASE(sparse_index_bits_hand_computed) {
  // Nonzeros at 0, 3, 20: gaps 0, 2, 16.
  std::vector<float> w(24, 0.0f);
  w[0] = w[3] = w[20] = 1.0f;
  BOOST_TEST(sparse_index_bits({SparseFormat::kBitmap, 4}, w) == 24u);
  // b = 2 (E = 3): gaps 0 -> 1 entry, 2 -> 1, 16 -> 1 + 5 escapes: 8 entries x 2 bits.
  BOOST_TEST(sparse_index_bits({SparseFormat::kRelative, 2}, w) == 16u);
  // b = 4 (E = 15): 16 -> 1 + 1 escape: 4 entries x 4 bits.
  BOOST_TEST(sparse_index_bits({SparseFormat::kRelative, 4}, w) == 16u);
  // b = 5 (E = 31): 3 entries x 5 bits.
  BOOST_TEST(sparse_index_bits({SparseFormat::kRelative, 5}, w) == 15u);
  BOOST_TEST(sparse_index_bits({SparseFormat::kNone, 4}, w) == 0u);
}

// A metadata stream on 2-bit MLC is packed two bits a cell behind the ECC its raw error rate
// needs; on SLC it is SECDED(72,64).
BOOST_AUTO_TEST_CASE(metadata_on_mlc2) {
  DigitalErrorRates clean;  // error-free medium: no parity beyond the code's minimum
  BOOST_TEST(metadata_cells(6400, DigitalCell::kSlc, clean) == 7200u);
  const uint64_t mlc = metadata_cells(6400, DigitalCell::kMlc2, clean);
  BOOST_TEST(mlc >= 3200u);
  BOOST_TEST(mlc < 3700u);
  BOOST_TEST(metadata_cells(0, DigitalCell::kMlc2, clean) == 0u);
}
