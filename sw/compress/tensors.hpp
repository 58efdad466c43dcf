// Parameter lookup by name for the compression units (internal helpers).
#pragma once

#include <string>

#include "core/error.hpp"
#include "nn/network.hpp"

namespace anvil::compress {

inline nn::Param* find_param(nn::Network& net, const std::string& name) {
  for (auto& node : net.nodes())
    for (auto& p : node.params)
      if (p.name == name) return &p;
  return nullptr;
}

inline const nn::Param* find_param(const nn::Network& net, const std::string& name) {
  for (const auto& node : net.nodes())
    for (const auto& p : node.params)
      if (p.name == name) return &p;
  return nullptr;
}

// The named parameter; throws anvil::Error(where, name, "no such parameter") if absent.
inline nn::Param& param(nn::Network& net, const std::string& name, const std::string& where) {
  nn::Param* p = find_param(net, name);
  require(p != nullptr, where, name, "no such parameter in the network");
  return *p;
}

inline const nn::Param& param(const nn::Network& net, const std::string& name,
                              const std::string& where) {
  const nn::Param* p = find_param(net, name);
  require(p != nullptr, where, name, "no such parameter in the network");
  return *p;
}

}  // namespace anvil::compress
