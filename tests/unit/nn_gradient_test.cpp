// Finite-difference checks of every layer's backward pass (inputs and parameters), and of
// the whole-graph gradient of a small residual network with BatchNorm in train mode.
// Loss L = sum(out * R) for a random R; central differences in double around float kernels.
#define BOOST_TEST_MODULE nn_gradient
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <functional>

#include "core/random.hpp"
#include "nn/layers.hpp"
#include "nn/models.hpp"
#include "nn/train.hpp"
#include "nn_fixtures.hpp"

using namespace anvil::nn;

namespace {

const uint64_t kSeed = anvil::core::seed_from_env("ANVIL_TEST_SEED", 12345);
const anvil::test::RandomFill rnd(kSeed, 0.5);

// Numeric vs analytic gradients of L = sum(node(inputs) * R).
void check_node(Node node, std::vector<Tensor> inputs, bool train, double eps = 1e-2,
                double tol = 2e-2) {
  auto loss = [&](const Tensor& r) {
    std::vector<const Tensor*> in;
    for (auto& t : inputs) in.push_back(&t);
    Tensor out;
    forward_node(node, in, out, train, nullptr);
    double l = 0;
    for (size_t i = 0; i < out.size(); ++i) l += static_cast<double>(out.data[i]) * r.data[i];
    return l;
  };
  std::vector<const Tensor*> in;
  for (auto& t : inputs) in.push_back(&t);
  Tensor out;
  NodeCache cache;
  forward_node(node, in, out, train, &cache);
  Tensor r = rnd.tensor(out.shape, 99);
  std::vector<Tensor> din(inputs.size());
  std::vector<Tensor*> dinp;
  for (size_t i = 0; i < inputs.size(); ++i) {
    din[i].zero_like(inputs[i]);
    dinp.push_back(&din[i]);
  }
  std::vector<std::vector<float>> dparams;
  for (auto& p : node.params) dparams.emplace_back(p.data.size(), 0.0f);
  backward_node(node, in, out, r, cache, dinp, dparams);

  auto compare = [&](float& x, double analytic, const std::string& what) {
    const float saved = x;
    x = static_cast<float>(saved + eps);
    const double lp = loss(r);
    x = static_cast<float>(saved - eps);
    const double lm = loss(r);
    x = saved;
    const double numeric = (lp - lm) / (2 * eps);
    const double err = std::abs(numeric - analytic) / std::max(1.0, std::abs(numeric));
    BOOST_TEST(err < tol, op_name(node.op) << " " << what << ": numeric " << numeric << " analytic "
                                           << analytic);
  };
  for (size_t i = 0; i < inputs.size(); ++i)
    for (size_t k = 0; k < inputs[i].size(); k += 1 + inputs[i].size() / 40)
      compare(inputs[i].data[k], din[i].data[k],
              "d input" + std::to_string(i) + "[" + std::to_string(k) + "]");
  for (size_t j = 0; j < node.params.size(); ++j) {
    if (node.params[j].role == ParamRole::kBnMean || node.params[j].role == ParamRole::kBnVar)
      continue;
    for (size_t k = 0; k < node.params[j].data.size(); k += 1 + node.params[j].data.size() / 40)
      compare(node.params[j].data[k], dparams[j][k],
              node.params[j].name + "[" + std::to_string(k) + "]");
  }
}

Node make(OpType op, std::vector<Param> params = {}) {
  Node n{"n", op, {"x"}, "y", {}, std::move(params)};
  return n;
}

// Moves values away from 0 so ReLU kinks are not crossed by +-eps.
void away_from_zero(Tensor& t) {
  for (auto& v : t.data) v = v >= 0 ? v + 0.1f : v - 0.1f;
}

// Distinct values on a spread-out grid so the max of a pooling window is stable under +-eps.
void distinct(Tensor& t) {
  for (size_t i = 0; i < t.size(); ++i) t.data[i] = 0.05f * static_cast<float>((i * 37) % t.size());
}

}  // namespace

BOOST_AUTO_TEST_CASE(linear_gradients) {
  Node n = make(OpType::kLinear, {rnd.param("w", ParamRole::kWeight, {5, 7}, 1),
                                  rnd.param("b", ParamRole::kBias, {5}, 2)});
  check_node(n, {rnd.tensor({3, 7}, 3)}, true);
}

BOOST_AUTO_TEST_CASE(conv2d_gradients) {
  Node n = make(OpType::kConv2d, {rnd.param("w", ParamRole::kWeight, {4, 3, 3, 3}, 4),
                                  rnd.param("b", ParamRole::kBias, {4}, 5)});
  n.attr.pads = {1, 1, 1, 1};
  check_node(n, {rnd.tensor({2, 3, 6, 5}, 6)}, true);
  n.attr.stride = {2, 2};
  n.attr.pads = {1, 0, 1, 2};
  check_node(n, {rnd.tensor({2, 3, 7, 6}, 7)}, true);
}

BOOST_AUTO_TEST_CASE(conv2d_pointwise_gradients) {
  Node n = make(OpType::kConv2d, {rnd.param("w", ParamRole::kWeight, {4, 3, 1, 1}, 8)});
  check_node(n, {rnd.tensor({2, 3, 4, 4}, 9)}, true);
  n.attr.stride = {2, 2};
  check_node(n, {rnd.tensor({2, 3, 5, 5}, 10)}, true);
}

BOOST_AUTO_TEST_CASE(relu_gradients) {
  Tensor x = rnd.tensor({2, 3, 4, 4}, 11);
  away_from_zero(x);
  check_node(make(OpType::kReLU), {x}, true);
}

BOOST_AUTO_TEST_CASE(maxpool_gradients) {
  Node n = make(OpType::kMaxPool2d);
  n.attr.kernel = {2, 2};
  n.attr.stride = {2, 2};
  Tensor x = rnd.tensor({2, 2, 6, 6}, 12);
  distinct(x);
  check_node(n, {x}, true);
  n.attr.kernel = {3, 3};
  n.attr.pads = {1, 1, 1, 1};
  check_node(n, {x}, true);
}

BOOST_AUTO_TEST_CASE(avgpool_gradients) {
  Node n = make(OpType::kAvgPool2d);
  n.attr.kernel = {3, 3};
  n.attr.stride = {2, 2};
  n.attr.pads = {1, 1, 1, 1};
  check_node(n, {rnd.tensor({2, 2, 7, 6}, 13)}, true);
  n.attr.count_include_pad = true;
  check_node(n, {rnd.tensor({2, 2, 7, 6}, 14)}, true);
}

BOOST_AUTO_TEST_CASE(global_average_pool_gradients) {
  check_node(make(OpType::kGlobalAveragePool), {rnd.tensor({2, 3, 4, 5}, 15)}, true);
}

BOOST_AUTO_TEST_CASE(batchnorm_gradients) {
  std::vector<Param> p = {
      rnd.param("s", ParamRole::kBnScale, {3}, 16), rnd.param("b", ParamRole::kBnBias, {3}, 17),
      rnd.param("m", ParamRole::kBnMean, {3}, 18), rnd.param("v", ParamRole::kBnVar, {3}, 19)};
  for (auto& v : p[3].data) v = std::abs(v) + 0.5f;
  Node n = make(OpType::kBatchNorm, p);
  check_node(n, {rnd.tensor({4, 3, 3, 3}, 20)}, true, 1e-2, 3e-2);  // batch statistics
  check_node(n, {rnd.tensor({4, 3, 3, 3}, 21)}, false);             // running statistics
  check_node(n, {rnd.tensor({6, 3}, 22)}, true, 1e-2, 3e-2);        // rank 2 (BatchNorm1d)
}

BOOST_AUTO_TEST_CASE(add_flatten_softmax_gradients) {
  Node add{"add", OpType::kAdd, {"a", "b"}, "y", {}, {}};
  check_node(add, {rnd.tensor({2, 3, 2, 2}, 23), rnd.tensor({2, 3, 2, 2}, 24)}, true);
  check_node(make(OpType::kFlatten), {rnd.tensor({2, 3, 2, 2}, 25)}, true);
  check_node(make(OpType::kSoftmax), {rnd.tensor({3, 5}, 26)}, true, 1e-3);
}

BOOST_AUTO_TEST_CASE(cross_entropy_gradient) {
  Eigen::MatrixXf z(3, 4);
  const auto v = rnd.randn(12, 27);
  for (int i = 0; i < 12; ++i) z(i / 4, i % 4) = v[i];
  const uint8_t labels[3] = {0, 3, 1};
  Eigen::MatrixXf g;
  softmax_cross_entropy(z, labels, &g, 3.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) {
      Eigen::MatrixXf zp = z, zm = z;
      zp(i, j) += 1e-2f;
      zm(i, j) -= 1e-2f;
      const double num = (softmax_cross_entropy(zp, labels, nullptr, 3.0) -
                          softmax_cross_entropy(zm, labels, nullptr, 3.0)) /
                         2e-2;
      BOOST_TEST(std::abs(num - g(i, j)) < 1e-3);
    }
}

// Whole graph: residual fan-out (value used twice), BatchNorm in train mode, pooling.
BOOST_AUTO_TEST_CASE(residual_network_gradients) {
  Network net = build_resnet({1, 12, 12, 3}, kSeed);
  const size_t n = 8;
  const auto img = rnd.randn(n * net.input_size(), 28);
  const uint8_t labels[n] = {0, 1, 2, 1, 2, 0, 0, 1};
  std::vector<std::vector<float>> g;
  loss_and_gradients(net, img.data(), labels, n, &g);
  auto params = net.parameters();
  size_t checked = 0;
  for (size_t j = 0; j < params.size(); ++j) {
    if (params[j].role == ParamRole::kBnMean || params[j].role == ParamRole::kBnVar) continue;
    for (size_t k = 0; k < params[j].size; k += 1 + params[j].size / 5) {
      float& x = params[j].data[k];
      const float saved = x;
      const double eps = 1e-3;
      x = static_cast<float>(saved + eps);
      const double lp = loss_and_gradients(net, img.data(), labels, n, nullptr);
      x = static_cast<float>(saved - eps);
      const double lm = loss_and_gradients(net, img.data(), labels, n, nullptr);
      x = saved;
      const double num = (lp - lm) / (2 * eps);
      BOOST_TEST(std::abs(num - g[j][k]) < 5e-3 + 5e-2 * std::abs(num),
                 params[j].name << "[" << k << "]: numeric " << num << " analytic " << g[j][k]);
      ++checked;
    }
  }
  BOOST_TEST(checked > 50u);
}
