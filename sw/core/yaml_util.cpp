#include "core/yaml_util.hpp"

#include <filesystem>
#include <ios>
#include <system_error>

namespace anvil::core {

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

void check_keys(const YAML::Node& node, std::initializer_list<std::string_view> allowed,
                const std::string& file, const std::string& path) {
  if (!node) return;
  if (!node.IsMap()) throw Error(file, path.empty() ? "<top>" : path, "must be a mapping");
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>();
    bool ok = false;
    for (auto a : allowed) ok = ok || key == a;
    if (!ok) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      throw Error(file, join_path(path, key), "unknown key (allowed: " + list + ")");
    }
  }
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
