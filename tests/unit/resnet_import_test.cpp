// ResNet-18 (CIFAR and ImageNet stems) and ResNet-50 (bottleneck blocks) in torchvision's
// layout: built by anvil with random BatchNorm statistics, exported to ONNX (opset 13),
// imported, BatchNorm folded, and run by the inference engine; the logits must match an
// independent plain-loop reference (double precision, unfolded graph) within float
// tolerance. Widths are divided (same topology, same strides, pads and 7x7/2 stem, 3x3/2
// max pool with padding) and inputs are 64x64 so the reference runs in seconds;
// bench/resnet_bench.py checks the full-size networks against PyTorch.
#define BOOST_TEST_MODULE resnet_import
#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "core/error.hpp"
#include "core/random.hpp"
#include "nn/models.hpp"
#include "nn/onnx_io.hpp"

using namespace anvil;
using namespace anvil::nn;

namespace {

const uint64_t kSeed = core::seed_from_env("ANVIL_TEST_SEED", 1313);

struct Act {
  int64_t c = 0, h = 1, w = 1;
  std::vector<double> v;
  double& at(int64_t ci, int64_t y, int64_t x) {
    return v[static_cast<size_t>((ci * h + y) * w + x)];
  }
  double get(int64_t ci, int64_t y, int64_t x) const {
    return v[static_cast<size_t>((ci * h + y) * w + x)];
  }
};

// Window op (conv or max pool) output size.
int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t p0, int64_t p1) {
  return (in + p0 + p1 - k) / s + 1;
}

Act conv_ref(const Node& n, const Act& x) {
  const Param& w = n.params[0];
  const int64_t oc = w.shape[0], k = w.shape[2], s = n.attr.stride[0];
  const auto& p = n.attr.pads;
  Act y{oc, out_size(x.h, k, s, p[0], p[2]), out_size(x.w, k, s, p[1], p[3]), {}};
  y.v.assign(static_cast<size_t>(y.c * y.h * y.w), 0.0);
  for (int64_t o = 0; o < oc; ++o)
    for (int64_t yy = 0; yy < y.h; ++yy)
      for (int64_t xx = 0; xx < y.w; ++xx) {
        double acc = n.params.size() > 1 ? n.params[1].data[static_cast<size_t>(o)] : 0.0;
        for (int64_t ci = 0; ci < x.c; ++ci)
          for (int64_t u = 0; u < k; ++u)
            for (int64_t v = 0; v < k; ++v) {
              const int64_t iy = yy * s - p[0] + u, ix = xx * s - p[1] + v;
              if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
              acc +=
                  w.data[static_cast<size_t>(((o * x.c + ci) * k + u) * k + v)] * x.get(ci, iy, ix);
            }
        y.at(o, yy, xx) = acc;
      }
  return y;
}

Act max_pool_ref(const Node& n, const Act& x) {
  const int64_t k = n.attr.kernel[0], s = n.attr.stride[0];
  const auto& p = n.attr.pads;
  Act y{x.c, out_size(x.h, k, s, p[0], p[2]), out_size(x.w, k, s, p[1], p[3]), {}};
  y.v.assign(static_cast<size_t>(y.c * y.h * y.w), 0.0);
  for (int64_t c = 0; c < x.c; ++c)
    for (int64_t yy = 0; yy < y.h; ++yy)
      for (int64_t xx = 0; xx < y.w; ++xx) {
        double m = -std::numeric_limits<double>::infinity();
        for (int64_t u = 0; u < k; ++u)
          for (int64_t v = 0; v < k; ++v) {
            const int64_t iy = yy * s - p[0] + u, ix = xx * s - p[1] + v;
            if (iy >= 0 && iy < x.h && ix >= 0 && ix < x.w) m = std::max(m, x.get(c, iy, ix));
          }
        y.at(c, yy, xx) = m;
      }
  return y;
}

Act node_ref(const Node& n, const std::vector<const Act*>& in) {
  const Act& x = *in[0];
  Act y = x;
  switch (n.op) {
    case OpType::kConv2d:
      return conv_ref(n, x);
    case OpType::kMaxPool2d:
      return max_pool_ref(n, x);
    case OpType::kBatchNorm: {
      const int64_t s = x.h * x.w;
      for (int64_t c = 0; c < x.c; ++c) {
        const auto i = static_cast<size_t>(c);
        const double a =
            n.params[0].data[i] / std::sqrt(double{n.params[3].data[i]} + n.attr.epsilon);
        for (int64_t k = 0; k < s; ++k)
          y.v[static_cast<size_t>(c * s + k)] =
              a * (x.v[static_cast<size_t>(c * s + k)] - n.params[2].data[i]) + n.params[1].data[i];
      }
      return y;
    }
    case OpType::kReLU:
      for (double& v : y.v) v = std::max(v, 0.0);
      return y;
    case OpType::kAdd:
      for (size_t i = 0; i < y.v.size(); ++i) y.v[i] += in[1]->v[i];
      return y;
    case OpType::kGlobalAveragePool: {
      Act g{x.c, 1, 1, std::vector<double>(static_cast<size_t>(x.c), 0.0)};
      for (int64_t c = 0; c < x.c; ++c) {
        for (int64_t k = 0; k < x.h * x.w; ++k)
          g.v[static_cast<size_t>(c)] += x.v[static_cast<size_t>(c * x.h * x.w + k)];
        g.v[static_cast<size_t>(c)] /= static_cast<double>(x.h * x.w);
      }
      return g;
    }
    case OpType::kFlatten:
      return Act{static_cast<int64_t>(x.v.size()), 1, 1, x.v};
    case OpType::kLinear: {
      const Param& w = n.params[0];
      Act o{w.shape[0], 1, 1, std::vector<double>(static_cast<size_t>(w.shape[0]), 0.0)};
      for (int64_t r = 0; r < w.shape[0]; ++r) {
        double acc = n.params[1].data[static_cast<size_t>(r)];
        for (int64_t k = 0; k < w.shape[1]; ++k)
          acc += w.data[static_cast<size_t>(r * w.shape[1] + k)] * x.v[static_cast<size_t>(k)];
        o.v[static_cast<size_t>(r)] = acc;
      }
      return o;
    }
    default:
      BOOST_FAIL("reference has no " << op_name(n.op));
  }
  return y;
}

std::vector<double> forward_ref(const Network& net, const float* image) {
  std::map<std::string, Act> values;
  Act in{net.channels(), net.height(), net.width(),
         std::vector<double>(image, image + net.input_size())};
  values[net.input_name()] = std::move(in);
  for (const auto& n : net.nodes()) {
    std::vector<const Act*> args;
    for (const auto& v : n.inputs) args.push_back(&values.at(v));
    values[n.output] = node_ref(n, args);
  }
  return values.at(net.output_name()).v;
}

// Seeded BatchNorm statistics and a non-zero fc bias, so folding and biases matter.
void perturb(Network& net) {
  const core::RandomStream r(kSeed, 99);
  uint64_t k = 0;
  for (auto p : net.parameters()) {
    for (size_t i = 0; i < p.size; ++i, ++k) {
      const double u = r.uniform(k, core::Draw::kUser);
      if (p.role == ParamRole::kBnScale) p.data[i] = static_cast<float>(0.5 + u);
      if (p.role == ParamRole::kBnVar) p.data[i] = static_cast<float>(0.5 + u);
      if (p.role == ParamRole::kBnMean || p.role == ParamRole::kBnBias ||
          p.role == ParamRole::kBias)
        p.data[i] = static_cast<float>(0.2 * (u - 0.5));
    }
  }
}

void check_arch(const std::string& arch, int size, int classes, int width_div) {
  Network built = build_resnet_v1(arch, {3, size, size, classes}, kSeed, width_div);
  perturb(built);
  const auto file = std::filesystem::temp_directory_path() /
                    ("anvil_resnet_" + arch + "_" + std::to_string(::getpid()) + ".onnx");
  save_onnx(built, file);
  const Network net = load_onnx(file).fold_batchnorm();
  std::filesystem::remove(file);
  BOOST_TEST(net.classes() == classes);
  const size_t n = 2;
  const core::RandomStream r(kSeed, 7);
  std::vector<float> x(n * net.input_size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(r.normal(i, core::Draw::kUser));
  const Eigen::MatrixXf y = net.forward(x.data(), n);
  for (size_t i = 0; i < n; ++i) {
    const auto want = forward_ref(built, x.data() + i * net.input_size());
    BOOST_TEST_REQUIRE(want.size() == static_cast<size_t>(classes));
    double scale = 0, diff = 0;
    for (int k = 0; k < classes; ++k) {
      scale = std::max(scale, std::abs(want[static_cast<size_t>(k)]));
      diff = std::max(diff,
                      std::abs(y(static_cast<Eigen::Index>(i), k) - want[static_cast<size_t>(k)]));
    }
    BOOST_TEST_MESSAGE(arch << " image " << i << ": max |logit| " << scale << ", max diff "
                            << diff);
    BOOST_TEST(scale > 1e-3);
    BOOST_TEST(diff <= 1e-4 * std::max(1.0, scale), arch << " image " << i << ": diff " << diff);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(resnet18_cifar_matches_reference) {
  check_arch("resnet18-cifar", 32, 10, 8);
}

BOOST_AUTO_TEST_CASE(resnet18_imagenet_matches_reference) {
  check_arch("resnet18", 64, 100, 8);
}

BOOST_AUTO_TEST_CASE(resnet50_matches_reference) {
  check_arch("resnet50", 64, 100, 16);
}

BOOST_AUTO_TEST_CASE(resnet_shapes_follow_torchvision) {
  const Network r18 = build_resnet_v1("resnet18", {3, 224, 224, 1000}, 1);
  const Network r50 = build_resnet_v1("resnet50", {3, 224, 224, 1000}, 1);
  const Network r18c = build_resnet_v1("resnet18-cifar", {3, 32, 32, 10}, 1);
  auto weights = [](const Network& n) {
    size_t w = 0;
    for (const auto& p : n.parameters())
      if (p.role == ParamRole::kWeight || p.role == ParamRole::kBias ||
          p.role == ParamRole::kBnScale || p.role == ParamRole::kBnBias)
        w += p.size;
    return w;
  };
  BOOST_TEST(weights(r18) == 11689512u);  // torchvision resnet18: 11,689,512 parameters
  BOOST_TEST(weights(r50) == 25557032u);  // torchvision resnet50: 25,557,032
  BOOST_TEST(weights(r18c) == 11173962u);
  BOOST_TEST((r18.value_shape("maxpool") == ValueShape{64, 56, 56}));
  BOOST_TEST((r50.value_shape("layer4.2.relu") == ValueShape{2048, 7, 7}));
  BOOST_TEST((r18c.value_shape("layer4.1.relu") == ValueShape{512, 4, 4}));
  BOOST_CHECK_THROW(build_resnet_v1("resnet34", {3, 224, 224, 1000}, 1), Error);
}

// predict() on a network large enough that its batches shrink below 50 (ResNet-18 / 8 at
// 224x224: its workers recycle value buffers through a pool) must classify every image as
// forward() does one image at a time (values freed at last use), for 1 and 2 threads, and a
// second call must give the same answer (buffers reused, not stale).
BOOST_AUTO_TEST_CASE(predict_with_recycled_buffers_matches_forward) {
  Network net = build_resnet_v1("resnet18", {3, 224, 224, 1000}, kSeed, 8).fold_batchnorm();
  // Without the classifier's bias (which alone decides a random network's class) the class
  // follows the image.
  for (auto& p : net.nodes().back().params)
    if (p.role == ParamRole::kBias) std::fill(p.data.begin(), p.data.end(), 0.0f);
  const size_t n = 7, size = net.input_size();
  std::vector<float> x(n * size);
  const anvil::core::RandomStream rng(5, 0);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(rng.normal(i, anvil::core::Draw::kUser) * double(1 + i / size) +
                              double(i / size % 3) - 1.0);  // images differ in scale and mean
  std::vector<int> want;
  for (size_t i = 0; i < n; ++i) {
    const Eigen::MatrixXf y = net.forward(x.data() + i * size, 1);
    Eigen::Index arg = 0;
    y.row(0).maxCoeff(&arg);
    want.push_back(static_cast<int>(arg));
  }
  BOOST_TEST(std::set<int>(want.begin(), want.end()).size() > 1u);  // not one constant class
  for (int threads : {1, 2}) {
    BOOST_TEST(net.predict(x.data(), n, threads) == want, "threads " << threads);
    BOOST_TEST(net.predict(x.data(), n, threads) == want, "threads " << threads << ", again");
  }
}
