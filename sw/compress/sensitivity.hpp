// Per-weight importance scores, in nn::Network::parameters() order (one vector per parameter
// tensor, running statistics included with zeros): magnitude and the diagonal of the
// empirical Fisher information (mean squared per-image gradient of the loss), which
// estimates how much the loss grows when a weight is disturbed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nn/network.hpp"

namespace anvil::compress {

using Scores = std::vector<std::vector<float>>;

// |w| of every parameter.
Scores magnitude_scores(const nn::Network& net);

// Mean over `images` images of the squared gradient of the cross-entropy (one image per
// gradient, BatchNorm on its running statistics, as the network infers). The images are the
// first `images` of a permutation of `data` drawn from `seed`. Images are summed in fixed
// chunks, so the result is bit-identical for any `threads`. Non-negative.
Scores fisher_diagonal(const nn::Network& net, const nn::Dataset& data, size_t images,
                       uint64_t seed, int threads = 2);

// The scores keyed by parameter name.
std::map<std::string, std::vector<float>> scores_by_name(const nn::Network& net,
                                                         const Scores& scores);

}  // namespace anvil::compress
