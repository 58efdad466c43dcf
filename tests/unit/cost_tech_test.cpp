// Technology files (core/tech): the shipped files load, and every broken rule is one error
// naming the file, the field and the rule.
#define BOOST_TEST_MODULE cost_tech
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include "core/error.hpp"
#include "core/tech.hpp"

namespace {

const std::string kDir = std::string(ANVIL_SOURCE_DIR) + "/models/tech/";

const char* const kScaling = R"(tech:
  kind: scaling
  name: t
  values:
    area_exponent:   {value: 2, unit: "1", source: "Dennard 1974 Table I"}
    delay_exponent:  {value: 1, unit: "1", source: "Dennard 1974 Table I"}
    energy_exponent: {value: 1, unit: "1", source: "Dennard 1974 Table I"}
)";

// kScaling with `from` replaced by `to`.
std::string edit(const std::string& from, const std::string& to) {
  std::string s = kScaling;
  const auto at = s.find(from);
  BOOST_REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

// The error of parsing `text`: field and rule, or "" when it parses.
std::string error_of(const std::string& text, const std::string& kind = "scaling") {
  try {
    anvil::core::parse_tech_text(text, "t.yaml", kind);
  } catch (const anvil::Error& e) {
    BOOST_TEST(e.file() == "t.yaml");
    return e.field() + ": " + e.rule();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(shipped_files_load_with_sources) {
  for (const char* f : {"pcm_cell", "sram_cell", "adc", "logic", "scaling", "read_path"}) {
    const auto t = anvil::core::load_tech(kDir + f + ".yaml", f);
    BOOST_TEST(t.kind == f);
    BOOST_TEST(t.values.size() == anvil::core::tech_fields(f).size());
    for (const auto& [k, q] : t.values) BOOST_TEST(!q.source.empty(), f << "." << k);
  }
  const auto cell = anvil::core::load_tech(kDir + "pcm_cell.yaml", "pcm_cell");
  BOOST_TEST(cell.at("area") == 9.0);  // NVSim sample_PCRAM.cell
  BOOST_TEST(cell.at("reset_current") == 300.0);
}

BOOST_AUTO_TEST_CASE(valid_text_parses) {
  const auto t = anvil::core::parse_tech_text(kScaling, "t.yaml", "scaling");
  BOOST_TEST(t.at("area_exponent") == 2.0);
  BOOST_TEST(t.values.at("delay_exponent").source == "Dennard 1974 Table I");
}

BOOST_AUTO_TEST_CASE(missing_source_is_an_error) {
  BOOST_TEST(error_of(edit(R"(unit: "1", source: "Dennard 1974 Table I"}
    delay)",
                           R"(unit: "1"}
    delay)")) == "tech.values.area_exponent.source: is required");
  BOOST_TEST(error_of(edit(R"(source: "Dennard 1974 Table I"}
    delay)",
                           R"(source: ""}
    delay)")) == "tech.values.area_exponent.source: must not be empty");
}

BOOST_AUTO_TEST_CASE(negative_or_non_finite_value_is_an_error) {
  BOOST_TEST(error_of(edit("{value: 2,", "{value: -2,")) ==
             "tech.values.area_exponent.value: must be non-negative");
  BOOST_TEST(error_of(edit("{value: 2,", "{value: .nan,")) ==
             "tech.values.area_exponent.value: must be finite");
  BOOST_TEST(error_of(edit("{value: 2,", "{value: .inf,")) ==
             "tech.values.area_exponent.value: must be finite");
}

BOOST_AUTO_TEST_CASE(unknown_key_or_field_is_an_error) {
  BOOST_TEST(error_of(edit("{value: 2,", "{value: 2, note: x,"))
                 .rfind("tech.values.area_exponent.note: unknown key", 0) == 0);
  BOOST_TEST(
      error_of(edit("    delay_exponent:",
                    "    leakage: {value: 1, unit: \"1\", source: s}\n    delay_exponent:")) ==
      "tech.values.leakage: unknown field for kind 'scaling'");
  BOOST_TEST(error_of(edit("  name: t", "  name: t\n  comment: x"))
                 .rfind("tech.comment: unknown key", 0) == 0);
}

BOOST_AUTO_TEST_CASE(unit_mismatch_is_an_error) {
  BOOST_TEST(error_of(edit(R"({value: 2, unit: "1")", R"({value: 2, unit: "nm")")) ==
             "tech.values.area_exponent.unit: must be '1' (got 'nm')");
}

BOOST_AUTO_TEST_CASE(missing_field_and_wrong_kind_are_errors) {
  std::string s = kScaling;
  s.erase(s.find("    energy_exponent"));
  BOOST_TEST(error_of(s) == "tech.values.energy_exponent: is required");
  BOOST_TEST(error_of(kScaling, "adc") == "tech.kind: must be 'adc' here (got 'scaling')");
  BOOST_TEST(error_of(edit("kind: scaling", "kind: flux"), "") == "tech.kind: unknown kind 'flux'");
}

// The read path file (bit lines, bus, access device) is held to the same rules: its shipped
// values are NVSim's 90 nm numbers, and a wrong unit is one error naming the field.
BOOST_AUTO_TEST_CASE(read_path_file) {
  const auto t = anvil::core::load_tech(kDir + "read_path.yaml", "read_path");
  BOOST_TEST(t.at("wire_capacitance") == 0.2925);
  BOOST_TEST(t.at("cell_on_resistance") == 1000.0);
  BOOST_TEST(t.at("access_width") == 2.0);
  const auto slurp = [](const std::string& f) {
    std::ifstream in(f);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  std::string text = slurp(kDir + "read_path.yaml");
  const std::string from = "unit: fF/um, source: \"NVSim Wire.cpp";
  BOOST_REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), "unit: pF/um, source: \"NVSim Wire.cpp");
  const std::string e = error_of(text, "read_path");
  BOOST_TEST(e.rfind("tech.values.wire_capacitance.unit", 0) == 0, e);
  const std::string neg = "{value: 1000,    unit: ohm,";
  std::string t2 = slurp(kDir + "read_path.yaml");
  BOOST_REQUIRE(t2.find(neg) != std::string::npos);
  t2.replace(t2.find(neg), neg.size(), "{value: -1000,   unit: ohm,");
  BOOST_TEST(error_of(t2, "read_path").rfind("tech.values.cell_on_resistance", 0) == 0);
}
