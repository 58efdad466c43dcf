#include "compress/noise.hpp"

#include <algorithm>

#include "compress/tensors.hpp"
#include "core/error.hpp"

namespace anvil::compress {

void apply_noise(nn::Network& net, const WeightNoise& noise,
                 const std::vector<std::string>& tensors, uint64_t step) {
  require(static_cast<bool>(noise), "noise", "callback", "no weight noise given");
  for (const auto& t : tensors) param(net, t, "noise");  // every name must exist
  for (auto& node : net.nodes())
    for (auto& p : node.params)
      if (std::find(tensors.begin(), tensors.end(), p.name) != tensors.end())
        noise(p.name, std::span<float>(p.data), step);
}

ForwardTransform noise_transform(WeightNoise noise, std::vector<std::string> tensors) {
  require(static_cast<bool>(noise), "noise", "callback", "no weight noise given");
  return [noise = std::move(noise), tensors = std::move(tensors)](nn::Network& fwd, uint64_t step) {
    apply_noise(fwd, noise, tensors, step);
  };
}

ForwardTransform chain_transforms(ForwardTransform first, ForwardTransform second) {
  return [a = std::move(first), b = std::move(second)](nn::Network& fwd, uint64_t step) {
    if (a) a(fwd, step);
    if (b) b(fwd, step);
  };
}

}  // namespace anvil::compress
