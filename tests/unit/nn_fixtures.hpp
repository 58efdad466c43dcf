// Random inputs and parameters for the nn tests: normal draws from the counter-based stream,
// one stream per tensor, so every tensor is reproducible on its own for a seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/random.hpp"
#include "nn/layers.hpp"

namespace anvil::test {

class RandomFill {
 public:
  // param_scale: standard deviation of parameters (inputs are standard normal).
  explicit RandomFill(uint64_t seed, double param_scale = 1.0)
      : seed_(seed), param_scale_(param_scale) {}

  std::vector<float> randn(size_t n, uint64_t stream, double scale = 1.0) const {
    const core::RandomStream r(seed_, stream);
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i)
      v[i] = static_cast<float>(scale * r.normal(i, core::Draw::kUser));
    return v;
  }

  nn::Tensor tensor(std::vector<int64_t> shape, uint64_t stream) const {
    nn::Tensor t;
    t.resize(std::move(shape));
    t.data = randn(t.size(), stream);
    return t;
  }

  nn::Param param(const std::string& name, nn::ParamRole role, std::vector<int64_t> shape,
                  uint64_t stream) const {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return {name, role, shape, randn(static_cast<size_t>(n), stream, param_scale_)};
  }

 private:
  uint64_t seed_;
  double param_scale_;
};

}  // namespace anvil::test
