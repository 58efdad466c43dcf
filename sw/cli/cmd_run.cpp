#include <cstdio>

#include "cli/commands.hpp"
#include "flow/experiment.hpp"

namespace anvil::cli {

void add_run(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "run", "Run an experiment: network x data set x channel x storage schemes (Monte Carlo)");
  struct Args {
    std::string config, out = "out/run";
    int threads = 0;
    uint32_t trials = 0;
    int64_t seed = -1;
    bool quiet = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("experiment", a->config, "experiment YAML (configs/*.yaml)")->required();
  cmd->add_option("--out", a->out, "report folder (report.json, results.csv, table.md, plots)");
  cmd->add_option("--threads", a->threads, "worker threads (default: the experiment's)");
  cmd->add_option("--trials", a->trials, "Monte Carlo trials (default: the experiment's)");
  cmd->add_option("--seed", a->seed, "seed (default: the experiment's)");
  cmd->add_flag("--quiet", a->quiet, "no progress lines");
  cmd->callback([a] {
    const auto cfg = flow::load_experiment(a->config);
    flow::RunOptions opt;
    opt.out = a->out;
    if (a->threads > 0) opt.threads = a->threads;
    if (a->trials > 0) opt.trials = a->trials;
    if (a->seed >= 0) opt.seed = static_cast<uint64_t>(a->seed);
    opt.quiet = a->quiet;
    const auto rep = flow::run_experiment(cfg, opt);
    std::printf("%s", flow::to_table(rep).c_str());
    std::printf("seed %llu; report: %s/report.json, %s/results.csv, %s/accuracy.png\n",
                static_cast<unsigned long long>(rep.header["seed"].get<uint64_t>()), a->out.c_str(),
                a->out.c_str(), a->out.c_str());
  });
}

}  // namespace anvil::cli
