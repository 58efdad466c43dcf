#include "core/level_select.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.hpp"

namespace anvil::core {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

double separation(const LevelStats& a, const LevelStats& b) {
  const double d = b.mean - a.mean, s = a.std + b.std;
  if (s > 0.0) return d / s;
  return d > 0.0 ? kInf : (d < 0.0 ? -kInf : 0.0);
}

std::vector<uint32_t> sorted_by_mean(const std::vector<LevelStats>& stats,
                                     std::vector<uint32_t> codes) {
  std::stable_sort(codes.begin(), codes.end(),
                   [&](uint32_t a, uint32_t b) { return stats[a].mean < stats[b].mean; });
  return codes;
}

LevelChoice finish(const std::vector<LevelStats>& stats, std::vector<uint32_t> dacs) {
  LevelChoice c;
  c.dacs = sorted_by_mean(stats, std::move(dacs));
  for (uint32_t d : c.dacs) c.stats.push_back(stats[d]);
  c.min_separation = min_separation(c.stats);
  return c;
}

double uniform_mi(const TransitionMatrix& P, const std::vector<uint32_t>& dacs) {
  TransitionMatrix sub;
  for (uint32_t d : dacs) sub.push_back(P[d]);
  const std::vector<double> px(dacs.size(), 1.0 / static_cast<double>(dacs.size()));
  return mutual_information(sub, px);
}
}  // namespace

double min_separation(const std::vector<LevelStats>& stats) {
  double m = kInf;
  for (size_t j = 0; j + 1 < stats.size(); ++j) m = std::min(m, separation(stats[j], stats[j + 1]));
  return m;
}

LevelChoice select_levels(const std::vector<LevelStats>& stats, uint32_t L,
                          std::vector<uint32_t> candidates, uint32_t max_candidates) {
  if (candidates.empty()) {
    candidates.resize(stats.size());
    std::iota(candidates.begin(), candidates.end(), 0u);
  }
  for (uint32_t c : candidates) {
    require(c < stats.size(), "level_select", "candidates", "DAC code out of range");
  }
  require(L >= 2, "level_select", "levels", "must be >= 2");
  require(L <= candidates.size(), "level_select", "levels",
          "must be <= the number of write settings (" + std::to_string(candidates.size()) + ")");
  auto order = sorted_by_mean(stats, candidates);
  if (order.size() > max_candidates && max_candidates >= L) {
    std::vector<uint32_t> sub;
    for (uint32_t i = 0; i < max_candidates; ++i) {
      sub.push_back(order[static_cast<size_t>(i) * (order.size() - 1) / (max_candidates - 1)]);
    }
    order = sub;
  }
  const size_t n = order.size();
  // best[k][j]: max over chains of k+1 codes ending at sorted position j of the min separation.
  std::vector<std::vector<double>> best(L, std::vector<double>(n, -kInf));
  std::vector<std::vector<int>> from(L, std::vector<int>(n, -1));
  for (size_t j = 0; j < n; ++j) best[0][j] = kInf;
  for (uint32_t k = 1; k < L; ++k) {
    for (size_t j = k; j < n; ++j) {
      for (size_t i = k - 1; i < j; ++i) {
        if (best[k - 1][i] == -kInf) continue;
        const double v = std::min(best[k - 1][i], separation(stats[order[i]], stats[order[j]]));
        if (v > best[k][j]) best[k][j] = v, from[k][j] = static_cast<int>(i);
      }
    }
  }
  size_t end = L - 1;
  for (size_t j = L - 1; j < n; ++j) {
    if (best[L - 1][j] > best[L - 1][end]) end = j;
  }
  std::vector<uint32_t> pick(L);
  int j = static_cast<int>(end);
  for (int k = static_cast<int>(L) - 1; k >= 0; --k) {
    pick[k] = order[j];
    j = from[k][j];
  }
  return finish(stats, pick);
}

LevelChoice select_levels(const Channel& channel, uint32_t L, double t_s) {
  std::vector<LevelStats> stats;
  for (uint32_t d = 0; d < channel.dac_codes(); ++d) stats.push_back(channel.stats(d, t_s));
  return select_levels(stats, L);
}

LevelChoice improve_mutual_information(const TransitionMatrix& P,
                                       const std::vector<LevelStats>& stats, LevelChoice start) {
  std::vector<uint32_t> cur = start.dacs;
  double best = uniform_mi(P, cur);
  for (int sweep = 0; sweep < 20; ++sweep) {
    bool improved = false;
    for (size_t pos = 0; pos < cur.size(); ++pos) {
      for (uint32_t d = 0; d < P.size(); ++d) {
        if (std::find(cur.begin(), cur.end(), d) != cur.end()) continue;
        const uint32_t old = cur[pos];
        cur[pos] = d;
        const double v = uniform_mi(P, cur);
        if (v > best + 1e-12) {
          best = v;
          improved = true;
        } else {
          cur[pos] = old;
        }
      }
    }
    if (!improved) break;
  }
  LevelChoice c = finish(stats, cur);
  c.mutual_information_bits = best;
  return c;
}

LevelChoice select_levels(const Cell& cell, uint32_t L, double t_s, LevelObjective objective,
                          uint32_t draws, uint64_t seed) {
  const Channel& ch = cell.channel();
  std::vector<LevelStats> stats;
  for (uint32_t d = 0; d < ch.dac_codes(); ++d) stats.push_back(ch.stats(d, t_s));
  LevelChoice c = select_levels(stats, L);
  if (objective == LevelObjective::kMinSeparation) return c;
  std::vector<uint32_t> all(ch.dac_codes());
  std::iota(all.begin(), all.end(), 0u);
  const TransitionMatrix P = cell.transition(all, t_s, draws, seed);
  return improve_mutual_information(P, stats, c);
}

}  // namespace anvil::core
