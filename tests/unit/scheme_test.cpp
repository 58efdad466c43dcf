// Storage scheme YAML (core/scheme): every key of the brief's example, the digital baseline
// variant, defaults, and bad input (unknown keys, out-of-range values, wrong types, malformed
// YAML), each error naming the field.
#define BOOST_TEST_MODULE scheme
#include <boost/test/unit_test.hpp>

#include <string>

#include <nlohmann/json.hpp>
#include "core/error.hpp"

#include "core/scheme.hpp"
#include "test_util.hpp"

using namespace anvil::core;

namespace {
// The field of the anvil::Error that parsing `yaml` throws.
std::string error_field(const std::string& yaml) {
  return anvil::test::error_field_of([&] { parse_schemes_text(yaml, "schemes.yaml"); },
                                     "schemes.yaml");
}
}  // namespace

BOOST_AUTO_TEST_CASE(parses_every_analog_key) {
  const auto s = parse_schemes_text(R"(
- name: sign+r3-median
  levels: 16
  split: 2
  replicas: 3
  combine: median
  sign: {cell: true, replicas: 5}
  levels_from: select
  decode: mmse
  calibration: {draws: 500, seed: 9}
  mapping: {granularity: per_channel, clip_quantile: 0.999, companding: mulaw, mu: 100}
  importance: {metric: mean, fraction: 0.1, group: 32, protect: {replicas: 5, combine: ml}}
- name: naive
)");
  BOOST_TEST_REQUIRE(s.size() == 2u);
  const SchemeSpec& a = s[0];
  BOOST_TEST(a.name == "sign+r3-median");
  BOOST_TEST(!a.is_digital);
  BOOST_TEST(a.shape.levels == 16u);
  BOOST_TEST(a.shape.split == 2u);
  BOOST_TEST(a.shape.replicas == 3u);
  BOOST_TEST((a.shape.combine == Combine::kMedian));
  BOOST_TEST(a.shape.sign_cell);
  BOOST_TEST(a.shape.sign_replicas == 5u);
  BOOST_TEST((a.levels_from == LevelsFrom::kSelect));
  BOOST_TEST((a.tables.decode == DecodeMode::kMmse));
  BOOST_TEST(a.tables.draws == 500u);
  BOOST_TEST(a.tables.seed == 9u);
  BOOST_TEST((a.mapping.granularity == Granularity::kPerChannel));
  BOOST_TEST(a.mapping.clip_quantile == 0.999);
  BOOST_TEST((a.mapping.companding == Companding::kMulaw));
  BOOST_TEST(a.mapping.mu == 100.0);
  BOOST_TEST(a.importance.enabled);
  BOOST_TEST((a.importance.metric == ImportanceMetric::kMean));
  BOOST_TEST(a.importance.fraction == 0.1);
  BOOST_TEST(a.importance.group == 32u);
  BOOST_TEST(a.importance.protect.replicas == 5u);
  BOOST_TEST((a.importance.protect.combine == Combine::kMl));
  BOOST_TEST(a.importance.protect.levels == 16u);  // inherited from the base
  BOOST_TEST(a.importance.protect.sign_cell);
  BOOST_TEST(a.set_keys.count("importance.protect.replicas") == 1u);
  BOOST_TEST(a.set_keys.count("reference") == 0u);
  // Defaults.
  const SchemeSpec& b = s[1];
  BOOST_TEST(b.shape.levels == 16u);
  BOOST_TEST(b.shape.replicas == 1u);
  BOOST_TEST(!b.shape.sign_cell);
  BOOST_TEST(!b.importance.enabled);
  BOOST_TEST((b.tables.decode == DecodeMode::kMl));
  BOOST_TEST(b.mapping.clip_quantile == 1.0);
}

BOOST_AUTO_TEST_CASE(parses_digital_baselines_and_reference) {
  const auto s = parse_schemes_text(R"(
schemes:
  - name: fp32
    digital: {format: fp32}
  - name: int6-mlc2
    digital: {format: int6, cell: mlc2, ecc: auto, failure: 1e-9}
    mapping: {granularity: per_channel}
  - name: ref
    decode: ref
)");
  BOOST_TEST_REQUIRE(s.size() == 3u);
  BOOST_TEST(s[0].is_digital);
  BOOST_TEST(s[0].digital.fp32);
  BOOST_TEST(s[0].digital.bits == 32u);
  BOOST_TEST((s[0].digital.ecc == Ecc::kSecded));
  BOOST_TEST((s[0].digital.cell == DigitalCell::kSlc));
  BOOST_TEST(!s[1].digital.fp32);
  BOOST_TEST(s[1].digital.bits == 6u);
  BOOST_TEST((s[1].digital.cell == DigitalCell::kMlc2));
  BOOST_TEST((s[1].digital.ecc == Ecc::kAuto));
  BOOST_TEST(s[1].digital.failure == 1e-9);
  BOOST_TEST((s[1].mapping.granularity == Granularity::kPerChannel));
  BOOST_TEST(s[2].ref_per_level == 4u);  // default reference cells per level
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_errors_naming_the_key) {
  BOOST_TEST(error_field("- {name: a, levelz: 4}") == "schemes[0].levelz");
  BOOST_TEST(error_field("- {name: a}\n- {name: b, sign: {cel: true}}") == "schemes[1].sign.cel");
  BOOST_TEST(error_field("- {name: a, importance: {protect: {replica: 2}}}") ==
             "schemes[0].importance.protect.replica");
  BOOST_TEST(error_field("- {name: a, digital: {format: fp32}, levels: 4}") == "schemes[0].levels");
  BOOST_TEST(error_field("schemes: []\nextra: 1") == "extra");
}

BOOST_AUTO_TEST_CASE(out_of_range_values_are_errors_naming_the_field) {
  BOOST_TEST(error_field("- {name: a, levels: 1}") == "schemes[0].levels");
  BOOST_TEST(error_field("- {name: a, replicas: 0}") == "schemes[0].replicas");
  BOOST_TEST(error_field("- {name: a, split: 0}") == "schemes[0].split");
  BOOST_TEST(error_field("- {name: a, levels: 16, split: 8}") == "schemes[0].split");
  BOOST_TEST(error_field("- {name: a, sign: {replicas: 0}}") == "schemes[0].sign.replicas");
  BOOST_TEST(error_field("- {name: a, mapping: {clip_quantile: 0}}") ==
             "schemes[0].mapping.clip_quantile");
  BOOST_TEST(error_field("- {name: a, mapping: {clip_quantile: 1.5}}") ==
             "schemes[0].mapping.clip_quantile");
  BOOST_TEST(error_field("- {name: a, importance: {fraction: 2}}") ==
             "schemes[0].importance.fraction");
  BOOST_TEST(error_field("- {name: a, importance: {group: 0}}") == "schemes[0].importance.group");
  BOOST_TEST(error_field("- {name: a, decode: ref, reference: {per_level: 0}}") ==
             "schemes[0].reference.per_level");
  BOOST_TEST(error_field("- {name: a, digital: {format: int1}}") == "schemes[0].digital.format");
  BOOST_TEST(error_field("- {name: a, digital: {format: bf16}}") == "schemes[0].digital.format");
  BOOST_TEST(error_field("- {name: a, digital: {format: int8, ecc: ldpc}}") ==
             "schemes[0].digital.ecc");
}

BOOST_AUTO_TEST_CASE(wrong_types_names_and_malformed_yaml) {
  BOOST_TEST(error_field("- {name: a, levels: many}") == "schemes[0].levels");
  BOOST_TEST(error_field("- {name: a, combine: vote}") == "schemes[0].combine");
  BOOST_TEST(error_field("- {name: a, decode: magic}") == "schemes[0].decode");
  BOOST_TEST(error_field("- {name: a, mapping: {companding: log}}") ==
             "schemes[0].mapping.companding");
  BOOST_TEST(error_field("- {levels: 4}") == "schemes[0].name");
  BOOST_TEST(error_field("- {name: a}\n- {name: a}") == "schemes[1].name");
  BOOST_TEST(error_field("- [1, 2]") == "schemes[0]");
  BOOST_TEST(error_field("name: a") == "name");
  BOOST_TEST(error_field("- {name: a, levels: [") == "line 1");
}

BOOST_AUTO_TEST_CASE(missing_file_is_an_error) {
  try {
    load_schemes("/nonexistent/schemes.yaml");
    BOOST_FAIL("no throw");
  } catch (const anvil::Error& e) {
    BOOST_TEST(e.file() == "/nonexistent/schemes.yaml");
  }
}

BOOST_AUTO_TEST_CASE(protected_class_overrides) {
  const auto s = parse_schemes_text(
      "- {name: a, levels: 8, importance: {protect: {sign_cell: true, sign_replicas: 3, split: "
      "2}}}");
  const CodecShape& p = s[0].importance.protect;
  BOOST_TEST(p.sign_cell);
  BOOST_TEST(p.sign_replicas == 3u);
  BOOST_TEST(p.split == 2u);
  BOOST_TEST(p.levels == 8u);
  BOOST_TEST(!s[0].shape.sign_cell);
  BOOST_TEST(error_field("- {name: a, importance: {protect: {levels: 1024, split: 4}}}") ==
             "schemes[0].importance.protect.split");
}

BOOST_AUTO_TEST_CASE(json_echo) {
  const auto s = parse_schemes_text(
      "- {name: a, levels: 8, decode: ref, importance: {protect: {replicas: 2}}}\n"
      "- {name: b, digital: {format: int4, cell: mlc2}}");
  const auto a = to_json(s[0]);
  BOOST_TEST(a["levels"].get<uint32_t>() == 8u);
  BOOST_TEST(a["decode"].get<std::string>() == "ref");
  BOOST_TEST(a["reference"]["per_level"].get<uint32_t>() == 4u);
  BOOST_TEST(a["importance"]["protect"]["replicas"].get<uint32_t>() == 2u);
  // name, levels, decode, importance, importance.protect, importance.protect.replicas
  BOOST_TEST(a["set"].size() == 6u);
  const auto b = to_json(s[1]);
  BOOST_TEST(b["digital"]["format"].get<std::string>() == "int4");
  BOOST_TEST(b["digital"]["cell"].get<std::string>() == "mlc2");
}

BOOST_AUTO_TEST_CASE(per_tensor_sparse_metadata_keys) {
  const auto s = parse_schemes_text(
                     "- {name: d, levels: 8, decode: ml, metadata: {cell: mlc2}, "
                     "sparse: {format: relative, index_bits: 3}, "
                     "per_tensor: {fc1.weight: {levels: 4, split: 2}, fc2.weight: {sparse: "
                     "{format: bitmap}}}}")
                     .at(0);
  BOOST_TEST((s.metadata_cell == DigitalCell::kMlc2));
  BOOST_TEST(s.per_tensor.size() == 2u);
  const SchemeSpec& f1 = s.for_tensor("fc1.weight");
  BOOST_TEST(f1.shape.levels == 4u);
  BOOST_TEST(f1.shape.split == 2u);
  BOOST_TEST((f1.sparse.format == SparseFormat::kRelative));  // inherited
  BOOST_TEST(f1.sparse.index_bits == 3u);
  BOOST_TEST((s.for_tensor("fc2.weight").sparse.format == SparseFormat::kBitmap));
  BOOST_TEST(s.for_tensor("fc2.weight").shape.levels == 8u);
  BOOST_TEST(&s.for_tensor("conv1.weight") == &s);
  // Bad input: one line naming the field.
  auto fails = [](const std::string& y, const std::string& field) {
    try {
      parse_schemes_text(y);
    } catch (const anvil::Error& e) {
      return std::string(e.what()).find(field) != std::string::npos;
    }
    return false;
  };
  BOOST_TEST(
      fails("- {name: d, per_tensor: {fc1.weight: {name: x}}}", "per_tensor.fc1.weight.name"));
  BOOST_TEST(
      fails("- {name: d, per_tensor: {fc1.weight: {levels: 1}}}", "per_tensor.fc1.weight.levels"));
  BOOST_TEST(fails("- {name: d, sparse: {format: csr}}", "sparse.format"));
  BOOST_TEST(fails("- {name: d, sparse: {format: relative, index_bits: 1}}", "sparse.index_bits"));
  BOOST_TEST(fails("- {name: d, metadata: {cell: tlc}}", "metadata.cell"));
  BOOST_TEST(fails("- {name: d, per_tensor: {}}", "per_tensor"));
}
