// ONNX import and export of networks.
//
// Export (opset 13, IR 7): Linear -> Gemm (transB = 1), Conv2d -> Conv, ReLU -> Relu,
// MaxPool2d -> MaxPool, AvgPool2d -> AveragePool, GlobalAveragePool, BatchNorm ->
// BatchNormalization, Add, Flatten (axis 1), Softmax (axis 1). Parameters become float32
// initializers (raw_data) under their ParamRef names, so save + load is bit-exact.
//
// Import: graphs of Gemm, MatMul (+ Add of a constant bias, fused into one Linear), Conv,
// Relu, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization, Add (same shapes),
// Flatten (axis 1), Reshape (to [N, -1]), Softmax (last axis), plus Constant, Identity and
// Dropout (inference: identity). One float32 input [N, C, H, W] or [N, F]; one output
// [N, classes]. Weights must be initializers (raw_data or float_data; float32 or float64),
// finite; initializer names become the ParamRef names. Anything else is rejected with one
// anvil::Error naming the file, the field (e.g. "node 'conv3' (Conv) attribute group") and
// the rule.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "nn/network.hpp"

namespace anvil::nn {

inline constexpr int kOnnxOpset = 13;

// Serialized ModelProto of `net`.
std::string onnx_bytes(const Network& net);

// Writes `net` to `path` atomically (temporary file + rename).
void save_onnx(const Network& net, const std::filesystem::path& path);

// Parses a serialized ModelProto; `source` names it in errors (the file path).
Network parse_onnx(std::string_view bytes, const std::string& source);

// Reads and parses the ONNX file at `path`.
Network load_onnx(const std::filesystem::path& path);

}  // namespace anvil::nn
