// Noise-aware fine-tuning: in the forward pass each stored weight is replaced by what the
// storage would read back, sampled by a callback (the flow builds it from the codec's real
// store/read error model; compression never sees the storage otherwise), and gradients go
// straight through to the float weights (nn::TrainConfig::forward_transform).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "nn/network.hpp"

namespace anvil::compress {

// Overwrites `w` (the weights of parameter `tensor`) in place with one read-back sample.
// `step` keys the draw: a deterministic WeightNoise gives the same sample for the same
// (tensor, w, step), so training stays reproducible.
using WeightNoise =
    std::function<void(const std::string& tensor, std::span<float> w, uint64_t step)>;

using ForwardTransform = std::function<void(nn::Network&, uint64_t)>;

// Calls `noise` on every named tensor of the network, in network order.
void apply_noise(nn::Network& net, const WeightNoise& noise,
                 const std::vector<std::string>& tensors, uint64_t step);

// A forward_transform that applies `noise` to the named tensors each step. Throws
// anvil::Error (on first use) for a name the network does not have.
ForwardTransform noise_transform(WeightNoise noise, std::vector<std::string> tensors);

// Runs `first` then `second` (e.g. quantize, then sample the storage of the quantized
// weights). Either may be empty.
ForwardTransform chain_transforms(ForwardTransform first, ForwardTransform second);

}  // namespace anvil::compress
