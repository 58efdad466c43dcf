// Design-space sweeps: a base experiment and axes over dotted paths into it, expanded into
// points with content-addressed ids, run by the local backend (points in parallel) or as a
// Slurm job array of shards, resumable, and merged into one table with Pareto fronts.
//
//   sweep:
//     name: default-space
//     base: ../default.yaml         # the base experiment, relative to this file
//     mode: grid                    # grid | list | random | lhs
//     seed: 1                       # random / lhs: RandomStream(seed, sample)
//     samples: 50                   # random / lhs
//     schemes: [split2x4]           # optional: keep only these schemes of the base
//     front_within: [experiment.read_time_s]   # optional: axes that are conditions, not
//                                   # design choices: one Pareto front per value
//   set:                            # fixed values applied to every point
//     experiment.trials: 3
//   axes:                           # grid: lists; random / lhs: lists or {min, max, log, integer}
//     experiment.read_time_s: [1, 86400]
//     device.adc_bits: [4, 6, 8]    # the device map (a device file is inlined)
//     schemes.split2x4.levels: [2, 4]   # a scheme by name
//   points:                         # mode list: one map of path: value per point
//     - {device.adc_bits: 4, experiment.read_time_s: 1}
//   slurm: {partition: p, time: "01:00:00", mem: 4G, cpus_per_task: 2, shards: 4}
//
// A point's id is the hash of its resolved experiment (canonical JSON; thread count left
// out, results do not depend on it). DIR/points/<id>/ holds experiment.yaml, the run's
// report, result.json (written last, atomically) and runs.log (one line per start/finish).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

namespace anvil::flow {

struct SweepPoint {
  std::string id;
  std::vector<nlohmann::json> values;  // one per axis; null = the base's value (list mode)
  YAML::Node config;                   // the resolved experiment document, paths absolute
  int threads = 2;
};

struct SlurmOptions {
  std::string partition, time, mem;
  int cpus_per_task = 0;  // 0: the points' threads
  int shards = 0;         // 0: min(points, 8)
  bool wait = false;      // block until the array has left the queue
};

struct SweepSpec {
  std::string file;  // the sweep YAML
  std::string name, mode;
  std::filesystem::path base;
  uint64_t seed = 1;
  uint32_t samples = 0;
  std::vector<std::string> axes;          // dotted paths, table column order
  std::vector<std::string> front_within;  // condition axes: one front per combination
  std::vector<SweepPoint> points;
  size_t duplicates = 0;  // generated points equal to an earlier one (same id), dropped
  SlurmOptions slurm;
};

// Parses and expands a sweep file; every error names the sweep file and the field.
SweepSpec load_sweep(const std::filesystem::path& file);

struct Shard {
  uint32_t index = 0, count = 1;  // points i with i % count == index
};
// "I/N" with 0 <= I < N; errors name `file` and --shard.
Shard parse_shard(const std::string& text, const std::string& file);

struct SweepOptions {
  std::filesystem::path out;
  int jobs = 0;  // points in parallel; 0: cores / point threads
  Shard shard;
  bool retry_failed = false;  // rerun points whose run failed (default: keep their error)
  bool quiet = false;
};

struct SweepSummary {
  size_t points = 0;   // in this shard
  size_t skipped = 0;  // already done (or failed) before this run
  size_t ran = 0, failed = 0;
  int jobs = 1;
  double wall_s = 0;                // whole call
  double point_s = 0;               // sum of the points' own run times
  std::vector<std::string> errors;  // "<id>: <error line>"
};

// Runs the shard's points not yet done, in parallel, writing each point's result atomically.
SweepSummary run_sweep(const SweepSpec& spec, const SweepOptions& opt);
std::string describe(const SweepSpec& spec, const SweepSummary& s);

// Writes DIR/slurm/sweep.sbatch (one array task per shard, each `anvil sweep --shard I/N`),
// submits it with sbatch and records the job id in DIR/slurm/job_id. `flags` override the
// sweep file's slurm section field by field. Returns the job id.
std::string submit_sweep(const SweepSpec& spec, const std::filesystem::path& out,
                         const SlurmOptions& flags);

// DIR/sweep.json: the sweep's points in order, with their axis values (same bytes whoever
// writes it, so shards may race to write it).
void write_manifest(const SweepSpec& spec, const std::filesystem::path& dir);
nlohmann::json read_manifest(const std::filesystem::path& dir);
// A point's result.json when it is there and names the point.
std::optional<nlohmann::json> read_point_result(const std::filesystem::path& dir,
                                                const std::string& id);

// Done / failed / pending points of DIR, and the Slurm job's state when squeue is there.
std::string sweep_status(const std::filesystem::path& dir);

struct MergeSummary {
  size_t rows = 0, done = 0, failed = 0, pending = 0, front = 0;
};
// Gathers DIR/points into DIR/results.csv, results.jsonl, pareto.csv and the plots. The
// tables hold no wall times, so they are the same bytes whichever backend ran the points.
MergeSummary merge_sweep(const std::filesystem::path& dir, bool plots = true);

}  // namespace anvil::flow
