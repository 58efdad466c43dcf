// The neural-network engine: a DAG of named nodes over named values, with the parameters
// (ONNX initializers) stored inside the nodes. Forward runs batched on the CPU: Eigen GEMM for
// Linear, a direct convolution kernel for Conv2d (nn/conv_kernel; training keeps im2col +
// GEMM, which backward needs). A Network is a plain value: copying it deep-copies all
// parameters, so each Monte Carlo trial can overwrite its own copy through parameters().
//
// Layout conventions (match ONNX):
//   activations  NCHW (rank 4) or NF (rank 2), float32, row-major;
//   Linear       y = x W^T + b, W [out, in]          (ONNX Gemm, transB = 1);
//   Conv2d       W [out, in, kh, kw], b [out]        (dilation 1, groups 1);
//   BatchNorm    scale, bias, mean, var, each [C]    (ONNX BatchNormalization).
// Axis 0 of every weight is the output channel.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "nn/dataset.hpp"

namespace anvil::nn {

struct Tensor;  // nn/layers.hpp

enum class OpType {
  kLinear,             // inputs {x}; params weight [out, in], optional bias [out]
  kConv2d,             // inputs {x}; params weight [out, in, kh, kw], optional bias [out]
  kReLU,               // inputs {x}
  kMaxPool2d,          // inputs {x}; attrs kernel, stride, pads
  kAvgPool2d,          // inputs {x}; attrs kernel, stride, pads, count_include_pad
  kGlobalAveragePool,  // inputs {x}; NCHW -> NC11
  kBatchNorm,  // inputs {x}; params scale, bias, mean, var (each [C]); attrs epsilon, momentum
  kAdd,        // inputs {a, b}, same shape (no broadcasting)
  kFlatten,    // inputs {x}; [N, ...] -> [N, prod(...)] (axis 1 only)
  kSoftmax,    // inputs {x}; over axis 1, inference only (training uses the loss)
};

// The names of an op: anvil's own (messages, reports) and the ONNX operator it exports as.
struct OpNames {
  OpType value;
  const char* name;  // "Linear", "Conv2d", ...
  const char* onnx;  // "Gemm", "Conv", ...
};
OpNames op_names(OpType op);
const char* op_name(OpType op);  // op_names(op).name

enum class ParamRole { kWeight, kBias, kBnScale, kBnBias, kBnMean, kBnVar };

const char* role_name(ParamRole role);  // "weight", "bias", "bn_scale", ...

struct Attributes {
  std::array<int, 2> kernel{1, 1};      // kh, kw of pools (a conv takes its kernel from its weight)
  std::array<int, 2> stride{1, 1};      // sh, sw
  std::array<int, 4> pads{0, 0, 0, 0};  // ONNX order: top, left, bottom, right
  bool count_include_pad = false;       // AvgPool2d: divide by the full kernel area
  float epsilon = 1e-5f;                // BatchNorm
  // BatchNorm running statistics, ONNX convention: running = momentum * running +
  // (1 - momentum) * batch. (PyTorch's momentum 0.1 is ONNX's 0.9.)
  float momentum = 0.9f;
};

// One stored parameter tensor (an ONNX initializer).
struct Param {
  std::string name;  // initializer name, e.g. "conv1.weight", "bn1.running_var"
  ParamRole role = ParamRole::kWeight;
  std::vector<int64_t> shape;
  std::vector<float> data;  // row-major, size = prod(shape)
};

struct Node {
  std::string name;  // e.g. "conv1"
  OpType op = OpType::kReLU;
  std::vector<std::string> inputs;  // value names (the network input or earlier outputs)
  std::string output;               // value name this node produces (unique in the graph)
  Attributes attr;
  std::vector<Param> params;  // Linear/Conv2d: weight[, bias]; BatchNorm: scale, bias, mean, var

  Param* find(ParamRole role);
  const Param* find(ParamRole role) const;
};

// A view of one parameter tensor: real storage used by forward(), valid until the network
// is modified (add) or destroyed. Writing through `data` changes the network.
struct ParamRef {
  std::string name;  // ONNX initializer name
  std::vector<int64_t> shape;
  float* data = nullptr;
  size_t size = 0;
  ParamRole role = ParamRole::kWeight;
  std::string node;  // owning node name
  OpType op = OpType::kLinear;
};

struct ConstParamRef {
  std::string name;
  std::vector<int64_t> shape;
  const float* data = nullptr;
  size_t size = 0;
  ParamRole role = ParamRole::kWeight;
  std::string node;
  OpType op = OpType::kLinear;
};

// Network::evaluate(): top-1 accuracy, and where the computation stopped being finite.
struct Evaluation {
  double accuracy = 0.0;
  int nonfinite_node = -1;  // first node (graph order) with a NaN/Inf output; -1: none
  std::string nonfinite;    // that node as "name (Op)"; empty when all finite
  bool finite() const { return nonfinite_node < 0; }
};

// Shape of a value without its batch dimension: {C, H, W} or {F}.
using ValueShape = std::vector<int64_t>;

class Network {
 public:
  Network() = default;
  // The single graph input: images [N, channels, height, width].
  Network(std::string input_name, int channels, int height, int width);

  // Appends a node; its inputs must already exist (so nodes stay in topological order), its
  // output name must be new, and parameter shapes must fit the input shape. Throws
  // anvil::Error(name, field, rule) otherwise. The last node added is the graph output
  // unless set_output() names another value.
  Node& add(Node node);
  void set_output(const std::string& value);

  const std::string& input_name() const { return input_name_; }
  const std::string& output_name() const { return output_; }
  int channels() const { return channels_; }
  int height() const { return height_; }
  int width() const { return width_; }
  size_t input_size() const { return static_cast<size_t>(channels_) * height_ * width_; }
  int classes() const;  // size of the output value (rank 2 output required)

  const std::vector<Node>& nodes() const { return nodes_; }
  std::vector<Node>& nodes() { return nodes_; }  // for importers/tools; keep shapes consistent
  const ValueShape& value_shape(const std::string& value) const;

  // All parameters in node order, weight before bias; BatchNorm: scale, bias, mean, var.
  std::vector<ParamRef> parameters();
  std::vector<ConstParamRef> parameters() const;
  size_t parameter_count() const;  // number of floats (running stats included)

  // Logits (or Softmax output if the graph ends in Softmax) for n images (NCHW floats, the
  // network's input shape): result(i, k) is image i, class k. Eval mode: BatchNorm uses its
  // running statistics. Single-threaded; deterministic.
  Eigen::MatrixXf forward(const float* images, size_t n) const;

  // Predicted class of each image (argmax, lowest index on ties). With `nonfinite`, every
  // node's output is scanned for NaN/Inf and *nonfinite receives the index of the first such
  // node in graph order over all images (-1: all finite); the result is thread-independent.
  std::vector<int> predict(const float* images, size_t n, int threads = 1,
                           int* nonfinite = nullptr) const;

  // Top-1 accuracy in [0, 1] on the whole data set; batches are split over `threads`
  // std::thread workers. Result does not depend on the thread count.
  double accuracy(const Dataset& data, int threads = 2) const;
  // accuracy() with the non-finite check of predict(): a model whose weights are finite but
  // whose activations overflow (e.g. a corrupted export with weights near 1e36) is flagged
  // with the first node where a NaN or Inf appears instead of scoring a silent chance level.
  Evaluation evaluate(const Dataset& data, int threads = 2) const;

  // A copy where every BatchNorm that directly follows a Conv2d/Linear whose output feeds
  // only that BatchNorm is folded into its weights and bias (the inference form PyTorch
  // exports). Other BatchNorms stay as nodes.
  Network fold_batchnorm() const;

  // Throws anvil::Error if any parameter is NaN or Inf (`file` names the source).
  void check_finite(const std::string& file) const;

 private:
  friend class Trainer;
  void infer_shape(const Node& node);
  // forward() on caller-owned activations. `keep` leaves every value allocated for the next
  // batch (small networks: no buffer search, no zero-fill). Otherwise a value is freed after
  // its last use, or, with a `pool`, its buffer goes to the pool and the next node (or batch)
  // that needs as many floats takes it: predict's workers on large networks then hold only
  // the largest live set of values (ResNet-50: ~4x less than every value of the graph) and
  // touch no fresh pages, each of which costs a fault and a zero-fill (on this VM a second
  // thread lost 20-30 % of its time to them).
  // `nonfinite` (optional): lowered to the index of the first node whose output is not
  // finite; nodes at or after its current value are not scanned. While nothing is found it
  // first only detects (scan_plan), then reruns the batch with `exact` to name the node.
  Eigen::MatrixXf run_graph(const float* images, size_t n, std::vector<Tensor>& values, bool keep,
                            std::vector<std::vector<float>>* pool, int* nonfinite = nullptr,
                            bool exact = false) const;

  // Correctly classified images of `data` (in memory or streamed); `nonfinite` as predict's.
  size_t count_correct(const Dataset& data, int threads, int* nonfinite) const;

  std::string input_name_ = "input";
  int channels_ = 1, height_ = 28, width_ = 28;
  std::string output_;
  std::vector<Node> nodes_;
  std::vector<std::string> value_names_;  // value_names_[0] is the input
  std::vector<ValueShape> value_shapes_;  // parallel to value_names_
};

}  // namespace anvil::nn
