// The RTL sources (rtl/*.sv), embedded verbatim at build time (cmake/anvil_embed_rtl.cmake),
// in dependency order: packages before the modules that use them.
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
