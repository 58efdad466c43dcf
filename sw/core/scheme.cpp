#include "core/scheme.hpp"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <utility>

#include "core/enum_names.hpp"
#include "core/error.hpp"
#include "core/yaml_util.hpp"

namespace anvil::core {

namespace {

// Names of the scheme enums (used only here, by to_string and the parser).
constexpr std::array<EnumName<ImportanceMetric>, 3> kImportanceMetricNames{
    {{ImportanceMetric::kMax, "magnitude"},
     {ImportanceMetric::kMean, "mean"},
     {ImportanceMetric::kScore, "score"}}};
constexpr std::array<EnumName<DigitalCell>, 2> kDigitalCellNames{
    {{DigitalCell::kSlc, "slc"}, {DigitalCell::kMlc2, "mlc2"}}};
constexpr std::array<EnumName<Ecc>, 4> kEccNames{
    {{Ecc::kNone, "none"}, {Ecc::kSecded, "secded"}, {Ecc::kBch, "bch"}, {Ecc::kAuto, "auto"}}};
constexpr std::array<EnumName<SparseFormat>, 3> kSparseFormatNames{
    {{SparseFormat::kNone, "none"},
     {SparseFormat::kBitmap, "bitmap"},
     {SparseFormat::kRelative, "relative"}}};
static_assert(complete_names(kImportanceMetricNames, ImportanceMetric::kScore));
static_assert(complete_names(kDigitalCellNames, DigitalCell::kMlc2));
static_assert(complete_names(kEccNames, Ecc::kAuto));
static_assert(complete_names(kSparseFormatNames, SparseFormat::kRelative));

}  // namespace

const char* to_string(ImportanceMetric m) {
  return name_of(kImportanceMetricNames, m);
}

const char* to_string(SparseFormat f) {
  return name_of(kSparseFormatNames, f);
}

const SchemeSpec& SchemeSpec::for_tensor(const std::string& name) const {
  for (const TensorScheme& t : per_tensor)
    if (t.tensor == name) return t.scheme;
  return *this;
}

const char* to_string(DigitalCell c) {
  return name_of(kDigitalCellNames, c);
}

const char* to_string(Ecc e) {
  return name_of(kEccNames, e);
}

namespace {

constexpr uint32_t kMaxLevels = 1u << 16, kMaxCount = 1024;

void parse_mapping(const YamlMap& m, MappingSpec& s) {
  s.granularity = m.choice("granularity", s.granularity, kGranularityNames);
  s.clip_quantile = m.number("clip_quantile", s.clip_quantile);
  m.check(s.clip_quantile > 0.0 && s.clip_quantile <= 1.0, "clip_quantile", "must be in (0, 1]");
  s.companding = m.choice("companding", s.companding, kCompandingNames);
  s.mu = m.number("mu", s.mu);
  m.check(s.mu > 0.0, "mu", "must be > 0");
  s.lloyd_iters = m.integer("lloyd_iters", s.lloyd_iters, 1, 10000);
}

void parse_digital(const YamlMap& m, DigitalSpec& d) {
  const auto fmt = m.required<std::string>("format", " (fp32 or int<N>)");
  if (fmt == "fp32") {
    d.fp32 = true;
    d.bits = 32;
  } else if (fmt.size() > 3 && fmt.compare(0, 3, "int") == 0 &&
             fmt.find_first_not_of("0123456789", 3) == std::string::npos && fmt.size() <= 5) {
    d.fp32 = false;
    d.bits = static_cast<uint32_t>(std::stoul(fmt.substr(3)));
    require(d.bits >= 2 && d.bits <= 16, m.file(), m.field("format"),
            "int<N> needs N in [2, 16] (got " + fmt + ")");
  } else {
    throw Error(m.file(), m.field("format"), "must be fp32 or int<N> (got '" + fmt + "')");
  }
  d.cell = m.choice("cell", d.cell, kDigitalCellNames);
  d.ecc = m.choice("ecc", d.ecc, kEccNames);
  d.failure = m.number("failure", d.failure);
  m.check(d.failure > 0.0 && d.failure < 1.0, "failure", "must be in (0, 1)");
}

void parse_sparse_metadata(const YamlMap& m, SchemeSpec& s) {
  if (m.has("sparse")) {
    const YamlMap sp = m.sub("sparse", {"format", "index_bits"});
    s.sparse.format = sp.choice("format", s.sparse.format, kSparseFormatNames);
    s.sparse.index_bits = sp.integer("index_bits", s.sparse.index_bits, 2, 16);
  }
  if (m.has("metadata"))
    s.metadata_cell =
        m.sub("metadata", {"cell"}).choice("cell", s.metadata_cell, kDigitalCellNames);
}

void parse_shape_overrides(const YamlMap& m, CodecShape& s) {
  s.levels = m.integer("levels", s.levels, 2, kMaxLevels);
  s.split = m.integer("split", s.split, 1, 30);
  s.replicas = m.integer("replicas", s.replicas, 1, kMaxCount);
  s.sign_cell = m.get<bool>("sign_cell", s.sign_cell);
  s.sign_replicas = m.integer("sign_replicas", s.sign_replicas, 1, kMaxCount);
  s.combine = m.choice("combine", s.combine, kCombineNames);
}

}  // namespace

namespace {

// The analog keys a per_tensor override may set (everything but name and per_tensor).
constexpr std::array<const char*, 13> kAnalogKeys = {
    "levels",    "split",       "replicas", "combine",    "sign",   "levels_from", "decode",
    "reference", "calibration", "mapping",  "importance", "sparse", "metadata"};

SchemeSpec parse_scheme_node(const YAML::Node& node, const std::string& file,
                             const std::string& where, bool override_only);

// per_tensor: {TENSOR: {keys}}: each override is the parent's YAML with its keys replaced.
void parse_per_tensor(const YAML::Node& parent, const YamlMap& m, SchemeSpec& s) {
  const YAML::Node pt = m.node("per_tensor");
  require(pt.IsMap() && pt.size() > 0, m.file(), m.field("per_tensor"),
          "must be a non-empty map of tensor name -> scheme keys");
  for (const auto& kv : pt) {
    const std::string tensor = kv.first.as<std::string>();
    const std::string where = m.field("per_tensor") + "." + tensor;
    require(kv.second.IsMap(), m.file(), where, "must be a map of scheme keys");
    // Validate the override's own keys first, so errors name them.
    (void)parse_scheme_node(kv.second, m.file(), where, true);
    YAML::Node merged(YAML::NodeType::Map);
    for (const auto& p : parent) {
      const std::string k = p.first.as<std::string>();
      if (k != "per_tensor" && !kv.second[k]) merged[k] = p.second;
    }
    for (const auto& o : kv.second) merged[o.first.as<std::string>()] = o.second;
    SchemeSpec t = parse_scheme_node(merged, m.file(), where, false);
    t.name = s.name + "/" + tensor;
    for (const TensorScheme& prev : s.per_tensor)
      require(prev.tensor != tensor, m.file(), where, "tensor listed twice");
    s.per_tensor.push_back({tensor, std::move(t)});
  }
  m.mark("per_tensor");
}

}  // namespace

SchemeSpec parse_scheme(const YAML::Node& node, const std::string& file, const std::string& where) {
  return parse_scheme_node(node, file, where, false);
}

namespace {

SchemeSpec parse_scheme_node(const YAML::Node& node, const std::string& file,
                             const std::string& where, bool override_only) {
  SchemeSpec s;
  const bool digital = node.IsMap() && node["digital"];
  std::vector<std::string> keys(kAnalogKeys.begin(), kAnalogKeys.end());
  if (!override_only) keys.insert(keys.end(), {"name", "per_tensor"});
  if (digital) keys = {"name", "digital", "mapping", "sparse", "metadata"};
  const YamlMap m(node, file, where, keys, {.record = &s.set_keys});
  if (!override_only) s.name = m.get<std::string>("name", "");
  require(override_only || !s.name.empty(), file, m.field("name"),
          "is required and must not be empty");
  require(!(override_only && digital), file, where, "a per_tensor override cannot be digital");
  if (m.has("mapping"))
    parse_mapping(
        m.sub("mapping", {"granularity", "clip_quantile", "companding", "mu", "lloyd_iters"}),
        s.mapping);
  parse_sparse_metadata(m, s);
  if (digital) {
    s.is_digital = true;
    parse_digital(m.sub("digital", {"format", "cell", "ecc", "failure"}), s.digital);
    return s;
  }
  s.shape.levels = m.integer("levels", s.shape.levels, 2, kMaxLevels);
  s.shape.split = m.integer("split", s.shape.split, 1, 30);
  s.shape.replicas = m.integer("replicas", s.shape.replicas, 1, kMaxCount);
  s.shape.combine = m.choice("combine", s.shape.combine, kCombineNames);
  if (m.has("sign")) {
    const YamlMap sg = m.sub("sign", {"cell", "replicas"});
    s.shape.sign_cell = sg.get<bool>("cell", s.shape.sign_cell);
    s.shape.sign_replicas = sg.integer("replicas", s.shape.sign_replicas, 1, kMaxCount);
  }
  s.levels_from = m.choice("levels_from", s.levels_from, kLevelsFromNames);
  s.tables.decode = m.choice("decode", s.tables.decode, kDecodeModeNames);
  if (m.has("reference"))
    s.ref_per_level =
        m.sub("reference", {"per_level"}).integer("per_level", s.ref_per_level, 0, kMaxCount);
  if (s.tables.decode == DecodeMode::kRef && !s.set_keys.count("reference.per_level"))
    s.ref_per_level = 4;
  require(s.tables.decode != DecodeMode::kRef || s.ref_per_level >= 1, file,
          m.field("reference.per_level"), "must be >= 1 with decode: ref");
  if (m.has("calibration")) {
    const YamlMap c = m.sub("calibration", {"draws", "seed"});
    s.tables.draws = c.integer("draws", s.tables.draws, 1, 10000000);
    s.tables.seed =
        static_cast<uint64_t>(c.get<int64_t>("seed", static_cast<int64_t>(s.tables.seed)));
  }
  s.importance.protect = s.shape;
  if (m.has("importance")) {
    const YamlMap im = m.sub("importance", {"metric", "fraction", "group", "protect"});
    ImportanceSpec& I = s.importance;
    I.enabled = true;
    // "max" is accepted as another spelling of "magnitude".
    if (im.has("metric")) {
      const auto str = im.get<std::string>("metric", "");
      I.metric = parse_enum(kImportanceMetricNames, str == "max" ? "magnitude" : str, file,
                            im.field("metric"));
    }
    I.fraction = im.number("fraction", I.fraction, 0.0, 1.0, "must be in [0, 1]");
    I.group = im.integer("group", I.group, 1, 1u << 24);
    if (im.has("protect"))
      parse_shape_overrides(im.sub("protect", {"levels", "split", "replicas", "sign_cell",
                                               "sign_replicas", "combine"}),
                            I.protect);
    if (!I.protect.sign_cell) I.protect.sign_replicas = 1;
    require(std::pow(double(I.protect.levels), double(I.protect.split)) <= double(1u << 30), file,
            im.field("protect.split"), "levels^split must fit a 31-bit weight code");
  }
  require(s.shape.split <= 30 &&
              std::pow(double(s.shape.levels), double(s.shape.split)) <= double(1u << 30),
          file, m.field("split"), "levels^split must fit a 31-bit weight code");
  if (m.has("per_tensor")) parse_per_tensor(node, m, s);
  return s;
}

}  // namespace

std::vector<SchemeSpec> parse_schemes(const YAML::Node& node, const std::string& file) {
  YAML::Node list = node;
  std::string prefix = "schemes";
  if (node.IsMap()) {
    for (const auto& kv : node)
      require(kv.first.as<std::string>() == "schemes", file, kv.first.as<std::string>(),
              "unknown key (allowed: schemes)");
    list = node["schemes"];
  }
  require(list && list.IsSequence(), file, prefix, "must be a list of schemes");
  std::vector<SchemeSpec> out;
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = prefix + "[" + std::to_string(i) + "]";
    out.push_back(parse_scheme(list[i], file, where));
    require(names.insert(out.back().name).second, file, where + ".name",
            "duplicate scheme name '" + out.back().name + "'");
  }
  return out;
}

std::vector<SchemeSpec> load_schemes(const std::string& path) {
  YAML::Node n;
  try {
    n = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw Error(path, "", "cannot open file");
  } catch (const YAML::Exception& e) {
    throw Error(path, "line " + std::to_string(e.mark.line + 1), "malformed YAML: " + e.msg);
  }
  return yaml_guard(path, [&] { return parse_schemes(n, path); });
}

std::vector<SchemeSpec> parse_schemes_text(const std::string& text, const std::string& file) {
  YAML::Node n;
  try {
    n = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(file, "line " + std::to_string(e.mark.line + 1), "malformed YAML: " + e.msg);
  }
  return yaml_guard(file, [&] { return parse_schemes(n, file); });
}

nlohmann::json to_json(const SchemeSpec& s) {
  nlohmann::json j;
  j["name"] = s.name;
  j["mapping"] = {{"granularity", to_string(s.mapping.granularity)},
                  {"clip_quantile", s.mapping.clip_quantile},
                  {"companding", to_string(s.mapping.companding)}};
  if (s.mapping.companding == Companding::kMulaw) j["mapping"]["mu"] = s.mapping.mu;
  if (s.is_digital) {
    j["digital"] = {
        {"format", s.digital.fp32 ? std::string("fp32") : "int" + std::to_string(s.digital.bits)},
        {"cell", to_string(s.digital.cell)},
        {"ecc", to_string(s.digital.ecc)},
        {"failure", s.digital.failure}};
  } else {
    auto shape = [](const CodecShape& c) {
      return nlohmann::json{{"levels", c.levels},
                            {"split", c.split},
                            {"replicas", c.replicas},
                            {"combine", to_string(c.combine)},
                            {"sign", {{"cell", c.sign_cell}, {"replicas", c.sign_replicas}}}};
    };
    j.update(shape(s.shape));
    j["levels_from"] = to_string(s.levels_from);
    j["decode"] = to_string(s.tables.decode);
    j["calibration"] = {{"draws", s.tables.draws}, {"seed", s.tables.seed}};
    if (s.tables.decode == DecodeMode::kRef) j["reference"] = {{"per_level", s.ref_per_level}};
    if (!s.per_tensor.empty()) {
      nlohmann::json pt = nlohmann::json::object();
      for (const TensorScheme& t : s.per_tensor) {
        nlohmann::json o = to_json(t.scheme);
        o.erase("name");
        pt[t.tensor] = o;
      }
      j["per_tensor"] = pt;
    }
    if (s.importance.enabled) {
      const ImportanceSpec& I = s.importance;
      nlohmann::json p = shape(I.protect);
      j["importance"] = {{"metric", to_string(I.metric)},
                         {"fraction", I.fraction},
                         {"group", I.group},
                         {"protect", p}};
    }
  }
  if (s.sparse.enabled())
    j["sparse"] = {{"format", to_string(s.sparse.format)}, {"index_bits", s.sparse.index_bits}};
  j["metadata"] = {{"cell", to_string(s.metadata_cell)}};
  j["set"] = s.set_keys;
  return j;
}

}  // namespace anvil::core
