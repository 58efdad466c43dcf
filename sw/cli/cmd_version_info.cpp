#include <cstdio>

#include "cli/commands.hpp"

namespace anvil::cli {

void add_version_info(CLI::App& app) {
  auto* cmd = app.add_subcommand("build-info", "Print the versions anvil was built with");
  cmd->callback([] { std::printf("anvil %s\nsource %s\n", ANVIL_VERSION, ANVIL_SOURCE_DIR); });
}

}  // namespace anvil::cli
