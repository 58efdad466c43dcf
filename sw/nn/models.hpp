// Builders of the reference networks, initialised from a seed (He-normal weights, zero
// biases, BatchNorm scale 1 / bias 0 / mean 0 / var 1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/network.hpp"

namespace anvil::nn {

struct InputShape {
  int channels = 1, height = 28, width = 28;
  int classes = 10;
};

// LeNet-300-100: Flatten, Linear 784-300, ReLU, Linear 300-100, ReLU, Linear 100-10.
Network build_lenet300(const InputShape& in, uint64_t seed);
// LeNet-5: Conv 6@5x5 pad 2, ReLU, MaxPool 2, Conv 16@5x5, ReLU, MaxPool 2, Flatten,
// Linear 120, ReLU, Linear 84, ReLU, Linear classes.
Network build_lenet5(const InputShape& in, uint64_t seed);
// Small residual CNN with BatchNorm (~0.15 M weights); see models.cpp for the layers.
Network build_resnet(const InputShape& in, uint64_t seed);

// torchvision's ResNet v1.5 layout and parameter names (conv1, bn1, layer1.0.conv1, ...,
// layerN.0.downsample.{0,1}, fc), unfolded BatchNorm as in training mode:
//   "resnet18": ImageNet stem (Conv 7x7/2 pad 3, BN, ReLU, MaxPool 3x3/2 pad 1), basic blocks
//               [2, 2, 2, 2] at 64-512 channels;
//   "resnet18-cifar": the same blocks after a Conv 3x3/1 pad 1 stem without max pool;
//   "resnet50": ImageNet stem, bottleneck blocks [3, 4, 6, 3] (1x1, 3x3 stride, 1x1 x4).
// `width_div` divides every channel count (tests run the same topology at small size).
Network build_resnet_v1(const std::string& arch, const InputShape& in, uint64_t seed,
                        int width_div = 1);

// "lenet300" | "lenet5" | "resnet"; throws anvil::Error for another name.
Network build_network(const std::string& name, const InputShape& in, uint64_t seed);
std::vector<std::string> network_names();

// Re-draws every parameter of `net` as the builders do (used by the builders).
void init_parameters(Network& net, uint64_t seed);

}  // namespace anvil::nn
