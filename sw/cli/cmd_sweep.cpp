// anvil sweep SWEEP.yaml --out DIR [--backend local|slurm] [--shard I/N] [--jobs N]
// anvil sweep status DIR | anvil sweep merge DIR
// Parses arguments only; the sweep itself is flow/sweep.hpp.
#include <cstdio>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "flow/sweep.hpp"

namespace anvil::cli {

namespace {

struct SweepArgs {
  std::string file, out, backend = "local", shard;
  int jobs = 0;
  bool retry_failed = false, quiet = false;
  flow::SlurmOptions slurm;
};

void run(const SweepArgs& a) {
  if (a.file.empty() || a.out.empty())
    throw Error("<args>", "sweep",
                "usage: anvil sweep SWEEP.yaml --out DIR (or: status DIR, merge DIR)");
  // The shard is checked before the sweep file is read: a bad spec fails fast.
  const flow::Shard shard = a.shard.empty() ? flow::Shard{} : flow::parse_shard(a.shard, a.file);
  const flow::SweepSpec spec = flow::load_sweep(a.file);
  if (a.backend == "slurm") {
    const std::string job = flow::submit_sweep(spec, a.out, a.slurm);
    std::printf("submitted job %s: %zu points; anvil sweep status %s; anvil sweep merge %s\n",
                job.c_str(), spec.points.size(), a.out.c_str(), a.out.c_str());
    return;
  }
  flow::SweepOptions opt;
  opt.out = a.out;
  opt.jobs = a.jobs;
  opt.shard = shard;
  opt.retry_failed = a.retry_failed;
  opt.quiet = a.quiet;
  const flow::SweepSummary s = flow::run_sweep(spec, opt);
  std::printf("%s", flow::describe(spec, s).c_str());
  require(s.failed == 0, a.file, "points",
          std::to_string(s.failed) + " of " + std::to_string(s.points) +
              " points failed (errors above and in anvil sweep status " + a.out + ")");
}

}  // namespace

void add_sweep(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "sweep", "Design-space sweep: a base experiment x axes, run locally or as a Slurm job array");
  auto a = std::make_shared<SweepArgs>();
  cmd->add_option("sweep", a->file, "sweep YAML (configs/sweeps/*.yaml)");
  cmd->add_option("--out", a->out, "sweep folder (points/, sweep.json, merged tables)");
  cmd->add_option("--backend", a->backend, "local (all cores) or slurm (sbatch job array)")
      ->check(CLI::IsMember({"local", "slurm"}));
  cmd->add_option("--shard", a->shard, "run only shard I of N (I/N, 0-based; array tasks)");
  cmd->add_option("--jobs", a->jobs, "points in parallel (default: cores / point threads)");
  cmd->add_flag("--retry-failed", a->retry_failed, "rerun points whose run failed");
  cmd->add_flag("--quiet", a->quiet, "no progress lines");
  cmd->add_option("--partition", a->slurm.partition, "slurm: partition");
  cmd->add_option("--time", a->slurm.time, "slurm: time limit per array task");
  cmd->add_option("--mem", a->slurm.mem, "slurm: memory per array task");
  cmd->add_option("--cpus-per-task", a->slurm.cpus_per_task, "slurm: CPUs per array task");
  cmd->add_option("--shards", a->slurm.shards, "slurm: array tasks (default 8)");
  cmd->add_flag("--wait", a->slurm.wait, "slurm: return when the array has left the queue");
  cmd->require_subcommand(0, 1);

  auto dir = std::make_shared<std::string>();
  auto* status = cmd->add_subcommand("status", "Done / failed / pending points and the Slurm job");
  status->add_option("dir", *dir, "sweep folder")->required();
  status->callback([dir] { std::printf("%s", flow::sweep_status(*dir).c_str()); });
  auto* merge = cmd->add_subcommand("merge", "results.csv/jsonl, pareto.csv and plots of a sweep");
  merge->add_option("dir", *dir, "sweep folder")->required();
  merge->callback([dir] {
    const auto m = flow::merge_sweep(*dir);
    std::printf(
        "merged %zu rows (%zu points done, %zu failed, %zu pending), %zu on the fronts: "
        "%s/results.csv, results.jsonl, pareto.csv, pareto.png, effects.png\n",
        m.rows, m.done, m.failed, m.pending, m.front, dir->c_str());
  });
  cmd->callback([cmd, a] {
    if (cmd->get_subcommands().empty()) run(*a);
  });
}

}  // namespace anvil::cli
