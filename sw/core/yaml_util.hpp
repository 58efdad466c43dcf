// Strict YAML access: unknown keys are errors, every value is type- and range-checked, and
// each error names the file and the dotted path of the field.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

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

// Throws when `node` (a map at `path`) has a key outside `allowed`.
void check_keys(const YAML::Node& node, std::initializer_list<std::string_view> allowed,
                const std::string& file, const std::string& path);

// The document as JSON: scalars that parse fully as numbers become numbers, true/false
// booleans, the rest strings; maps keep their keys (sorted by JSON's object order).
nlohmann::json yaml_to_json(const YAML::Node& n);

inline std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// node[key] as T, or `fallback` when absent. Type errors name file and field.
template <class T>
T get_or(const YAML::Node& node, const std::string& key, const T& fallback, const std::string& file,
         const std::string& path) {
  const YAML::Node v = node[key];
  if (!v) return fallback;
  try {
    return v.as<T>();
  } catch (const YAML::Exception&) {
    throw Error(file, join_path(path, key), "has the wrong type");
  }
}

template <class T>
T get_required(const YAML::Node& node, const std::string& key, const std::string& file,
               const std::string& path) {
  if (!node[key]) throw Error(file, join_path(path, key), "is required");
  return get_or<T>(node, key, T{}, file, path);
}

}  // namespace anvil::core
