#include "flow/channel_study.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/capacity.hpp"
#include "core/device_config.hpp"
#include "core/error.hpp"
#include "core/level_select.hpp"
#include "flow/plot.hpp"

namespace anvil::flow {

namespace {

// Blahut-Arimoto stops when its upper and lower bounds are this close (bits per cell).
constexpr double kTolBits = 1e-6;

nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

}  // namespace

void channel_study(const ChannelStudyOptions& a) {
  using namespace anvil::core;
  const Cell cell = load_device(a.device);
  const Channel& ch = cell.channel();
  const double t = a.time_s.value_or(cell.spec().read_time_s);
  require(t >= 0.0, a.device, "--time", "must be >= 0");
  require(a.draws >= 100, "anvil channel", "--draws", "must be >= 100");
  const uint32_t n = ch.dac_codes();
  const LevelObjective obj =
      a.objective == "mi" ? LevelObjective::kMutualInformation : LevelObjective::kMinSeparation;

  std::vector<LevelStats> stats;
  for (uint32_t d = 0; d < n; ++d) stats.push_back(ch.stats(d, t));
  std::vector<uint32_t> all(n);
  std::iota(all.begin(), all.end(), 0u);
  // One Monte Carlo transition matrix for every code; level subsets take its rows.
  const TransitionMatrix P = cell.transition(all, t, a.draws, a.seed);

  std::printf("device %s: channel %s, %u write settings, read value in %s\n", a.device.c_str(),
              ch.kind().c_str(), n, ch.unit().c_str());
  std::printf("read time %g s, ADC %u bits over [%g, %g], %u cells per code (seed %llu)\n\n", t,
              cell.spec().adc_bits, ch.read_min(), ch.read_max(), a.draws,
              static_cast<unsigned long long>(a.seed));
  std::printf("%6s %14s %14s %14s\n", "dac", "write_setting", "mean", "std");
  for (uint32_t d = 0; d < n; ++d) {
    std::printf("%6u %14.6g %14.6g %14.6g\n", d, ch.write_setting(d), stats[d].mean, stats[d].std);
  }

  nlohmann::json j;
  j["device"] = a.device;
  j["channel"] = ch.kind();
  j["unit"] = ch.unit();
  j["read_time_s"] = t;
  j["adc_bits"] = cell.spec().adc_bits;
  j["read_min"] = ch.read_min();
  j["read_max"] = ch.read_max();
  j["draws_per_code"] = a.draws;
  j["seed"] = a.seed;
  j["objective"] = a.objective;
  j["ba_tolerance_bits"] = kTolBits;
  for (uint32_t d = 0; d < n; ++d) {
    j["response"].push_back({{"dac", d},
                             {"write_setting", ch.write_setting(d)},
                             {"target", ch.target(d)},
                             {"mean", stats[d].mean},
                             {"std", stats[d].std}});
  }

  std::vector<uint32_t> sizes;
  for (uint32_t L : {2u, 4u, 8u, 16u}) {
    if (L < n) sizes.push_back(L);
  }
  sizes.push_back(n);
  std::printf("\n%6s %10s %10s %10s  %s\n", "levels", "min_sep", "I_unif", "capacity",
              "DAC codes by increasing mean");
  std::vector<std::vector<uint32_t>> chosen;
  for (uint32_t L : sizes) {
    LevelChoice c;
    if (L == n) {
      c.dacs = all;  // every write setting, by increasing mean
      std::stable_sort(c.dacs.begin(), c.dacs.end(),
                       [&](uint32_t x, uint32_t y) { return stats[x].mean < stats[y].mean; });
      for (uint32_t d : c.dacs) c.stats.push_back(stats[d]);
      c.min_separation = min_separation(c.stats);
    } else {
      c = select_levels(stats, L);
      if (obj == LevelObjective::kMutualInformation) c = improve_mutual_information(P, stats, c);
    }
    TransitionMatrix sub;
    for (uint32_t d : c.dacs) sub.push_back(P[d]);
    const std::vector<double> px(L, 1.0 / L);
    const double mi = mutual_information(sub, px);
    const CapacityResult cap = capacity(sub, kTolBits);
    std::string codes;
    for (uint32_t d : c.dacs) codes += (codes.empty() ? "" : " ") + std::to_string(d);
    std::printf("%6s %10.4g %10.4f %10.4f  %s\n", L == n ? "all" : std::to_string(L).c_str(),
                c.min_separation, mi, cap.bits, L == n ? "(all)" : codes.c_str());
    nlohmann::json e = {{"levels", L},
                        {"all", L == n},
                        {"dacs", c.dacs},
                        {"min_separation", number(c.min_separation)},
                        {"uniform_mi_bits", mi},
                        {"capacity_bits", cap.bits},
                        {"capacity_upper_bits", cap.upper_bits},
                        {"ba_iterations", cap.iterations},
                        {"ba_converged", cap.converged}};
    std::vector<double> ws;
    for (uint32_t d : c.dacs) ws.push_back(ch.write_setting(d));
    e["write_settings"] = ws;
    j["levels"].push_back(e);
    chosen.push_back(c.dacs);
  }

  std::ostringstream csv;
  csv.precision(10);
  csv << "dac,write_setting,target,mean,std";
  for (uint32_t L : sizes) {
    if (L != n) csv << ",in_L" << L;
  }
  csv << "\n";
  for (uint32_t d = 0; d < n; ++d) {
    csv << d << ',' << ch.write_setting(d) << ',' << ch.target(d) << ',' << stats[d].mean << ','
        << stats[d].std;
    for (size_t k = 0; k < sizes.size(); ++k) {
      if (sizes[k] == n) continue;
      const auto& c = chosen[k];
      csv << ',' << (std::find(c.begin(), c.end(), d) != c.end() ? 1 : 0);
    }
    csv << "\n";
  }
  const std::filesystem::path out(a.out);
  write_file_atomic(out / "channel.json", j.dump(2) + "\n");
  write_file_atomic(out / "channel.csv", csv.str());
  std::printf("\nwrote %s and %s\n", (out / "channel.json").c_str(), (out / "channel.csv").c_str());
  if (run_plot_script("plot_channel.py",
                      {(out / "channel.json").string(), (out / "channel.png").string()})) {
    std::printf("wrote %s\n", (out / "channel.png").c_str());
  }
}

}  // namespace anvil::flow
