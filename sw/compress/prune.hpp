// Magnitude pruning: unstructured (masks per tensor, per layer or one global threshold),
// structured (whole output channels of Conv/Linear nodes removed, leaving a smaller dense
// network that needs no index), and gradual pruning with fine-tuning in between.
//
// Tensors are named by their parameter (ONNX initializer) names, ParamRef::name. Every
// choice is deterministic: ties in magnitude go to the lower index (for global pruning, the
// lower position in network parameter order).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nn/network.hpp"
#include "nn/train.hpp"

namespace anvil::compress {

// Per parameter name, one byte per element: 1 = keep, 0 = pruned.
using Masks = std::map<std::string, std::vector<uint8_t>>;

// Names of the Conv/Linear weight tensors, in network order (what pruning usually targets).
std::vector<std::string> weight_tensors(const nn::Network& net);

// Number of elements pruned out of n at `sparsity`: floor(sparsity * n + 0.5).
size_t pruned_count(size_t n, double sparsity);

// Per tensor: exactly pruned_count(n, s) smallest-|w| elements of each named tensor are
// masked. Throws anvil::Error for an unknown name or a sparsity outside [0, 1].
Masks magnitude_masks(const nn::Network& net, const std::map<std::string, double>& sparsity);

// One magnitude threshold over all named tensors together: exactly pruned_count(N, sparsity)
// elements masked, N the total size. Masks are returned for every named tensor.
Masks global_magnitude_masks(const nn::Network& net, const std::vector<std::string>& tensors,
                             double sparsity);

// Zeroes the masked elements (a mask's size must match its tensor's).
void apply_masks(nn::Network& net, const Masks& masks);

// Fraction of exact zeros over the named tensors together.
double sparsity(const nn::Network& net, const std::vector<std::string>& tensors);

// Fraction of pruned (0) entries over all masks together.
double mask_sparsity(const Masks& masks);

// Structured pruning. A Conv/Linear node is prunable when its output reaches exactly one
// Conv/Linear consumer through channel-preserving nodes only (ReLU, MaxPool, AvgPool,
// BatchNorm, GlobalAveragePool, Flatten, each the single user of its input) and no value on
// the way is the graph output. Residual sums (Add) and Softmax stop it. In network order.
std::vector<std::string> prunable_nodes(const nn::Network& net);

// L1 norm of each output channel of a Conv/Linear node's weight (rows of axis 0).
std::vector<double> channel_l1(const nn::Network& net, const std::string& node);

// The output channels prune_channels keeps for `node` at `keep`: the `keep` largest L1 norms
// (ties: lower index), ascending channel order.
std::vector<int> kept_channels(const nn::Network& net, const std::string& node, int keep);

// A smaller network: for each named prunable node, keeps `keep` output channels (largest L1
// norm) and slices its weight and bias, every BatchNorm on the way, and the consumer's input
// channels (Conv) or columns (Linear; after a Flatten each channel is a block of H*W columns).
// Kept channels are chosen on the original weights. Throws anvil::Error for a node that is
// not prunable or a keep outside [1, channels].
nn::Network prune_channels(const nn::Network& net, const std::map<std::string, int>& keep);

// Gradual magnitude pruning (Zhu & Gupta 2017): `stages` rounds; round r (1-based) prunes to
// target * (1 - (1 - r/stages)^3) by magnitude of the current weights (per tensor, or
// globally over the named tensors when `global`), then fine-tunes with `cfg` (its seed
// advanced per round) while an after_step hook (run after cfg.after_step, if any) keeps the
// masked weights at zero. Ends at exactly the target. Returns every round's epochs in order;
// `masks`, if given, receives the final masks.
struct PruneSchedule {
  std::map<std::string, double> sparsity;  // target per tensor (per-layer pruning), or
  std::vector<std::string> tensors;        // global pruning over these tensors ...
  double global_sparsity = 0.0;            // ... to this fraction (used when tensors is set)
  int stages = 3;
};

nn::TrainResult prune_iterative(nn::Network& net, const PruneSchedule& schedule,
                                const nn::Dataset& train, const nn::Dataset& test,
                                const nn::TrainConfig& cfg, Masks* masks = nullptr);

// An after_step hook that re-applies `masks` (so pruned weights stay exactly zero).
std::function<void(nn::Network&)> mask_hook(Masks masks);

}  // namespace anvil::compress
