// Knowledge distillation (Hinton et al. 2015): a student learns from the teacher's softened
// outputs as well as from the labels, through nn::TrainConfig's teacher hook.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/models.hpp"
#include "nn/network.hpp"
#include "nn/train.hpp"

namespace anvil::compress {

// Trains `student` in place with loss alpha * T^2 * KL(teacher_T || student_T) + (1 - alpha)
// * CE; `cfg`'s own teacher fields are overridden. The teacher must take the same input and
// give as many classes.
nn::TrainResult distill(nn::Network& student, const nn::Network& teacher, const nn::Dataset& train,
                        const nn::Dataset& test, nn::TrainConfig cfg, double temperature = 4.0,
                        double alpha = 0.7);

// A small fully connected student: Flatten, then Linear + ReLU per hidden width, then Linear
// to the classes; nodes "flatten", "fc1", "relu1", ...; He-normal from `seed` as the
// reference builders.
nn::Network build_mlp(const nn::InputShape& in, const std::vector<int>& hidden, uint64_t seed);

}  // namespace anvil::compress
