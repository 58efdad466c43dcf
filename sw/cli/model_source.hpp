// How the CLI names a network: a path to an ONNX file, or the name of a built-in reference
// network (lenet300, lenet5, resnet; freshly initialised from a seed, i.e. untrained).
#pragma once

#include <cstdint>
#include <string>

#include "nn/models.hpp"
#include "nn/network.hpp"

namespace anvil::cli {

struct ModelSource {
  nn::Network net;
  std::string description;  // "models/networks/lenet5.onnx (ONNX)" or "built-in lenet5 ..."
};

// `spec` ending in ".onnx" or naming an existing file is loaded with nn::load_onnx; a
// built-in name is built for input shape `in`. Throws anvil::Error otherwise.
ModelSource load_model(const std::string& spec, const nn::InputShape& in, uint64_t seed = 1);

}  // namespace anvil::cli
