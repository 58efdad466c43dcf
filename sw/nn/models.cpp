#include "nn/models.hpp"

#include <cmath>
#include <initializer_list>

#include "core/error.hpp"
#include "core/random.hpp"

namespace anvil::nn {

namespace {

Param param(const std::string& name, ParamRole role, std::vector<int64_t> shape, float fill) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return {name, role, std::move(shape), std::vector<float>(static_cast<size_t>(n), fill)};
}

Node linear(const std::string& name, const std::string& in, int64_t fin, int64_t fout) {
  Node n{name, OpType::kLinear, {in}, name, {}, {}};
  n.params = {param(name + ".weight", ParamRole::kWeight, {fout, fin}, 0.0f),
              param(name + ".bias", ParamRole::kBias, {fout}, 0.0f)};
  return n;
}

Node conv(const std::string& name, const std::string& in, int64_t cin, int64_t cout, int k,
          int stride, int pad, bool bias) {
  Node n{name, OpType::kConv2d, {in}, name, {}, {}};
  n.attr.stride = {stride, stride};
  n.attr.pads = {pad, pad, pad, pad};
  n.params = {param(name + ".weight", ParamRole::kWeight, {cout, cin, k, k}, 0.0f)};
  if (bias) n.params.push_back(param(name + ".bias", ParamRole::kBias, {cout}, 0.0f));
  return n;
}

Node bn(const std::string& name, const std::string& in, int64_t c) {
  Node n{name, OpType::kBatchNorm, {in}, name, {}, {}};
  n.params = {param(name + ".weight", ParamRole::kBnScale, {c}, 1.0f),
              param(name + ".bias", ParamRole::kBnBias, {c}, 0.0f),
              param(name + ".running_mean", ParamRole::kBnMean, {c}, 0.0f),
              param(name + ".running_var", ParamRole::kBnVar, {c}, 1.0f)};
  return n;
}

Node unary(const std::string& name, OpType op, const std::string& in) {
  return Node{name, op, {in}, name, {}, {}};
}

Node pool(const std::string& name, OpType op, const std::string& in, int k, int stride) {
  Node n{name, op, {in}, name, {}, {}};
  n.attr.kernel = {k, k};
  n.attr.stride = {stride, stride};
  return n;
}

// The LeNets' classifier: flatten `in`, then fc1, fc2, ... of `widths` features (the last one
// the classes) with ReLUs numbered from `first_relu` between them.
void add_mlp(Network& net, const std::string& in, std::initializer_list<int64_t> widths,
             int first_relu) {
  net.add(unary("flatten", OpType::kFlatten, in));
  std::string x = "flatten";
  int64_t fin = net.value_shape(x)[0];
  int fc = 0, relu = first_relu;
  for (int64_t fout : widths) {
    if (fc > 0) {
      const std::string r = "relu" + std::to_string(relu++);
      net.add(unary(r, OpType::kReLU, x));
      x = r;
    }
    const std::string name = "fc" + std::to_string(++fc);
    net.add(linear(name, x, fin, fout));
    x = name;
    fin = fout;
  }
}

}  // namespace

void init_parameters(Network& net, uint64_t seed) {
  const core::RandomStream rng(seed, 0x4E4E494E4954ull);  // "NNINIT"
  uint64_t stream = 0;
  for (auto& node : net.nodes()) {
    for (auto& p : node.params) {
      ++stream;
      switch (p.role) {
        case ParamRole::kWeight: {
          // He-normal: keeps activation variance through ReLU layers.
          int64_t fan_in = 1;
          for (size_t i = 1; i < p.shape.size(); ++i) fan_in *= p.shape[i];
          const double sd = std::sqrt(2.0 / static_cast<double>(fan_in));
          const core::RandomStream s = rng.child(stream);
          for (size_t i = 0; i < p.data.size(); ++i)
            p.data[i] = static_cast<float>(sd * s.normal(i, core::Draw::kUser));
          break;
        }
        case ParamRole::kBias:
        case ParamRole::kBnBias:
        case ParamRole::kBnMean:
          std::fill(p.data.begin(), p.data.end(), 0.0f);
          break;
        case ParamRole::kBnScale:
        case ParamRole::kBnVar:
          std::fill(p.data.begin(), p.data.end(), 1.0f);
          break;
      }
    }
  }
}

Network build_lenet300(const InputShape& in, uint64_t seed) {
  Network net("input", in.channels, in.height, in.width);
  add_mlp(net, "input", {300, 100, in.classes}, 1);
  init_parameters(net, seed);
  return net;
}

Network build_lenet5(const InputShape& in, uint64_t seed) {
  Network net("input", in.channels, in.height, in.width);
  net.add(conv("conv1", "input", in.channels, 6, 5, 1, 2, true));
  net.add(unary("relu1", OpType::kReLU, "conv1"));
  net.add(pool("pool1", OpType::kMaxPool2d, "relu1", 2, 2));
  net.add(conv("conv2", "pool1", 6, 16, 5, 1, 0, true));
  net.add(unary("relu2", OpType::kReLU, "conv2"));
  net.add(pool("pool2", OpType::kMaxPool2d, "relu2", 2, 2));
  add_mlp(net, "pool2", {120, 84, in.classes}, 3);
  init_parameters(net, seed);
  return net;
}

// Stem: conv 3x3 (16 ch) + BN + ReLU, max-pool 2 (14x14). Residual blocks
// (conv3x3-BN-ReLU-conv3x3-BN + shortcut, ReLU): 16 ch at 14x14, 32 ch at 7x7 and 80 ch at
// 4x4 (stride 2, shortcut 1x1 conv + BN). Global average pool, Linear. ~104 k weights,
// ~3.0 M multiply-adds per 28x28 image: sized to train on 2 shared cores in minutes.
Network build_resnet(const InputShape& in, uint64_t seed) {
  constexpr int kStem = 16;
  Network net("input", in.channels, in.height, in.width);
  net.add(conv("conv1", "input", in.channels, kStem, 3, 1, 1, false));
  net.add(bn("bn1", "conv1", kStem));
  net.add(unary("relu1", OpType::kReLU, "bn1"));
  net.add(pool("pool1", OpType::kMaxPool2d, "relu1", 2, 2));
  std::string x = "pool1";
  int c = kStem;
  auto block = [&](const std::string& p, int cout, int stride) {
    net.add(conv(p + ".conv1", x, c, cout, 3, stride, 1, false));
    net.add(bn(p + ".bn1", p + ".conv1", cout));
    net.add(unary(p + ".relu1", OpType::kReLU, p + ".bn1"));
    net.add(conv(p + ".conv2", p + ".relu1", cout, cout, 3, 1, 1, false));
    net.add(bn(p + ".bn2", p + ".conv2", cout));
    std::string shortcut = x;
    if (stride != 1 || cout != c) {
      net.add(conv(p + ".downsample.0", x, c, cout, 1, stride, 0, false));
      net.add(bn(p + ".downsample.1", p + ".downsample.0", cout));
      shortcut = p + ".downsample.1";
    }
    net.add(Node{p + ".add", OpType::kAdd, {p + ".bn2", shortcut}, p + ".add", {}, {}});
    net.add(unary(p + ".relu2", OpType::kReLU, p + ".add"));
    x = p + ".relu2";
    c = cout;
  };
  block("layer1", 16, 1);
  block("layer2", 32, 2);
  block("layer3", 80, 2);
  net.add(unary("gap", OpType::kGlobalAveragePool, x));
  net.add(unary("flatten", OpType::kFlatten, "gap"));
  net.add(linear("fc", "flatten", c, in.classes));
  init_parameters(net, seed);
  return net;
}

namespace {

// One torchvision block at `x` (c channels) with `planes` inner channels; returns its output.
std::string resnet_block(Network& net, const std::string& p, std::string x, int64_t& c,
                         int64_t planes, int stride, bool bottleneck) {
  const int64_t out = bottleneck ? planes * 4 : planes;
  auto conv_bn = [&](const std::string& name, const std::string& in, int64_t cin, int64_t cout,
                     int k, int s, bool relu) {
    net.add(conv(p + ".conv" + name, in, cin, cout, k, s, k / 2, false));
    net.add(bn(p + ".bn" + name, p + ".conv" + name, cout));
    if (!relu) return p + ".bn" + name;
    net.add(unary(p + ".relu" + name, OpType::kReLU, p + ".bn" + name));
    return p + ".relu" + name;
  };
  std::string y;
  if (bottleneck) {
    y = conv_bn("1", x, c, planes, 1, 1, true);
    y = conv_bn("2", y, planes, planes, 3, stride, true);
    y = conv_bn("3", y, planes, out, 1, 1, false);
  } else {
    y = conv_bn("1", x, c, planes, 3, stride, true);
    y = conv_bn("2", y, planes, planes, 3, 1, false);
  }
  if (stride != 1 || out != c) {
    net.add(conv(p + ".downsample.0", x, c, out, 1, stride, 0, false));
    net.add(bn(p + ".downsample.1", p + ".downsample.0", out));
    x = p + ".downsample.1";
  }
  net.add(Node{p + ".add", OpType::kAdd, {y, x}, p + ".add", {}, {}});
  net.add(unary(p + ".relu", OpType::kReLU, p + ".add"));
  c = out;
  return p + ".relu";
}

}  // namespace

Network build_resnet_v1(const std::string& arch, const InputShape& in, uint64_t seed,
                        int width_div) {
  const bool cifar = arch == "resnet18-cifar", bottleneck = arch == "resnet50";
  if (!cifar && !bottleneck && arch != "resnet18")
    throw Error("--net", arch, "unknown ResNet (resnet18, resnet18-cifar, resnet50)");
  if (width_div < 1 || 64 % width_div != 0) throw Error(arch, "width_div", "must divide 64");
  const int64_t stem = 64 / width_div;
  Network net("input", in.channels, in.height, in.width);
  net.add(conv("conv1", "input", in.channels, stem, cifar ? 3 : 7, cifar ? 1 : 2, cifar ? 1 : 3,
               false));
  net.add(bn("bn1", "conv1", stem));
  net.add(unary("relu", OpType::kReLU, "bn1"));
  std::string x = "relu";
  if (!cifar) {
    Node mp = pool("maxpool", OpType::kMaxPool2d, "relu", 3, 2);
    mp.attr.pads = {1, 1, 1, 1};
    net.add(std::move(mp));
    x = "maxpool";
  }
  const int blocks18[4] = {2, 2, 2, 2}, blocks50[4] = {3, 4, 6, 3};
  int64_t c = stem;
  for (int l = 0; l < 4; ++l)
    for (int b = 0; b < (bottleneck ? blocks50[l] : blocks18[l]); ++b)
      x = resnet_block(net, "layer" + std::to_string(l + 1) + "." + std::to_string(b), x, c,
                       stem << l, b == 0 && l > 0 ? 2 : 1, bottleneck);
  net.add(unary("avgpool", OpType::kGlobalAveragePool, x));
  net.add(unary("flatten", OpType::kFlatten, "avgpool"));
  net.add(linear("fc", "flatten", c, in.classes));
  init_parameters(net, seed);
  return net;
}

std::vector<std::string> network_names() {
  return {"lenet300", "lenet5", "resnet"};
}

Network build_network(const std::string& name, const InputShape& in, uint64_t seed) {
  if (name == "lenet300") return build_lenet300(in, seed);
  if (name == "lenet5") return build_lenet5(in, seed);
  if (name == "resnet") return build_resnet(in, seed);
  throw Error("--net", name, "unknown network (lenet300, lenet5, resnet)");
}

}  // namespace anvil::nn
