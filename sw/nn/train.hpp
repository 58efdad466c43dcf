// Training: softmax cross-entropy, SGD with momentum + weight decay (or Adam), cosine
// learning-rate schedule, shuffling and augmentation from the counter-based RNG.
//
// Determinism: each mini-batch is split into a fixed number of shards (`shards`, independent
// of `threads`); every shard's gradient is computed on its own and the shard gradients are
// summed in shard order. BatchNorm uses per-shard batch statistics ("ghost" batch norm).
// So a run is bit-identical for a given seed and build whatever the thread count.
//
// Compression hooks (TrainConfig, all off by default; unused, training is unchanged bit for
// bit): a straight-through forward transform (quantization-aware or noise-aware training),
// a hook after every optimiser step (pruning masks), and knowledge distillation from a teacher.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nn/dataset.hpp"
#include "nn/network.hpp"

namespace anvil::nn {

enum class Optimizer { kSgd, kAdam };

struct TrainConfig {
  int epochs = 10;
  int batch = 64;   // mini-batch size (images per optimiser step)
  int shards = 4;   // batch split into this many shards, computed in parallel
  int threads = 2;  // workers; does not change the result
  Optimizer optimizer = Optimizer::kSgd;
  double lr = 0.05;            // peak learning rate
  double momentum = 0.9;       // SGD momentum (Adam: beta1)
  double weight_decay = 5e-4;  // L2 on weights (not on biases or BatchNorm parameters)
  int warmup_epochs = 0;       // linear warm-up, then cosine decay to 0 at the end
  bool augment = false;        // random shift by up to `shift_px` (zero pad) + horizontal flip
  int shift_px = 2;
  bool flip = true;
  uint64_t seed = 1;  // shuffling, augmentation

  // Straight-through estimator: before every step the (float) weights being trained are
  // copied into a forward network, this perturbs that copy in place (quantize, sample a
  // storage read-back, mask), the gradients are computed on the copy and applied to the
  // float weights. Called once per step on the calling thread before the shards run, so a
  // deterministic transform keeps training deterministic for any thread count. `step` counts
  // optimiser steps from 0 over the whole run. It must not change shapes or the graph.
  // Epoch test accuracies are those of the float weights.
  std::function<void(Network& fwd, uint64_t step)> forward_transform;
  // Called after every optimiser step with the trained network (e.g. re-apply pruning masks,
  // so pruned weights stay exactly zero).
  std::function<void(Network&)> after_step;
  // Knowledge distillation: if set, the loss is
  //   alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T)) + (1 - alpha) * CE,
  // teacher logits computed per shard, in eval mode, on the same (augmented) images. The
  // teacher must take the same input and give as many classes; it must outlive train().
  const Network* teacher = nullptr;
  double temperature = 4.0;    // T > 0
  double distill_alpha = 0.7;  // in [0, 1]
};

struct EpochStats {
  int epoch = 0;              // 1-based
  double loss = 0;            // mean training loss over the epoch
  double train_accuracy = 0;  // on the training batches as seen (augmented, train mode)
  double test_accuracy = -1;  // full test split in eval mode; -1 if no test set
  double seconds = 0;         // wall time of the epoch's training (not evaluation)
};

struct TrainResult {
  std::vector<EpochStats> epochs;
  double train_seconds = 0;
  double test_accuracy = -1;
};

// Trains `net` in place. `test` may be empty (size 0): then no test accuracy is computed.
TrainResult train(Network& net, const Dataset& train_set, const Dataset& test,
                  const TrainConfig& cfg,
                  const std::function<void(const EpochStats&)>& on_epoch = {});

// Mean softmax cross-entropy of logits [n, classes] against labels, and its gradient
// d loss / d logits (same shape; already divided by `divisor`, e.g. the batch size).
double softmax_cross_entropy(const Eigen::MatrixXf& logits, const uint8_t* labels,
                             Eigen::MatrixXf* grad, double divisor);

// Mean cross-entropy of `n` images and its gradient with respect to every parameter, in
// parameters() order (running statistics get zeros). BatchNorm uses the batch statistics
// (train mode) if `batch_stats`, else its running statistics (the gradient of the network as
// it infers; what per-image importance wants). One shard, one thread; for tests and tools.
double loss_and_gradients(const Network& net, const float* images, const uint8_t* labels, size_t n,
                          std::vector<std::vector<float>>* grads, bool batch_stats = true);

}  // namespace anvil::nn
