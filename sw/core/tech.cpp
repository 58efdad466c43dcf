#include "core/tech.hpp"

#include <cmath>

#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "core/yaml_util.hpp"

namespace anvil::core {

const std::vector<TechField>& tech_fields(const std::string& kind) {
  static const std::map<std::string, std::vector<TechField>, std::less<>> kFields = {
      {"pcm_cell",
       {{"node", "nm"},
        {"area", "F2"},
        {"aspect_ratio", "1"},
        {"read_current", "uA"},
        {"read_energy", "pJ"},
        {"reset_current", "uA"},
        {"reset_pulse", "ns"},
        {"set_current", "uA"},
        {"set_pulse", "ns"},
        {"write_voltage", "V"}}},
      {"sram_cell", {{"area", "F2"}, {"aspect_ratio", "1"}}},
      {"adc",
       {{"node", "nm"},
        {"ref_bits", "bit"},
        {"ref_power", "mW"},
        {"ref_rate", "GSps"},
        {"ref_area", "um2"},
        {"energy_per_bit_factor", "1"},
        {"area_per_bit_factor", "1"}}},
      {"logic",
       {{"node", "nm"},
        {"nand2_area", "um2"},
        {"inv_area", "um2"},
        {"dff_area", "um2"},
        {"gate_energy", "fJ"},
        {"gate_delay", "ps"},
        {"drive_current", "uA/um"}}},
      {"scaling", {{"area_exponent", "1"}, {"delay_exponent", "1"}, {"energy_exponent", "1"}}},
      {"read_path",
       {{"node", "nm"},
        {"wire_capacitance", "fF/um"},
        {"wire_resistance", "ohm/um"},
        {"drain_capacitance", "fF/um"},
        {"supply_voltage", "V"},
        {"on_current", "uA/um"},
        {"resistance_factor", "1"},
        {"cell_on_resistance", "ohm"},
        {"access_width", "F"},
        {"sense_margin", "mV"}}},
  };
  const auto it = kFields.find(kind);
  if (it == kFields.end()) throw Error("<tech>", "tech.kind", "unknown kind '" + kind + "'");
  return it->second;
}

double TechFile::at(std::string_view field) const {
  const auto it = values.find(field);
  if (it == values.end()) throw Error(file, "tech.values." + std::string(field), "is required");
  return it->second.value;
}

namespace {

TechQuantity parse_quantity(const YAML::Node& q, const TechField& f, const std::string& file,
                            const std::string& where) {
  require(q.IsMap(), file, where, "must be a map {value, unit, source}");
  check_keys(q, {"value", "unit", "source"}, file, where);
  TechQuantity out;
  out.value = get_required<double>(q, "value", file, where);
  out.unit = get_required<std::string>(q, "unit", file, where);
  out.source = get_required<std::string>(q, "source", file, where);
  require(std::isfinite(out.value), file, where + ".value", "must be finite");
  require(out.value >= 0.0, file, where + ".value", "must be non-negative");
  require(out.unit == f.unit, file, where + ".unit",
          "must be '" + std::string(f.unit) + "' (got '" + out.unit + "')");
  require(!out.source.empty(), file, where + ".source", "must not be empty");
  return out;
}

TechFile parse_tech(const YAML::Node& root, const std::string& file, const std::string& kind) {
  require(root.IsMap(), file, "tech", "the document must be a map with key 'tech'");
  check_keys(root, {"tech"}, file, "");
  const YAML::Node t = root["tech"];
  require(t && t.IsMap(), file, "tech", "is required (a map)");
  check_keys(t, {"kind", "name", "values"}, file, "tech");
  TechFile out;
  out.file = file;
  out.kind = get_required<std::string>(t, "kind", file, "tech");
  out.name = get_or<std::string>(t, "name", "", file, "tech");
  if (!kind.empty())
    require(out.kind == kind, file, "tech.kind",
            "must be '" + kind + "' here (got '" + out.kind + "')");
  std::vector<TechField> fields;
  try {
    fields = tech_fields(out.kind);
  } catch (const Error& e) {
    throw Error(file, e.field(), e.rule());
  }
  const YAML::Node v = t["values"];
  require(v && v.IsMap(), file, "tech.values", "is required (a map)");
  for (const auto& kv : v) {
    const auto key = kv.first.as<std::string>();
    bool known = false;
    for (const auto& f : fields) known = known || f.name == key;
    require(known, file, "tech.values." + key, "unknown field for kind '" + out.kind + "'");
  }
  for (const auto& f : fields) {
    const std::string where = "tech.values." + std::string(f.name);
    require(static_cast<bool>(v[std::string(f.name)]), file, where, "is required");
    out.values[std::string(f.name)] = parse_quantity(v[std::string(f.name)], f, file, where);
  }
  return out;
}

}  // namespace

TechFile load_tech(const std::string& file, const std::string& kind) {
  return parse_tech(load_yaml_file(file), file, kind);
}

TechFile parse_tech_text(const std::string& text, const std::string& file,
                         const std::string& kind) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(file, "line " + std::to_string(e.mark.line + 1), "malformed YAML");
  }
  return parse_tech(root, file, kind);
}

}  // namespace anvil::core
