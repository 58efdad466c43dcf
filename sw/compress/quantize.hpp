// Weight quantization: uniform symmetric (per tensor or per output channel) and k-means
// weight sharing with a per-tensor codebook, plus the straight-through transform that makes
// training quantization-aware (nn::TrainConfig::forward_transform).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "nn/network.hpp"

namespace anvil::compress {

// 1-D k-means (Lloyd) of the values in `w`, k-means++ initialisation drawn from the
// counter-based stream of `seed`: the same seed gives bit-identical centers. Returns the
// centers strictly ascending, within [min w, max w]; fewer than k when w has fewer distinct
// values (then exactly those values). `skip_zeros`: exact zeros (pruned weights) are left
// out of the fit. Throws anvil::Error for k < 1, iters < 0, no values or non-finite values.
std::vector<float> kmeans_codebook(std::span<const float> w, int k, uint64_t seed, int iters = 50,
                                   bool skip_zeros = false);

// Replaces each value by its nearest center (ties: the lower center). `centers` ascending.
// `keep_zeros`: exact zeros stay zero (pruned weights).
void snap_to_codebook(std::span<float> w, std::span<const float> centers, bool keep_zeros = false);

// Symmetric mid-tread uniform quantization at `bits` (2..16): levels q * scale for integer
// q in [-(2^(bits-1) - 1), 2^(bits-1) - 1], scale = max|w| / (2^(bits-1) - 1), per tensor or
// per output channel (w is `channels` equal rows). Zero stays zero; at most 2^bits - 1
// distinct values per scale group.
void quantize_uniform(std::span<float> w, uint32_t channels, int bits, bool per_channel);

// How quantize_network and the QAT transform quantize each named tensor.
struct QuantSpec {
  enum class Method { kUniform, kKmeans };
  Method method = Method::kUniform;
  std::vector<std::string> tensors;  // parameter names; empty = every Conv/Linear weight
  int bits = 4;                      // uniform: bits; k-means: 2^bits centers
  bool per_channel = true;           // uniform only
  uint64_t seed = 1;                 // k-means initialisation
  int kmeans_iters = 30;
  bool keep_zeros = true;  // pruned (exactly zero) weights stay zero, not fitted
  int refit_every = 100;   // QAT with k-means: refit the codebooks every N steps
};

// Quantizes the named tensors of `net` in place (k-means: fits then snaps). Returns the
// k-means codebooks per tensor (empty for uniform).
std::map<std::string, std::vector<float>> quantize_network(nn::Network& net, const QuantSpec& spec);

// A forward_transform for quantization-aware training: every step it quantizes the named
// tensors of the forward copy (uniform; or k-means, snapping to codebooks refitted on the
// float weights every `refit_every` steps and at step 0). Gradients flow straight through
// to the float weights. Keeps state (the codebooks): use one per train() call.
std::function<void(nn::Network&, uint64_t)> qat_transform(const QuantSpec& spec);

}  // namespace anvil::compress
