// cosim_bench: throughput of the co-simulation (Verilated encoder/decoder + TLM bridge +
// SystemC pcm_array) next to the functional golden model (core::store_and_read) on the same
// work: three schemes (naive; sign + 3 median replicas; 2-cell split, 2 mean replicas), N
// random weights each (default 100,000), one elaboration. Prints weights per second, simulated
// cycles per wall-clock second and the ratios.
//
//   cosim_bench [weights_per_scheme]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/store.hpp"
#include "core/synthetic.hpp"
#include "systemc/cosim.hpp"

#include "timing.hpp"

using namespace anvil;
using namespace anvil::timing;

namespace {}  // namespace

int main(int argc, char** argv) try {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
  if (n == 0) throw Error("cosim_bench", "weights_per_scheme", "must be a positive integer");
  // A 256-level Gaussian cell noisy enough for the decoded codes to carry channel errors.
  const core::Cell cell = core::gaussian_cell(0.03, 0.015);
  const core::RandomStream noise(42, 1);
  std::vector<core::CodecParams> params = {
      core::uniform_codec(cell, {16, 1, 1, false, 1, core::Combine::kMedian}),
      core::uniform_codec(cell, {16, 1, 3, true, 1, core::Combine::kMedian}),
      core::uniform_codec(cell, {16, 2, 2, false, 1, core::Combine::kMean})};
  std::vector<std::vector<int32_t>> codes;
  std::vector<cosim::CosimSegment> segs;
  uint64_t base = 0, cells = 0;
  for (size_t s = 0; s < params.size(); ++s) {
    codes.push_back(core::uniform_codes(params[s], n, s + 1));
    segs.push_back({"scheme" + std::to_string(s), params[s], codes[s], base});
    base += uint64_t{core::cells_per_weight(params[s])} * n;
  }
  cells = base;
  const double weights = static_cast<double>(n * params.size());

  // Functional model, one thread and two.
  double func_s[2] = {0, 0}, func_cpu[2] = {0, 0};
  std::vector<std::vector<int32_t>> golden(params.size(), std::vector<int32_t>(n));
  for (int t = 0; t < 2; ++t) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = process_cpu_s();
    for (size_t s = 0; s < params.size(); ++s)
      core::store_and_read(cell, params[s], codes[s], segs[s].base_cell, noise, golden[s], t + 1);
    func_s[t] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    func_cpu[t] = process_cpu_s() - c0;
  }

  const double c0 = process_cpu_s();
  const cosim::CosimResult r = cosim::run_cosim(cell, segs, noise);
  const double cosim_cpu = process_cpu_s() - c0;
  size_t mismatches = 0;
  for (size_t s = 0; s < params.size(); ++s)
    for (size_t i = 0; i < n; ++i) mismatches += r.segments[s].decoded[i] != golden[s][i];

  const double cosim_wps = weights / r.wall_s;
  std::printf("cosim_bench: %zu schemes x %zu weights = %.0f weights, %llu cells\n", params.size(),
              n, weights, static_cast<unsigned long long>(cells));
  std::printf("%-26s %9s %9s %12s %12s %14s\n", "model", "wall_s", "cpu_s", "weights/s",
              "weights/cpu_s", "cycles/s");
  std::printf("%-26s %9.3f %9.3f %12.0f %12.0f %14.0f\n", "cosim (RTL+TLM, 1 thread)", r.wall_s,
              cosim_cpu, cosim_wps, weights / cosim_cpu, static_cast<double>(r.cycles) / r.wall_s);
  for (int t = 0; t < 2; ++t)
    std::printf("%-26s %9.3f %9.3f %12.0f %12.0f %14s\n",
                t == 0 ? "functional (1 thread)" : "functional (2 threads)", func_s[t], func_cpu[t],
                weights / func_s[t], weights / func_cpu[t], "-");
  std::printf("ratio functional(1 thread)/cosim: %.1fx (wall), %.1fx (cpu)\n",
              (weights / func_s[0]) / cosim_wps, func_cpu[0] > 0 ? cosim_cpu / func_cpu[0] : 0.0);
  std::printf(
      "simulated: %llu cycles, logic %.1f us, array %.1f us, %llu pulses, %llu reads, "
      "%.3f uJ\n",
      static_cast<unsigned long long>(r.cycles), r.logic_ns / 1e3, r.array_ns / 1e3,
      static_cast<unsigned long long>(r.array.pulses),
      static_cast<unsigned long long>(r.array.reads), r.array.energy_pj() / 1e6);
  std::printf("decoded codes equal to the functional model: %s (%zu mismatches)\n",
              mismatches == 0 ? "yes" : "NO", mismatches);
  return mismatches == 0 ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "cosim_bench: error: %s\n", e.what());
  return 2;
}
