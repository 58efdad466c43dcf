// Technology files (models/tech/*.yaml): the numbers the cost estimators use, each with its
// unit and its source. Strict reader: every file is
//
//   tech:
//     kind: pcm_cell            # pcm_cell | sram_cell | adc | logic | scaling | read_path
//     name: nvsim-sample-pcram
//     values:
//       area: {value: 9, unit: F2, source: "NVSim sample_PCRAM.cell, -CellArea (F^2)"}
//
// and each kind has a fixed list of fields with one unit each (tech_fields()). A missing or
// empty source, a negative or non-finite value, an unknown key or field, a missing field and a
// unit other than the field's are anvil::Error naming the file, the field and the rule.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace anvil::core {

struct TechQuantity {
  double value = 0.0;
  std::string unit;
  std::string source;
};

struct TechField {
  std::string_view name;
  std::string_view unit;
};

struct TechFile {
  std::string file;
  std::string kind;
  std::string name;
  std::map<std::string, TechQuantity, std::less<>> values;
  // The value of `field` (throws anvil::Error if the kind has no such field).
  double at(std::string_view field) const;
};

// Every field of `kind`, with its unit (all are required). Throws on an unknown kind.
const std::vector<TechField>& tech_fields(const std::string& kind);

// Reads and checks a technology file; `kind` (if not empty) is the kind the caller needs.
TechFile load_tech(const std::string& file, const std::string& kind = {});
// The same from YAML text (tests).
TechFile parse_tech_text(const std::string& text, const std::string& file,
                         const std::string& kind = {});

}  // namespace anvil::core
