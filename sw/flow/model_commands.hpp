// The model-level commands: which network a name means (an ONNX file or a built-in reference
// network), its description (`anvil info`), its test accuracy (`anvil eval`) and the training
// of a reference network (`anvil train`).
#pragma once

#include <cstdint>
#include <string>

#include "nn/models.hpp"
#include "nn/network.hpp"

namespace anvil::flow {

using nn::network_names;  // built-in reference networks

struct ModelSource {
  nn::Network net;
  std::string description;  // "models/networks/lenet5.onnx (ONNX)" or "built-in lenet5 ..."
};

// `spec` ending in ".onnx" or naming an existing file is loaded with nn::load_onnx; a
// built-in name is built for input shape `in`. Throws anvil::Error otherwise.
ModelSource load_model(const std::string& spec, const nn::InputShape& in, uint64_t seed = 1);

struct InfoOptions {
  std::string model, data, data_dir;
};
// Layers and parameters of a model and/or the shape of a data set (neither: what exists).
void model_info(const InfoOptions& o);

struct EvalOptions {
  std::string model, data = "fashion-mnist", data_dir, labels;  // labels: imagenet flat folder
  int threads = 2;
};
// Top-1 accuracy on the full test split and the inference throughput.
void eval_model(const EvalOptions& o);

struct TrainOptions {
  std::string net = "lenet5", data = "fashion-mnist", data_dir, out;
  std::string optimizer = "sgd";
  int epochs = -1, batch = -1, threads = 2;
  double lr = -1, weight_decay = -1;
  int augment = -1;  // -1: network default
  uint64_t seed = 1;
  size_t train_limit = 0;  // 0: all training images
  std::string save_params, load_params;
};
// Trains a reference network (deterministic for a seed, any thread count); writes OUT.onnx and
// OUT.json when `out` is set.
void train_reference(const TrainOptions& o);

}  // namespace anvil::flow
