#include "compress/distill.hpp"

#include <string>

#include "core/error.hpp"

namespace anvil::compress {

nn::TrainResult distill(nn::Network& student, const nn::Network& teacher, const nn::Dataset& train,
                        const nn::Dataset& test, nn::TrainConfig cfg, double temperature,
                        double alpha) {
  cfg.teacher = &teacher;
  cfg.temperature = temperature;
  cfg.distill_alpha = alpha;
  return nn::train(student, train, test, cfg);
}

nn::Network build_mlp(const nn::InputShape& in, const std::vector<int>& hidden, uint64_t seed) {
  require(in.channels >= 1 && in.height >= 1 && in.width >= 1 && in.classes >= 2, "build_mlp",
          "input", "needs a positive image shape and at least 2 classes");
  nn::Network net("input", in.channels, in.height, in.width);
  net.add(nn::Node{"flatten", nn::OpType::kFlatten, {"input"}, "flatten", {}, {}});
  std::string x = "flatten";
  int64_t fin = static_cast<int64_t>(in.channels) * in.height * in.width;
  auto linear = [&](const std::string& name, int64_t fout) {
    nn::Node n{name, nn::OpType::kLinear, {x}, name, {}, {}};
    n.params = {{name + ".weight",
                 nn::ParamRole::kWeight,
                 {fout, fin},
                 std::vector<float>(static_cast<size_t>(fout * fin))},
                {name + ".bias", nn::ParamRole::kBias, {fout}, std::vector<float>(fout)}};
    net.add(std::move(n));
    x = name;
    fin = fout;
  };
  for (size_t i = 0; i < hidden.size(); ++i) {
    require(hidden[i] >= 1, "build_mlp", "hidden", "widths must be >= 1");
    const std::string k = std::to_string(i + 1);
    linear("fc" + k, hidden[i]);
    net.add(nn::Node{"relu" + k, nn::OpType::kReLU, {x}, "relu" + k, {}, {}});
    x = "relu" + k;
  }
  linear("fc" + std::to_string(hidden.size() + 1), in.classes);
  nn::init_parameters(net, seed);
  return net;
}

}  // namespace anvil::compress
