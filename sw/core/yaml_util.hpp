// Strict YAML access: unknown keys are errors, every value is type- and range-checked, and
// each error names the file and the dotted path of the field.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/enum_names.hpp"
#include "core/error.hpp"

namespace anvil::core {

// Loads a YAML file; syntax errors and missing files become anvil::Error.
YAML::Node load_yaml_file(const std::string& file);

// Runs a strict parse of `file`; a YAML::Exception escaping it (a node of the wrong kind that
// no field check expected, e.g. a sequence used as a map key or a map where text belongs)
// becomes one anvil::Error naming the file and the node's line (found by the fuzzers).
template <class F>
auto yaml_guard(const std::string& file, F&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const YAML::Exception& e) {
    throw Error(file, e.mark.is_null() ? "" : "line " + std::to_string(e.mark.line + 1),
                "unexpected YAML node: " + e.msg);
  } catch (const std::filesystem::filesystem_error& e) {  // a path named in the file
    throw Error(file, e.path1().string(), std::string("cannot access: ") + e.code().message());
  }
}

// The document as JSON: scalars that parse fully as numbers become numbers, true/false
// booleans, the rest strings; maps keep their keys (sorted by JSON's object order).
nlohmann::json yaml_to_json(const YAML::Node& n);

inline std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// How a YamlMap reads (outside the class so that it can be a default argument there).
struct YamlMapOptions {
  bool null_is_unset = false;               // `key:` with no value reads as absent
  std::set<std::string>* record = nullptr;  // gets the dotted key of every value read
};

// The one strict reader of a YAML map (device, scheme, codec, experiment, sweep, tech files):
// the node at dotted `path` of `file` must be a map whose keys are all in `allowed`, and every
// read checks the value's type (and range) and names file, dotted field and line on error.
class YamlMap {
 public:
  using Options = YamlMapOptions;

  YamlMap(YAML::Node node, std::string file, std::string path,
          const std::vector<std::string>& allowed, Options opt = {});
  // No map or key check: the reads of get_or and get_required.
  static YamlMap unchecked(YAML::Node node, std::string file, std::string path);

  const std::string& file() const { return file_; }
  std::string field(const std::string& key) const { return join_path(path_, key); }
  bool has(const std::string& key) const {
    const YAML::Node n = node_[key];
    return n.IsDefined() && !(opt_.null_is_unset && n.IsNull());
  }
  YAML::Node node(const std::string& key) const { return node_[key]; }
  // Records `key` as set (Options::record); every read of a present key does.
  void mark(const std::string& key) const;
  // Throws naming `key`'s field and line unless `ok` (a check on a value already read).
  void check(bool ok, const std::string& key, const std::string& rule) const;

  // The value as T ("must be a number", "an integer", "a string", "true or false", "a list").
  template <class T>
  T get(const std::string& key, const T& fallback) const {
    return has(key) ? convert<T>(read(key), file_, field(key)) : fallback;
  }
  template <class T>
  T required(const std::string& key, const std::string& hint = "") const {
    require(has(key), file_, field(key), "is required" + hint);
    return convert<T>(read(key), file_, field(key));
  }
  // A finite number; the second form also checks lo <= value <= hi, else throws `rule`.
  double number(const std::string& key, double fallback) const;
  double number(const std::string& key, double fallback, double lo, double hi,
                const std::string& rule) const;
  // A number or a non-empty list of numbers.
  std::vector<double> numbers(const std::string& key, std::vector<double> fallback) const;
  // `list`, a node inside this map named `field` (a row of a matrix), as a non-empty list of
  // finite numbers.
  std::vector<double> number_list(const YAML::Node& list, const std::string& field) const;
  // An integer (12, 0xc, 12.0 or 1.2e1; not 014, octal to yaml-cpp) in [lo, hi]; a list of them.
  template <class T>
  T integer(const std::string& key, T fallback, std::type_identity_t<T> lo,
            std::type_identity_t<T> hi) const {
    return has(key) ? static_cast<T>(integral(read(key), field(key), lo, hi)) : fallback;
  }
  template <class T>
  std::vector<T> integers(const std::string& key, std::type_identity_t<T> lo,
                          std::type_identity_t<T> hi) const {
    std::vector<T> out;
    for (const double v : integral_list(key, static_cast<double>(lo), static_cast<double>(hi)))
      out.push_back(static_cast<T>(v));
    return out;
  }
  // A string out of `options`, or the enum a names table gives it.
  std::string choice(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& options) const;
  template <class E, size_t N>
  E choice(const std::string& key, E fallback, const std::array<EnumName<E>, N>& names) const {
    return has(key) ? parse_enum(names, get<std::string>(key, ""), file_, field(key)) : fallback;
  }
  // The map at `key` (an empty one when absent), with the same options.
  YamlMap sub(const std::string& key, const std::vector<std::string>& allowed) const;

  // " (line N)" for a node from a file, else "".
  static std::string where(const YAML::Node& n);
  template <class T>
  static T convert(const YAML::Node& n, const std::string& file, const std::string& field) {
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      if constexpr (std::is_same_v<T, bool>)
        fail(n, file, field, "true or false");
      else if constexpr (std::is_integral_v<T>)
        fail(n, file, field, "an integer");
      else if constexpr (std::is_floating_point_v<T>)
        fail(n, file, field, "a number");
      else if constexpr (std::is_same_v<T, std::string>)
        fail(n, file, field, "a string");
      else
        fail(n, file, field, "a list");
    }
  }
  [[noreturn]] static void fail(const YAML::Node& n, const std::string& file,
                                const std::string& field, const std::string& kind);

 private:
  YamlMap(YAML::Node node, std::string file, std::string path, Options opt);
  YAML::Node read(const std::string& key) const;
  double scalar(const YAML::Node& n, const std::string& f) const;
  double integral(const YAML::Node& n, const std::string& f, double lo, double hi) const;
  std::vector<double> integral_list(const std::string& key, double lo, double hi) const;

  YAML::Node node_;
  std::string file_, path_;
  Options opt_;
  std::string record_path_;  // the dotted key of this map in the recorded set
};

// Throws when `node` (a map at `path`; absent is fine) has a key outside `allowed`.
inline void check_keys(const YAML::Node& node, std::initializer_list<std::string_view> allowed,
                       const std::string& file, const std::string& path) {
  if (node)
    (void)YamlMap(node, file, path, std::vector<std::string>(allowed.begin(), allowed.end()));
}

// node[key] as T, or `fallback` when absent. Type errors name file and field.
template <class T>
T get_or(const YAML::Node& node, const std::string& key, const T& fallback, const std::string& file,
         const std::string& path) {
  return YamlMap::unchecked(node, file, path).get<T>(key, fallback);
}

template <class T>
T get_required(const YAML::Node& node, const std::string& key, const std::string& file,
               const std::string& path) {
  return YamlMap::unchecked(node, file, path).required<T>(key);
}

}  // namespace anvil::core
