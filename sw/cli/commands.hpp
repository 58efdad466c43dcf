// Each anvil subcommand lives in its own cmd_<name>.cpp and registers itself here.
// A subcommand exists only when it works.
#pragma once

#include <CLI/CLI.hpp>

namespace anvil::cli {

// Adds the subcommand to `app`; its callback runs the command and throws anvil::Error on
// bad input.
void add_version_info(CLI::App& app);
// anvil export-rtl (--codec <codec.yaml> | --experiment <exp.yaml> --scheme NAME) --out DIR
void add_export_rtl(CLI::App& app);
void add_channel(CLI::App& app);
void add_run(CLI::App& app);       // anvil run <experiment.yaml>
void add_cosim(CLI::App& app);     // anvil cosim <experiment.yaml>
void add_optimize(CLI::App& app);  // anvil optimize <experiment.yaml>
void add_train(CLI::App& app);
void add_info(CLI::App& app);
void add_eval(CLI::App& app);
void add_sweep(CLI::App& app);  // anvil sweep <sweep.yaml> | sweep status DIR | sweep merge DIR
void add_cost(CLI::App& app);   // anvil cost <experiment.yaml> | cost --array

}  // namespace anvil::cli
