// Level selection: which L of a channel's write settings (DAC codes) to use as the L levels of
// a multi-level cell. Two objectives:
//   - min separation: maximise min_j (mu_{j+1} - mu_j) / (sigma_j + sigma_{j+1}) over the chosen
//     codes sorted by mean read value. Exact dynamic programme over the codes sorted by mean
//     (O(L N^2); above max_candidates codes an evenly spaced subset of the sorted codes is used).
//   - mutual information: maximise I(X; ADC code) with equiprobable levels, from the cell's
//     transition matrix (Monte Carlo through Cell::transition, so write-verify, stuck-at and
//     the ADC are included); local search (coordinate exchange) started from the min-separation
//     optimum, so never worse than it in I.
// The result is ordered by increasing mean read value, so digit order is monotone in the read
// value even where the channel's response is not (the measured PCM plateau).
#pragma once

#include <cstdint>
#include <vector>

#include "core/capacity.hpp"
#include "core/cell.hpp"
#include "core/channel.hpp"

namespace anvil::core {

enum class LevelObjective { kMinSeparation, kMutualInformation };

struct LevelChoice {
  std::vector<uint32_t> dacs;            // DAC codes, by increasing mean read value
  std::vector<LevelStats> stats;         // their mean / std at the read time
  double min_separation = 0.0;           // min over neighbours of (mu_j+1 - mu_j) / (s_j + s_j+1)
  double mutual_information_bits = 0.0;  // equiprobable levels, through the ADC (MI objective;
                                         // 0 when not computed)
};

// Min separation of `stats` taken in the given order (inf for a single level; a zero-spread
// pair with distinct means counts as inf, equal means as 0).
double min_separation(const std::vector<LevelStats>& stats);

// Exact max-min-separation choice of L codes among `candidates` (all codes if empty), given
// the per-code statistics `stats` (indexed by DAC code).
LevelChoice select_levels(const std::vector<LevelStats>& stats, uint32_t L,
                          std::vector<uint32_t> candidates = {}, uint32_t max_candidates = 2048);

// Min-separation choice from the channel's stats at t_s.
LevelChoice select_levels(const Channel& channel, uint32_t L, double t_s);

// Either objective through a cell (its read time, ADC and periphery). `draws` cells per code
// for the transition matrix of the MI objective; `seed` its calibration seed.
LevelChoice select_levels(const Cell& cell, uint32_t L, double t_s, LevelObjective objective,
                          uint32_t draws = 4000, uint64_t seed = 1);

// MI local search given every code's transition row P[d] (d = DAC code) and a start choice.
LevelChoice improve_mutual_information(const TransitionMatrix& P,
                                       const std::vector<LevelStats>& stats, LevelChoice start);

}  // namespace anvil::core
