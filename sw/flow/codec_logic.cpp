#include "flow/codec_logic.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace fs = std::filesystem;

namespace anvil::flow {

namespace {

// Splits one CSV line; double quotes protect commas.
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (const char ch : line) {
    if (ch == '"') {
      quoted = !quoted;
    } else if (ch == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += ch;
    }
  }
  return out;
}

std::map<std::string, double> parse_params(const std::string& text) {
  std::map<std::string, double> p;
  std::istringstream in(text);
  std::string key;
  double value = 0.0;
  while (in >> key >> value) p[key] = value;
  return p;
}

double param(const SynthConfig& c, const char* key, double dflt) {
  const auto it = c.params.find(key);
  return it == c.params.end() ? dflt : it->second;
}

// Distance of a synthesized codec from the scheme's shape: the split and the combiner's kind
// weigh most (each changes the datapath: the ml combiner's tables are 7-8x the area of the
// largest arithmetic one), then the replicas (the combiner's width), the sign cell, levels
// (log2) and sign replicas. A one-replica decoder has no combiner to compare.
double distance(const SynthConfig& c, const core::CodecShape& s, bool decoder) {
  double d = 8.0 * std::abs(param(c, "Split", 1) - s.split);
  d += 3.0 * std::abs(param(c, "Replicas", 1) - s.replicas);
  d += 2.0 * std::abs(param(c, "SignCell", 0) - (s.sign_cell ? 1.0 : 0.0));
  d += std::abs(std::log2(param(c, "Levels", 16)) - std::log2(std::max<uint32_t>(s.levels, 2)));
  if (s.sign_cell) d += 0.25 * std::abs(param(c, "SignReplicas", 1) - s.sign_replicas);
  // The RTL's Combine parameter: 0 mean, 1 median, 2 ml (the combiners differ in kind).
  const double combine = s.combine == core::Combine::kMedian ? 1.0
                         : s.combine == core::Combine::kMl   ? 2.0
                                                             : 0.0;
  if (decoder && s.replicas > 1 && param(c, "Replicas", 1) > 1 && param(c, "Combine", 1) != combine)
    d += 8.0;
  return d;
}

const SynthConfig* nearest(const std::vector<SynthConfig>& synth, const std::string& top,
                           const core::CodecShape& s) {
  const SynthConfig* best = nullptr;
  double best_d = std::numeric_limits<double>::infinity();
  for (const auto& c : synth) {
    if (c.top != top) continue;
    const double d = distance(c, s, top == "weight_decoder");
    if (d < best_d) best = &c, best_d = d;
  }
  return best;
}

const SynthConfig* by_top(const std::vector<SynthConfig>& synth, const std::string& top) {
  for (const auto& c : synth)
    if (c.top == top) return &c;
  return nullptr;
}

}  // namespace

std::vector<SynthConfig> load_synth_report(const fs::path& csv) {
  std::vector<SynthConfig> out;
  std::ifstream in(csv);
  if (!in) return out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = split_csv(line);
    require(f.size() >= 6, csv.string(), "row '" + line + "'", "needs at least 6 columns");
    SynthConfig c;
    c.config = f[0];
    c.top = f[1];
    c.params = parse_params(f[2]);
    try {
      c.area_um2 = std::stod(f[5]);
    } catch (const std::exception&) {
      throw Error(csv.string(), "area_um2 of " + c.config, "must be a number");
    }
    out.push_back(std::move(c));
  }
  return out;
}

CodecLogic codec_logic(const core::SchemeSpec& s, const SchemeResult& row,
                       const std::vector<SynthConfig>& synth, double lib_to_node) {
  CodecLogic c;
  if (synth.empty()) {
    c.note = "no synthesis report: codec logic not counted";
    return c;
  }
  if (!s.is_digital) {
    if (const SynthConfig* e = nearest(synth, "weight_encoder", s.shape)) {
      c.encoder = e->config;
      c.area_lib_um2 += e->area_um2;
    }
    if (const SynthConfig* d = nearest(synth, "weight_decoder", s.shape)) {
      c.decoder = d->config;
      c.area_lib_um2 += d->area_um2;
    }
    if (s.shape.replicas > 1 && s.shape.combine == core::Combine::kMl)
      c.note =
          "ML combiner with its log-likelihood tables in flip-flops (an SRAM macro would be "
          "smaller)";
    if (s.importance.enabled) c.note = "protected-class codec not counted (base shape only)";
  }
  // SECDED(72,64) on SLC: the digital baseline's own code, or the metadata stream's.
  const std::string code =
      row.spec.is_object() ? row.spec.value("ecc", std::string{}) : std::string{};
  const bool secded = code.rfind("SECDED", 0) == 0 ||
                      (row.metadata_cells > 0 && s.metadata_cell == core::DigitalCell::kSlc);
  if (secded) {
    const SynthConfig* e = by_top(synth, "secded_72_64_enc");
    const SynthConfig* d = by_top(synth, "secded_72_64_dec");
    if (e && d) {
      c.ecc = e->config + "+" + d->config;
      c.area_lib_um2 += e->area_um2 + d->area_um2;
    }
  }
  if (code.rfind("BCH", 0) == 0) c.note = code + " logic not synthesized, not counted";
  c.area_um2 = c.area_lib_um2 * lib_to_node;
  return c;
}

nlohmann::json to_json(const CodecLogic& c) {
  return {{"encoder", c.encoder},           {"decoder", c.decoder},   {"ecc", c.ecc},
          {"area_lib_um2", c.area_lib_um2}, {"area_um2", c.area_um2}, {"note", c.note}};
}

}  // namespace anvil::flow
