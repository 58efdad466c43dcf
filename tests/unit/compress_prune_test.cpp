// Pruning: per-layer and global magnitude pruning hit their sparsity exactly; masks survive
// fine-tuning; structured pruning leaves a smaller valid network (same outputs when the removed
// channels were already zero) that round-trips through ONNX.
#define BOOST_TEST_MODULE compress_prune
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>

#include "compress/prune.hpp"
#include "core/error.hpp"
#include "fashion_fixture.hpp"
#include "nn/idx.hpp"
#include "nn/models.hpp"
#include "nn/onnx_io.hpp"
#include "nn_fixtures.hpp"

using namespace anvil;
using namespace anvil::compress;

namespace {

const nn::Param& find(const nn::Network& net, const std::string& name) {
  for (const auto& n : net.nodes())
    for (const auto& p : n.params)
      if (p.name == name) return p;
  throw std::runtime_error("no parameter " + name);
}

size_t zeros(const std::vector<uint8_t>& m) {
  return static_cast<size_t>(std::count(m.begin(), m.end(), uint8_t{0}));
}

// Largest |w| pruned is <= smallest |w| kept: the mask is a magnitude threshold.
void check_threshold(const std::vector<const nn::Param*>& ps, const Masks& masks) {
  float max_pruned = 0.0f, min_kept = INFINITY;
  for (const auto* p : ps) {
    const auto& m = masks.at(p->name);
    for (size_t i = 0; i < m.size(); ++i) {
      const float a = std::fabs(p->data[i]);
      if (m[i])
        min_kept = std::min(min_kept, a);
      else
        max_pruned = std::max(max_pruned, a);
    }
  }
  BOOST_TEST(max_pruned <= min_kept);
}

std::vector<float> images(const nn::Network& net, size_t n, uint64_t seed) {
  std::vector<float> x = test::RandomFill(seed).randn(n * net.input_size(), 1);
  for (float& v : x) v = std::fabs(v) * 0.3f;  // image-like: non-negative
  return x;
}

void check_close(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b, float tol) {
  BOOST_REQUIRE(a.rows() == b.rows());
  BOOST_REQUIRE(a.cols() == b.cols());
  const float scale = std::max(1.0f, a.cwiseAbs().maxCoeff());
  BOOST_TEST((a - b).cwiseAbs().maxCoeff() <= tol * scale);
}

}  // namespace

BOOST_AUTO_TEST_CASE(per_layer_sparsity_is_exact) {
  const nn::Network net = nn::build_lenet5({}, 3);
  const std::map<std::string, double> s = {
      {"conv1.weight", 0.3}, {"conv2.weight", 0.5}, {"fc1.weight", 0.9}, {"fc3.weight", 0.555}};
  const Masks m = magnitude_masks(net, s);
  BOOST_TEST(m.size() == 4u);
  for (const auto& [name, frac] : s) {
    const nn::Param& p = find(net, name);
    const size_t want = static_cast<size_t>(std::floor(frac * p.data.size() + 0.5));
    BOOST_TEST(zeros(m.at(name)) == want, name);
    check_threshold({&p}, {{name, m.at(name)}});
  }
  nn::Network pruned = net;
  apply_masks(pruned, m);
  // conv1: 150 weights, 45 pruned; fc3: 840 weights, 466 pruned (0.555 * 840 = 466.2).
  BOOST_TEST(sparsity(pruned, {"conv1.weight"}) == 45.0 / 150.0);
  BOOST_TEST(zeros(m.at("fc3.weight")) == 466u);
  BOOST_TEST(sparsity(pruned, {"fc1.weight"}) == 43200.0 / 48000.0);
  BOOST_TEST(mask_sparsity(m) == static_cast<double>(45 + 1200 + 43200 + 466) /
                                     static_cast<double>(150 + 2400 + 48000 + 840));
}

BOOST_AUTO_TEST_CASE(ties_go_to_the_lower_index) {
  nn::Network net = nn::build_lenet300({}, 1);
  nn::Param& w = net.nodes()[5].params[0];  // fc3.weight, 1000 values
  std::fill(w.data.begin(), w.data.end(), 0.25f);
  w.data[0] = -0.5f;  // larger magnitude: kept although first
  const Masks m = magnitude_masks(net, {{"fc3.weight", 0.01}});  // 10 pruned
  const auto& mk = m.at("fc3.weight");
  BOOST_TEST(mk[0] == 1);
  for (size_t i = 1; i <= 10; ++i) BOOST_TEST(mk[i] == 0);
  BOOST_TEST(mk[11] == 1);
  BOOST_TEST(zeros(mk) == 10u);
}

BOOST_AUTO_TEST_CASE(global_sparsity_is_exact_with_one_threshold) {
  const nn::Network net = nn::build_lenet5({}, 5);
  const std::vector<std::string> t = weight_tensors(net);
  BOOST_TEST(t.size() == 5u);
  const Masks m = global_magnitude_masks(net, t, 0.8);
  size_t total = 0, pruned = 0;
  std::vector<const nn::Param*> ps;
  for (const auto& name : t) {
    ps.push_back(&find(net, name));
    total += ps.back()->data.size();
    pruned += zeros(m.at(name));
  }
  BOOST_TEST(pruned == static_cast<size_t>(std::floor(0.8 * total + 0.5)));
  check_threshold(ps, m);
  // The list order does not matter.
  std::vector<std::string> rev(t.rbegin(), t.rend());
  BOOST_TEST((global_magnitude_masks(net, rev, 0.8) == m));
  // Per-layer differs from global: He init gives conv1 (fan-in 25) larger weights than fc1.
  BOOST_TEST(zeros(m.at("conv1.weight")) < zeros(m.at("fc1.weight")) / 100);
}

BOOST_AUTO_TEST_CASE(bad_arguments_throw) {
  nn::Network net = nn::build_lenet300({}, 1);
  BOOST_CHECK_THROW(magnitude_masks(net, {{"nope.weight", 0.5}}), Error);
  BOOST_CHECK_THROW(magnitude_masks(net, {{"fc1.weight", 1.5}}), Error);
  BOOST_CHECK_THROW(magnitude_masks(net, {{"fc1.weight", -0.1}}), Error);
  BOOST_CHECK_THROW(global_magnitude_masks(net, {}, 0.5), Error);
  BOOST_CHECK_THROW(apply_masks(net, {{"fc1.weight", std::vector<uint8_t>(3, 0)}}), Error);
  BOOST_CHECK_THROW(prune_channels(net, {{"fc3", 5}}), Error);    // the graph output
  BOOST_CHECK_THROW(prune_channels(net, {{"fc1", 0}}), Error);    // keep nothing
  BOOST_CHECK_THROW(prune_channels(net, {{"fc1", 301}}), Error);  // more than it has
  BOOST_CHECK_THROW(prune_channels(net, {{"relu1", 5}}), Error);  // not Conv/Linear
}

BOOST_AUTO_TEST_CASE(masks_survive_iterative_fine_tuning) {
  auto fashion = anvil::test::fashion_slice(2000, 1000);
  if (!fashion) return;
  nn::DataSplit& d = *fashion;
  nn::Network net = nn::build_lenet300({}, 2);
  nn::TrainConfig cfg;
  cfg.epochs = 2;
  nn::train(net, d.train, {}, cfg);
  const double dense = net.accuracy(d.test);

  PruneSchedule sched;
  sched.sparsity = {{"fc1.weight", 0.95}, {"fc2.weight", 0.9}, {"fc3.weight", 0.5}};
  sched.stages = 3;
  cfg.epochs = 1;
  Masks masks;
  const nn::TrainResult r = prune_iterative(net, sched, d.train, d.test, cfg, &masks);
  BOOST_TEST(r.epochs.size() == 3u);
  for (const auto& [name, s] : sched.sparsity) {
    const nn::Param& p = find(net, name);
    const size_t want = static_cast<size_t>(std::floor(s * p.data.size() + 0.5));
    BOOST_TEST(zeros(masks.at(name)) == want, name);
    for (size_t i = 0; i < p.data.size(); ++i)
      if (!masks.at(name)[i]) BOOST_REQUIRE(p.data[i] == 0.0f);  // still exactly zero
    BOOST_TEST(sparsity(net, {name}) >= s - 1e-12);
  }
  const double pruned = net.accuracy(d.test);
  BOOST_TEST_MESSAGE("dense " << dense << ", 95/90/50 % pruned + fine-tuned " << pruned);
  BOOST_TEST(pruned > 0.65);  // 95 % of fc1 gone, still learns (chance 0.10)

  // Global schedule.
  PruneSchedule g;
  g.tensors = weight_tensors(net);
  g.global_sparsity = 0.9;
  g.stages = 2;
  prune_iterative(net, g, d.train, {}, cfg, &masks);
  BOOST_TEST(mask_sparsity(masks) == std::floor(0.9 * 266200 + 0.5) / 266200.0);
  BOOST_TEST(sparsity(net, g.tensors) >= 0.9);
}

BOOST_AUTO_TEST_CASE(structured_lenet5_keeps_outputs_when_removed_channels_are_zero) {
  nn::Network net = nn::build_lenet5({}, 4);
  const std::vector<std::string> want = {"conv1", "conv2", "fc1", "fc2"};
  BOOST_TEST(prunable_nodes(net) == want, boost::test_tools::per_element());
  // Zero conv2 channels 3, 7, 11 (weights and bias) and fc1 rows 0..19: those are removed.
  for (int c : {3, 7, 11}) {
    nn::Param& w = net.nodes()[3].params[0];
    std::fill_n(w.data.begin() + c * 150, 150, 0.0f);
    net.nodes()[3].params[1].data[c] = 0.0f;
  }
  for (int r = 0; r < 20; ++r) {
    std::fill_n(net.nodes()[7].params[0].data.begin() + r * 400, 400, 0.0f);
    net.nodes()[7].params[1].data[r] = 0.0f;
  }
  const std::vector<int> kept = kept_channels(net, "conv2", 13);
  BOOST_TEST(kept.size() == 13u);
  BOOST_TEST(std::count(kept.begin(), kept.end(), 7) == 0);
  BOOST_TEST(std::is_sorted(kept.begin(), kept.end()));

  const nn::Network small = prune_channels(net, {{"conv2", 13}, {"fc1", 100}});
  BOOST_TEST(find(small, "conv2.weight").shape == (std::vector<int64_t>{13, 6, 5, 5}),
             boost::test_tools::per_element());
  BOOST_TEST(find(small, "conv2.bias").shape[0] == 13);
  // Flatten: each conv2 channel is a block of 5x5 columns of fc1.
  BOOST_TEST(find(small, "fc1.weight").shape == (std::vector<int64_t>{100, 13 * 25}),
             boost::test_tools::per_element());
  BOOST_TEST(find(small, "fc2.weight").shape == (std::vector<int64_t>{84, 100}),
             boost::test_tools::per_element());
  BOOST_TEST(small.parameter_count() < net.parameter_count());
  // fc1 keeps exactly the columns of the kept channels.
  const auto& w0 = find(net, "fc1.weight").data;
  const auto& w1 = find(small, "fc1.weight").data;
  BOOST_TEST(w1[0] == w0[20 * 400 + kept[0] * 25]);
  BOOST_TEST(w1[5 * 325 + 25 + 3] == w0[25 * 400 + kept[1] * 25 + 3]);

  const std::vector<float> x = images(net, 32, 9);
  check_close(small.forward(x.data(), 32), net.forward(x.data(), 32), 1e-5f);

  // ONNX round trip: same bytes in, same outputs out.
  const nn::Network back = nn::parse_onnx(nn::onnx_bytes(small), "small.onnx");
  BOOST_TEST((back.forward(x.data(), 32) == small.forward(x.data(), 32)));
  BOOST_TEST(prunable_nodes(back) == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(structured_batchnorm_and_global_pool) {
  // conv -> BN -> ReLU -> GlobalAveragePool -> Flatten -> Linear: channel c is column c.
  const test::RandomFill fill(11, 0.5);
  nn::Network net("input", 1, 8, 8);
  nn::Node conv{"conv", nn::OpType::kConv2d, {"input"}, "conv", {}, {}};
  conv.attr.pads = {1, 1, 1, 1};
  conv.params = {fill.param("conv.weight", nn::ParamRole::kWeight, {6, 1, 3, 3}, 1),
                 fill.param("conv.bias", nn::ParamRole::kBias, {6}, 2)};
  net.add(conv);
  nn::Node bn{"bn", nn::OpType::kBatchNorm, {"conv"}, "bn", {}, {}};
  bn.params = {fill.param("bn.weight", nn::ParamRole::kBnScale, {6}, 3),
               fill.param("bn.bias", nn::ParamRole::kBnBias, {6}, 4),
               fill.param("bn.running_mean", nn::ParamRole::kBnMean, {6}, 5),
               {"bn.running_var", nn::ParamRole::kBnVar, {6}, std::vector<float>(6, 0.7f)}};
  net.add(bn);
  net.add(nn::Node{"relu", nn::OpType::kReLU, {"bn"}, "relu", {}, {}});
  net.add(nn::Node{"gap", nn::OpType::kGlobalAveragePool, {"relu"}, "gap", {}, {}});
  net.add(nn::Node{"flat", nn::OpType::kFlatten, {"gap"}, "flat", {}, {}});
  nn::Node fc{"fc", nn::OpType::kLinear, {"flat"}, "fc", {}, {}};
  fc.params = {fill.param("fc.weight", nn::ParamRole::kWeight, {4, 6}, 6),
               fill.param("fc.bias", nn::ParamRole::kBias, {4}, 7)};
  net.add(fc);
  BOOST_TEST(prunable_nodes(net) == std::vector<std::string>{"conv"},
             boost::test_tools::per_element());
  // Channels 1 and 4 are dead: zero filter and bias, BN maps 0 to 0.
  for (int c : {1, 4}) {
    std::fill_n(net.nodes()[0].params[0].data.begin() + c * 9, 9, 0.0f);
    net.nodes()[0].params[1].data[c] = 0.0f;
    net.nodes()[1].params[1].data[c] = 0.0f;  // BN bias
    net.nodes()[1].params[2].data[c] = 0.0f;  // running mean
  }
  const nn::Network small = prune_channels(net, {{"conv", 4}});
  BOOST_TEST(find(small, "bn.running_var").shape[0] == 4);
  BOOST_TEST(find(small, "fc.weight").shape == (std::vector<int64_t>{4, 4}),
             boost::test_tools::per_element());
  BOOST_TEST(find(small, "bn.running_mean").data[1] == find(net, "bn.running_mean").data[2]);
  const std::vector<float> x = images(net, 16, 3);
  check_close(small.forward(x.data(), 16), net.forward(x.data(), 16), 1e-5f);
}

BOOST_AUTO_TEST_CASE(structured_resnet_stops_at_residual_sums) {
  const nn::Network net = nn::build_resnet({}, 2);
  const std::vector<std::string> p = prunable_nodes(net);
  const std::vector<std::string> want = {"layer1.conv1", "layer2.conv1", "layer3.conv1"};
  BOOST_TEST(p == want, boost::test_tools::per_element());  // conv2, shortcuts feed an Add
  BOOST_CHECK_THROW(prune_channels(net, {{"layer1.conv2", 8}}), Error);
  const nn::Network small =
      prune_channels(net, {{"layer1.conv1", 8}, {"layer2.conv1", 20}, {"layer3.conv1", 40}});
  BOOST_TEST(find(small, "layer3.conv2.weight").shape == (std::vector<int64_t>{80, 40, 3, 3}),
             boost::test_tools::per_element());
  BOOST_TEST(find(small, "layer2.bn1.running_var").shape[0] == 20);
  const std::vector<float> x = images(net, 8, 5);
  const Eigen::MatrixXf y = small.forward(x.data(), 8);
  BOOST_TEST(y.rows() == 8);
  BOOST_TEST(y.cols() == 10);
  BOOST_TEST(y.allFinite());
  const nn::Network back = nn::parse_onnx(nn::onnx_bytes(small), "small.onnx");
  BOOST_TEST((back.forward(x.data(), 8) == y));
}
