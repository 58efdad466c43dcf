// What the sweep layer costs: the same N points (LeNet-5, Fashion-MNIST, statistical PCM,
// 2 trials, one scheme) run directly (load_experiment + run_experiment per hand-written YAML,
// as `anvil run` does) and through `anvil sweep` (file expansion and validation, ids,
// point YAMLs, skip checks, result files, run logs), one point at a time, side by side.
// Target: the sweep adds at most 2 % to the points' time.
//
//   bench/run.sh   or   build/bench/bench/sweep_bench [rounds]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "flow/experiment.hpp"
#include "flow/sweep.hpp"

#include "timing.hpp"

using namespace anvil;
using namespace anvil::timing;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

struct Clock {
  double wall = 0, cpu = 0;
  static Clock now() { return {wall_s(), process_cpu_s()}; }
};

void keep_min(Clock& best, const Clock& t0, const Clock& t1) {
  best.wall = std::min(best.wall, t1.wall - t0.wall);
  best.cpu = std::min(best.cpu, t1.cpu - t0.cpu);
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 4;
  const std::string src = ANVIL_SOURCE_DIR;
  const fs::path dir =
      fs::temp_directory_path() / ("anvil_sweep_bench_" + std::to_string(::getpid()));
  try {
    write(dir / "base.yaml",
          "experiment:\n  name: bench\n  network: " + src +
              "/models/networks/lenet5-fashion-mnist.onnx\n  dataset: fashion-mnist\n  device: " +
              src +
              "/models/devices/pcm.yaml\n  trials: 2\n  seed: 3\n  threads: 1\n"
              "schemes:\n  - {name: a, levels: 4, levels_from: select, decode: ml}\n");
    write(dir / "s.yaml",
          "sweep: {name: bench, base: base.yaml}\naxes:\n  schemes.a.split: [1, 2]\n"
          "  experiment.read_time_s: [1, 3600, 86400, 31536000]\n");
    // The direct runs' YAMLs are written beforehand: a user would have them already.
    const auto spec0 = flow::load_sweep(dir / "s.yaml");
    const size_t n = spec0.points.size();
    for (const auto& p : spec0.points) {
      YAML::Emitter em;
      em << p.config;
      write(dir / "direct" / (p.id + ".yaml"), em.c_str());
    }
    Clock direct{1e300, 1e300}, swept{1e300, 1e300};
    double inside = 1e300;
    auto run_direct = [&] {
      fs::remove_all(dir / "direct_out");
      const Clock t0 = Clock::now();
      for (const auto& p : spec0.points) {
        flow::RunOptions o;
        o.out = dir / "direct_out" / p.id;
        o.quiet = true;
        o.plots = false;
        flow::run_experiment(flow::load_experiment(dir / "direct" / (p.id + ".yaml")), o);
      }
      keep_min(direct, t0, Clock::now());
    };
    auto run_swept = [&] {
      fs::remove_all(dir / "sweep_out");
      const Clock t0 = Clock::now();
      flow::SweepOptions so;
      so.out = dir / "sweep_out";
      so.jobs = 1;
      so.quiet = true;
      const auto sum = flow::run_sweep(flow::load_sweep(dir / "s.yaml"), so);
      keep_min(swept, t0, Clock::now());
      inside = std::min(inside, sum.point_s);
    };
    for (int r = 0; r < rounds; ++r) {  // alternating order: neither always runs first
      if (r % 2) {
        run_swept();
        run_direct();
      } else {
        run_direct();
        run_swept();
      }
    }
    const double t0 = wall_s();
    flow::merge_sweep(dir / "sweep_out", false);  // the tables, not the plots
    const double merge = wall_s() - t0;
    std::printf("%zu points (LeNet-5, statistical PCM, 2 trials, 1 thread), best of %d rounds:\n",
                n, rounds);
    std::printf("%-34s %10s %10s %10s\n", "", "wall s", "CPU s", "wall/point");
    std::printf("%-34s %10.3f %10.3f %10.3f\n", "direct (load + run each YAML)", direct.wall,
                direct.cpu, direct.wall / n);
    std::printf("%-34s %10.3f %10.3f %10.3f\n", "through anvil sweep", swept.wall, swept.cpu,
                swept.wall / n);
    std::printf(
        "sweep / direct: wall %+.2f %%, CPU %+.2f %%; sweep layer outside the points "
        "(wall - points' own time): %.2f %%; merge (tables, no plots): %.3f s\n",
        (swept.wall / direct.wall - 1) * 100, (swept.cpu / direct.cpu - 1) * 100,
        (swept.wall - inside) / inside * 100, merge);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sweep_bench: %s\n", e.what());
    fs::remove_all(dir);
    return 1;
  }
  fs::remove_all(dir);
  return 0;
}
