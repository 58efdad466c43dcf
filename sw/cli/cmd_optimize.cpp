// anvil optimize: the joint compression / cell-allocation optimizer (flow/optimize.hpp).
#include <cstdio>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "flow/optimize.hpp"

namespace anvil::cli {

void add_optimize(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "optimize",
      "Jointly choose compression and cell allocation per layer for an accuracy budget; "
      "compare with the decoupled digital storage of the same compressed network");
  struct Args {
    std::string config, out = "out/optimize";
    double budget = -1;
    bool budget_set = false;
    int threads = 0;
    int64_t seed = -1;
    bool quiet = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("experiment", a->config, "experiment YAML (network, data set, device)")
      ->required();
  cmd->add_option("--out", a->out, "output folder (report.json, results.csv, design.yaml, ...)");
  cmd->add_option("--budget", a->budget, "accuracy-drop budget in pp (default: the experiment's)");
  cmd->add_option("--threads", a->threads, "worker threads (default: the experiment's)");
  cmd->add_option("--seed", a->seed, "seed (default: the experiment's)");
  cmd->add_flag("--quiet", a->quiet, "no progress lines");
  cmd->callback([a, cmd] {
    const auto cfg = flow::load_experiment(a->config);
    const auto spec = flow::parse_optimize(cfg.optimize, cfg.file, cfg.accuracy_drop_pp);
    flow::OptimizeOptions opt;
    opt.out = a->out;
    if (cmd->count("--budget")) {
      require(a->budget >= 0 && a->budget <= 100, a->config, "--budget",
              "must be in [0, 100] percentage points");
      opt.budget_pp = a->budget;
    }
    if (a->threads > 0) opt.threads = a->threads;
    if (a->seed >= 0) opt.seed = static_cast<uint64_t>(a->seed);
    opt.quiet = a->quiet;
    const auto rep = flow::run_optimize(cfg, spec, opt);
    std::printf("%s", flow::optimize_table(rep).c_str());
    std::printf("seed %llu; report: %s/report.json, design: %s/design/design.yaml\n",
                static_cast<unsigned long long>(rep["seed"].get<uint64_t>()), a->out.c_str(),
                a->out.c_str());
  });
}

}  // namespace anvil::cli
