#include "core/yaml_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <ios>
#include <system_error>
#include <utility>

namespace anvil::core {

namespace {

std::string comma_list(const std::vector<std::string>& names) {
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
}

}  // namespace

YAML::Node load_yaml_file(const std::string& file) {
  // The error_code overload: a path the OS refuses (a component over NAME_MAX, found by
  // fuzz_experiment_yaml as a 300-byte device name) is an anvil error, not a filesystem_error.
  std::error_code ec;
  const auto st = std::filesystem::status(file, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    throw Error(file, "", "cannot access: " + ec.message());
  if (!std::filesystem::exists(st)) throw Error(file, "", "file not found");
  // A directory passes exists() and makes the stream throw std::ios_base::failure (fuzz_sweep_yaml:
  // a sweep whose base is ".").
  if (!std::filesystem::is_regular_file(st)) throw Error(file, "", "not a regular file");
  try {
    return YAML::LoadFile(file);
  } catch (const YAML::ParserException& e) {
    throw Error(file, "line " + std::to_string(e.mark.line + 1), "YAML syntax: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw Error(file, "", std::string("cannot read YAML: ") + e.what());
  } catch (const std::ios_base::failure& e) {
    throw Error(file, "", std::string("cannot read: ") + e.what());
  }
}

YamlMap::YamlMap(YAML::Node node, std::string file, std::string path, Options opt)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)), opt_(opt) {}

YamlMap YamlMap::unchecked(YAML::Node node, std::string file, std::string path) {
  return YamlMap(std::move(node), std::move(file), std::move(path), Options{});
}

YamlMap::YamlMap(YAML::Node node, std::string file, std::string path,
                 const std::vector<std::string>& allowed, Options opt)
    : YamlMap(std::move(node), std::move(file), std::move(path), opt) {
  require(node_.IsMap(), file_, path_.empty() ? "<top>" : path_,
          "must be a mapping" + where(node_));
  for (const auto& kv : node_) {
    const auto key = kv.first.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    throw Error(file_, field(key),
                "unknown key (allowed: " + comma_list(allowed) + ")" + where(kv.first));
  }
}

void YamlMap::mark(const std::string& key) const {
  if (opt_.record) opt_.record->insert(join_path(record_path_, key));
}

void YamlMap::check(bool ok, const std::string& key, const std::string& rule) const {
  require(ok, file_, field(key), rule + where(node_[key]));
}

YAML::Node YamlMap::read(const std::string& key) const {
  mark(key);
  return node_[key];
}

std::string YamlMap::where(const YAML::Node& n) {
  if (!n.IsDefined()) return "";
  const auto m = n.Mark();
  return m.line >= 0 ? " (line " + std::to_string(m.line + 1) + ")" : "";
}

void YamlMap::fail(const YAML::Node& n, const std::string& file, const std::string& field,
                   const std::string& kind) {
  const std::string got = n.IsScalar() ? " (got '" + n.Scalar() + "')" : "";
  throw Error(file, field, "must be " + kind + got + where(n));
}

double YamlMap::scalar(const YAML::Node& n, const std::string& f) const {
  double v = 0;
  if (!YAML::convert<double>::decode(n, v)) fail(n, file_, f, "a number");
  require(std::isfinite(v), file_, f, "must be finite" + where(n));
  return v;
}

double YamlMap::number(const std::string& key, double fallback) const {
  return has(key) ? scalar(read(key), field(key)) : fallback;
}

double YamlMap::number(const std::string& key, double fallback, double lo, double hi,
                       const std::string& rule) const {
  const double v = number(key, fallback);
  check(v >= lo && v <= hi, key, rule);
  return v;
}

std::vector<double> YamlMap::numbers(const std::string& key, std::vector<double> fallback) const {
  if (!has(key)) return fallback;
  const YAML::Node n = read(key);
  if (n.IsScalar()) return {scalar(n, field(key))};
  if (!n.IsSequence() || n.size() == 0)
    fail(n, file_, field(key), "a number or a non-empty list of numbers");
  return number_list(n, field(key));
}

std::vector<double> YamlMap::number_list(const YAML::Node& list, const std::string& f) const {
  if (!list.IsSequence() || list.size() == 0) fail(list, file_, f, "a non-empty list of numbers");
  std::vector<double> out;
  for (size_t i = 0; i < list.size(); ++i)
    out.push_back(scalar(list[i], f + "[" + std::to_string(i) + "]"));
  return out;
}

// An integer: 12 or 0xc as yaml-cpp reads integers, or a number of integral value (12.0,
// 1.2e1). 014 is refused: yaml-cpp reads it as octal 12, a number as 14.
double YamlMap::integral(const YAML::Node& n, const std::string& f, double lo, double hi) const {
  int64_t i = 0;
  double v = 0;
  const bool is_int = YAML::convert<int64_t>::decode(n, i);
  const bool is_num = YAML::convert<double>::decode(n, v);
  if (is_int && is_num && v != static_cast<double>(i))
    fail(n, file_, f, "an integer without a leading 0");
  if (is_int) v = static_cast<double>(i);
  if (!(is_int || is_num) || !std::isfinite(v) || v != std::floor(v))
    fail(n, file_, f, "an integer");
  require(v >= lo && v <= hi, file_, f,
          "must be in [" + std::to_string(int64_t(lo)) + ", " + std::to_string(int64_t(hi)) +
              "] (got " + n.Scalar() + ")" + where(n));
  return v;
}

std::vector<double> YamlMap::integral_list(const std::string& key, double lo, double hi) const {
  std::vector<double> out;
  if (!has(key)) return out;
  const YAML::Node n = read(key);
  if (!n.IsSequence()) fail(n, file_, field(key), "a list of integers");
  for (size_t i = 0; i < n.size(); ++i)
    out.push_back(integral(n[i], field(key) + "[" + std::to_string(i) + "]", lo, hi));
  return out;
}

std::string YamlMap::choice(const std::string& key, const std::string& fallback,
                            const std::vector<std::string>& options) const {
  if (!has(key)) return fallback;
  const auto v = get<std::string>(key, fallback);
  check(std::find(options.begin(), options.end(), v) != options.end(), key,
        "must be one of " + comma_list(options) + " (got '" + v + "')");
  return v;
}

YamlMap YamlMap::sub(const std::string& key, const std::vector<std::string>& allowed) const {
  const bool present = has(key);
  YamlMap m(present ? read(key) : YAML::Node(YAML::NodeType::Map), file_, field(key), allowed,
            opt_);
  m.record_path_ = join_path(record_path_, key);
  return m;
}

nlohmann::json yaml_to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& kv : n) j[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      return j;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& v : n) j.push_back(yaml_to_json(v));
      return j;
    }
    case YAML::NodeType::Scalar: {
      const std::string s = n.Scalar();
      try {
        size_t pos = 0;
        const double d = std::stod(s, &pos);
        if (pos == s.size()) return d;
      } catch (...) {
      }
      if (s == "true") return true;
      if (s == "false") return false;
      return s;
    }
    default:
      return nullptr;
  }
}

}  // namespace anvil::core
