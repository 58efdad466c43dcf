// The Slurm backend and `sweep status`: a job array whose tasks are `anvil sweep --shard I/N`
// against the same output folder (a shared file system on a real cluster).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "flow/plot.hpp"
#include "flow/sweep.hpp"

namespace anvil::flow {

namespace fs = std::filesystem;

namespace {

struct Command {
  int status = -1;
  std::string out;
};

// Runs a shell command, stdout captured (stderr passes through).
Command capture(const std::string& cmd) {
  Command c;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return c;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) c.out.append(buf, n);
  c.status = ::pclose(p);
  return c;
}

bool on_path(const std::string& tool) {
  return capture("command -v " + tool + " >/dev/null 2>&1").status == 0;
}

std::string self_exe() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("anvil") : p.string();
}

std::string sbatch_script(const SweepSpec& spec, const fs::path& out, const SlurmOptions& o,
                          int jobs) {
  const std::string logs = (out / "slurm").string();
  std::string s = "#!/bin/bash\n";
  s += "# anvil sweep " + spec.name + ": one array task per shard of points\n";
  s += "#SBATCH --job-name=anvil-sweep-" + spec.name + "\n";
  s += "#SBATCH --array=0-" + std::to_string(o.shards - 1) + "\n";
  s += "#SBATCH --cpus-per-task=" + std::to_string(o.cpus_per_task) + "\n";
  if (!o.partition.empty()) s += "#SBATCH --partition=" + o.partition + "\n";
  if (!o.time.empty()) s += "#SBATCH --time=" + o.time + "\n";
  if (!o.mem.empty()) s += "#SBATCH --mem=" + o.mem + "\n";
  s += "#SBATCH --output=" + logs + "/task-%a.out\n";
  s += "#SBATCH --error=" + logs + "/task-%a.err\n";
  s += "exec " + shell_quote(self_exe()) + " sweep " + shell_quote(spec.file) + " --out " +
       shell_quote(out.string()) + " --shard \"$SLURM_ARRAY_TASK_ID/" + std::to_string(o.shards) +
       "\" --jobs " + std::to_string(jobs) + "\n";
  return s;
}

// State counts of the job's array tasks in squeue ("" when it has left the queue).
std::string queue_state(const std::string& job) {
  const Command c = capture("squeue -h -r -j " + shell_quote(job) + " -o %T 2>/dev/null");
  if (c.status != 0) return "";
  std::map<std::string, int> n;
  size_t pos = 0;
  for (size_t e; (e = c.out.find('\n', pos)) != std::string::npos; pos = e + 1)
    if (e > pos) ++n[c.out.substr(pos, e - pos)];
  std::string s;
  for (const auto& [state, k] : n) s += (s.empty() ? "" : ", ") + state + " " + std::to_string(k);
  return s;
}

}  // namespace

std::string submit_sweep(const SweepSpec& spec, const fs::path& out_dir,
                         const SlurmOptions& flags) {
  SlurmOptions o = spec.slurm;
  if (!flags.partition.empty()) o.partition = flags.partition;
  if (!flags.time.empty()) o.time = flags.time;
  if (!flags.mem.empty()) o.mem = flags.mem;
  if (flags.cpus_per_task > 0) o.cpus_per_task = flags.cpus_per_task;
  if (flags.shards > 0) o.shards = flags.shards;
  o.wait = flags.wait;
  int threads = 1;
  for (const auto& p : spec.points) threads = std::max(threads, p.threads);
  const int n = static_cast<int>(std::max<size_t>(1, spec.points.size()));
  o.shards = std::min(o.shards > 0 ? o.shards : 8, n);
  if (o.cpus_per_task <= 0) o.cpus_per_task = threads;
  const int jobs = std::max(1, o.cpus_per_task / threads);

  const fs::path out = fs::absolute(out_dir).lexically_normal();
  SweepSpec abs = spec;
  abs.file = fs::absolute(spec.file).lexically_normal().string();
  write_manifest(abs, out);
  const fs::path script = out / "slurm" / "sweep.sbatch";
  write_file_atomic(script, sbatch_script(abs, out, o, jobs));
  require(on_path("sbatch"), script.string(), "sbatch", "not found (is this a Slurm login node?)");
  const Command c = capture("sbatch --parsable " + shell_quote(script.string()));
  const std::string job = c.out.substr(0, c.out.find_first_of(";\n"));
  require(c.status == 0 && !job.empty(), script.string(), "sbatch",
          "submission failed (exit " + std::to_string(c.status) + "): " + c.out);
  write_file_atomic(out / "slurm" / "job_id", job + "\n");
  std::fprintf(stderr, "anvil: sweep %s: job %s, %d array tasks x %d cpus (%d jobs each), %s\n",
               spec.name.c_str(), job.c_str(), o.shards, o.cpus_per_task, jobs,
               script.string().c_str());
  while (o.wait && !queue_state(job).empty())
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  return job;
}

std::string sweep_status(const fs::path& dir) {
  const nlohmann::json m = read_manifest(dir);
  size_t done = 0, failed = 0, pending = 0;
  std::string errors;
  for (const auto& p : m.at("points")) {
    const auto id = p.at("id").get<std::string>();
    const auto r = read_point_result(dir, id);
    if (!r) {
      ++pending;
    } else if (r->value("status", "") == "done") {
      ++done;
    } else {
      ++failed;
      errors += "  failed " + id + ": " + r->value("error", "?") + "\n";
    }
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, "sweep %s: %zu points: %zu done, %zu failed, %zu pending\n",
                m.value("name", "?").c_str(), m.at("points").size(), done, failed, pending);
  std::string s = buf + errors;
  std::FILE* f = std::fopen((dir / "slurm" / "job_id").c_str(), "r");
  if (f) {
    char id[64] = "";
    const bool ok = std::fscanf(f, "%63s", id) == 1;
    std::fclose(f);
    if (ok && on_path("squeue")) {
      const std::string q = queue_state(id);
      s += "slurm job " + std::string(id) + ": " + (q.empty() ? "not in the queue" : q) + "\n";
    } else if (ok) {
      s += "slurm job " + std::string(id) + ": squeue not available\n";
    }
  }
  return s;
}

}  // namespace anvil::flow
