// The joint compression / cell-allocation optimizer (BRIEF 1, item 9), and the decoupled
// digital baselines it is measured against (BRIEF 4).
//
// For a network, a device and an accuracy-drop budget B (percentage points from the
// uncompressed network), `anvil optimize` searches:
//   1. compression (channel-independent, cached per network): structured pruning of whole
//      filters / neurons in steps (each step from the last, fine-tuned), then unstructured
//      magnitude pruning on top; every network within `compress_share` x B noise-free is a
//      candidate. The digital parameters (biases) go to int8 when that costs nothing.
//   2. storage, per candidate network (smallest first) and per layer: a codec from the menu
//      (levels, split) and its sparse index format (bitmap or relative, whichever is
//      smaller). The candidate is tuned noise-aware (each weight replaced in the forward pass
//      by a read-back sample of its codec's measured code channel, straight-through, with
//      distillation) for its best one-cell design; then greedy on marginal gains from that
//      cheap end, upgrading the layer that buys the most screened accuracy per added cell
//      until the screened drop (seeded test subset) is within 0.8 x B; if layers moved up, the
//      candidate is tuned again for the design it ended at.
//   3. confirmation: the smallest design is written as an experiment YAML (design.yaml + its
//      network, design.onnx) and run through the real flow (core::reconstruct, the full test
//      split, `confirm_trials` trials). If its mean misses the budget, the layer whose storage
//      costs the most accuracy is upgraded and the design confirmed again.
//   4. decoupled baselines (the paper's comparison): the same candidate networks, quantized to
//      int<b> with quantization-aware fine-tuning, the fewest bits that keep the budget
//      error-free, stored on SLC and on 2-bit MLC with the ECC the channel needs, indices
//      included; and fp32 on SLC with SECDED(72,64) of the original network.
// Everything is deterministic for a seed and any thread count. Stages are cached under
// OUT/.optimize, so a killed run resumes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "core/codec_tables.hpp"
#include "core/quantizer.hpp"
#include "flow/experiment.hpp"

namespace anvil::flow {

// The `optimize:` section of an experiment YAML (every key optional):
//   optimize:
//     keep: [0.75, 0.5, 0.375, 0.25]   # structured steps: fraction of channels kept (of
//                                      # the nodes holding >= 2 % of the stored weights)
//     sparsity: [0.5, 0.75, 0.9]       # unstructured steps on top (fraction of zeros)
//     compress_share: 0.8              # of the budget the compression stage may spend
//     compress_epochs: 3               # fine-tuning after each pruning step
//     finetune_epochs: 2               # noise-aware / quantization-aware fine-tuning
//     lr: 0.01
//     levels: [3, 5, 7]                # one-cell codecs of the menu (odd: symmetric codes)
//     split_levels: [5, 4]             # two-cell codecs (split 2) of the menu
//     reserve_levels: [3]              # reserve tier (split reserve_split), used only when the
//     reserve_split: 3                 # confirmation misses the budget; [] for none
//     levels_from: select
//     decode: ml
//     mapping: {granularity: per_channel, clip_quantile: 0.999}
//     digital_bits: [2, 3, 4, 5, 6, 8]
//     train_images: 0                  # fine-tuning on a seeded subset (0: the whole split)
//     screen_images: 2000              # screening subset of the test split (seeded)
//     screen_trials: 3
//     confirm_trials: 20
//     budgets: [0.1, 0.25, 0.5, 1, 2, 5]   # optional: the Pareto front
struct OptimizeSpec {
  double budget_pp = 0.5;
  std::vector<double> keep = {0.75, 0.5, 0.375, 0.25};
  std::vector<double> sparsity = {0.5, 0.75, 0.9};
  double compress_share = 0.8;
  int compress_epochs = 3;
  int finetune_epochs = 2;
  double lr = 0.01;
  std::vector<uint32_t> levels = {3, 5, 7};  // odd: symmetric codes
  std::vector<uint32_t> split_levels = {5, 4};
  std::vector<uint32_t> reserve_levels = {3};  // 3 x 3 levels: 27 codes, error-free on PCM
  uint32_t reserve_split = 3;
  core::LevelsFrom levels_from = core::LevelsFrom::kSelect;
  core::DecodeMode decode = core::DecodeMode::kMl;
  core::MappingSpec mapping{core::Granularity::kPerChannel, 0.999};
  std::vector<uint32_t> digital_bits = {2, 3, 4, 5, 6, 8};  // ascending
  uint32_t train_images = 0;
  uint32_t screen_images = 2000;
  uint32_t screen_trials = 3;
  uint32_t confirm_trials = 20;
  std::vector<double> budgets;
};

// Parses the section (absent: the defaults, with the experiment's budget). Throws
// anvil::Error(file, "optimize.KEY", rule) on a bad value or an empty search space.
OptimizeSpec parse_optimize(const YAML::Node& section, const std::string& file,
                            double default_budget_pp);

struct OptimizeOptions {
  std::filesystem::path out = "out/optimize";
  std::optional<double> budget_pp;  // overrides the spec
  std::optional<int> threads;
  std::optional<uint64_t> seed;
  bool quiet = false;
};

// Runs the optimizer; writes OUT/report.json, results.csv, allocation.csv, table.md,
// pareto.png, design.yaml + design.onnx and the baselines' YAMLs; returns the report.
nlohmann::json run_optimize(const ExperimentConfig& cfg, const OptimizeSpec& spec,
                            const OptimizeOptions& opt);

// The headline table of a report (table.md): design, decoupled SLC / MLC, fp32.
std::string optimize_table(const nlohmann::json& report);

}  // namespace anvil::flow
