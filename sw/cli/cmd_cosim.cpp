// anvil cosim: the experiment of `anvil run`, stored and read through the co-simulation
// (Verilated weight_encoder/weight_decoder + SystemC pcm_array) instead of the functional
// model; flow::run_cosim evaluates, this command injects the co-simulation backend.
#include <memory>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "flow/cosim_run.hpp"
#include "systemc/cosim.hpp"
#include "systemc/cosim_backend.hpp"

namespace anvil::cli {

void add_cosim(CLI::App& app) {
  auto a = std::make_shared<flow::CosimRunOptions>();
  auto* cmd = app.add_subcommand("cosim",
                                 "Run an experiment through the SystemC + Verilator co-simulation");
  cmd->add_option("experiment", a->config, "experiment YAML (configs/*.yaml)")->required();
  cmd->add_option("--out", a->out, "report folder");
  cmd->add_option("--scheme", a->scheme, "only this scheme (default: every co-simulable one)");
  cmd->add_option("--trials", a->trials, "Monte Carlo trials (default 1)");
  cmd->add_option("--threads", a->threads, "threads of the functional reference and inference");
  cmd->add_option(cosim::kTraceFlag, a->trace,
                  std::string("waveform file (") + cosim::cosim_trace_format() +
                      "), written for the first scheme's first trial");
  cmd->callback([a] {
    if (!cosim::cosim_available()) throw Error("", "cosim", "this build has no Verilated RTL");
    cosim::CosimBackend backend(a->out / ".cosim.bin");
    flow::run_cosim(*a, backend);
  });
}

}  // namespace anvil::cli
