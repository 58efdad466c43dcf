// The RTL sources (rtl/*.sv and the package headers rtl/*.svh they include), embedded verbatim
// at build time (cmake/anvil_embed_rtl.cmake), headers first.
#pragma once

#include <string_view>
#include <vector>

namespace anvil::flow {

struct EmbeddedFile {
  std::string_view name;     // file name, e.g. "weight_encoder.sv"
  std::string_view content;  // the file's bytes
};

const std::vector<EmbeddedFile>& rtl_sources();

}  // namespace anvil::flow
