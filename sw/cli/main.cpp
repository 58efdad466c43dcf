// anvil: the one place that ties the flow, the SystemC co-simulation and the RTL export
// together. Errors become one line on stderr and a non-zero exit.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "core/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"anvil: compressed neural-network weights in noisy analog memory"};
  app.set_version_flag("--version", std::string("anvil ") + ANVIL_VERSION);
  app.require_subcommand(1);
  anvil::cli::add_version_info(app);
  anvil::cli::add_export_rtl(app);
  anvil::cli::add_channel(app);
  anvil::cli::add_run(app);
  anvil::cli::add_cosim(app);
  anvil::cli::add_optimize(app);
  anvil::cli::add_train(app);
  anvil::cli::add_info(app);
  anvil::cli::add_eval(app);
  anvil::cli::add_sweep(app);
  anvil::cli::add_cost(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const anvil::Error& e) {
    std::fprintf(stderr, "anvil: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "anvil: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
