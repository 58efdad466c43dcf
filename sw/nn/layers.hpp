// Per-node forward and backward kernels on batched tensors. The Network and the Trainer
// run graphs with these; the tests check each one against loops and finite differences.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/network.hpp"

namespace anvil::nn {

// A batched activation: shape includes the batch dimension ([N, C, H, W] or [N, F]).
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;

  size_t size() const { return data.size(); }
  int64_t dim(size_t i) const { return shape[i]; }
  void resize(std::vector<int64_t> s);  // sets shape, resizes data (contents unspecified)
  void zero_like(const Tensor& t);      // same shape as t, all zeros
};

// What forward keeps for backward (beyond the input and output values).
struct NodeCache {
  bool train = false;
  std::vector<int32_t> argmax;   // MaxPool2d: flat input index per output element
  std::vector<float> mean, var;  // BatchNorm: batch mean and biased variance per channel
  std::vector<float> cols;       // Conv2d (train): im2col matrix [C*kh*kw, N*oh*ow]
};

// Output shape of `node` for an input of shape `in` (without batch dimension); throws
// anvil::Error naming the node if the shapes do not fit.
ValueShape node_output_shape(const Node& node, const std::vector<ValueShape>& in);

// out = node(in). `train` selects batch statistics for BatchNorm (then `cache` receives
// them). `cache` may be null when no backward pass follows.
void forward_node(const Node& node, const std::vector<const Tensor*>& in, Tensor& out, bool train,
                  NodeCache* cache);

// out = max(x, 0), and whether every x was finite, in one pass (the non-finite check of
// Network::predict rides on the ReLU that reads a node's output anyway).
bool relu_forward(const Tensor& x, Tensor& out);

// Backward of one node: ACCUMULATES d loss / d input into din[i] (skipped if null; must be
// sized like in[i]) and d loss / d param into dparams[j] (sized like node.params[j]; the
// running mean/var of BatchNorm get no gradient).
void backward_node(const Node& node, const std::vector<const Tensor*>& in, const Tensor& out,
                   const Tensor& dout, const NodeCache& cache, const std::vector<Tensor*>& din,
                   std::vector<std::vector<float>>& dparams);

}  // namespace anvil::nn
