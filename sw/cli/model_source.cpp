#include "cli/model_source.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/error.hpp"
#include "nn/onnx_io.hpp"

namespace anvil::cli {

ModelSource load_model(const std::string& spec, const nn::InputShape& in, uint64_t seed) {
  const auto builtins = nn::network_names();
  const bool builtin = std::find(builtins.begin(), builtins.end(), spec) != builtins.end();
  std::error_code ec;
  if (!builtin || std::filesystem::is_regular_file(spec, ec)) {
    return {nn::load_onnx(spec), spec + " (ONNX)"};
  }
  return {nn::build_network(spec, in, seed),
          "built-in " + spec + " (untrained, seed " + std::to_string(seed) + ")"};
}

}  // namespace anvil::cli
