// Non-finite check (nn::Network::evaluate, issue 14): a model whose weights are finite but
// whose activations overflow is flagged with the first node (graph order) where a NaN or Inf
// appears, for any thread count, also after an ONNX round trip; a finite model is not, and
// scores exactly what accuracy() scores.
// (The report side: nonfinite_report_test.)
#define BOOST_TEST_MODULE nonfinite
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nn/network.hpp"
#include "nn/onnx_io.hpp"

using namespace anvil::nn;

namespace {

// input 1x4x4 -> fc1 (16 -> 8) -> relu -> fc2 (8 -> 3) -> logits. Every fc1 weight is w1,
// every fc2 weight w2 (signs alternate over the outputs of fc2 so the classes differ).
Network crafted(float w1, float w2) {
  Network net("input", 1, 4, 4);
  net.add({"flat", OpType::kFlatten, {"input"}, "x", {}, {}});
  net.add({"fc1",
           OpType::kLinear,
           {"x"},
           "h",
           {},
           {{"fc1.weight", ParamRole::kWeight, {8, 16}, std::vector<float>(8 * 16, w1)},
            {"fc1.bias", ParamRole::kBias, {8}, std::vector<float>(8, 0.0f)}}});
  net.add({"relu", OpType::kReLU, {"h"}, "r", {}, {}});
  std::vector<float> w(3 * 8);
  for (size_t i = 0; i < w.size(); ++i) w[i] = (i / 8 == 1 ? -1.0f : 1.0f) * w2;
  net.add({"fc2",
           OpType::kLinear,
           {"r"},
           "logits",
           {},
           {{"fc2.weight", ParamRole::kWeight, {3, 8}, w},
            {"fc2.bias", ParamRole::kBias, {3}, {0.5f, 0.0f, 0.25f}}}});
  return net;
}

// 120 images (three batches of predict's 50) of constant brightness; labels 0.
Dataset data(float brightness = 1.0f) {
  Dataset d;
  d.channels = 1;
  d.height = d.width = 4;
  d.classes = 3;
  d.labels.assign(120, 0);
  d.images.assign(120 * 16, brightness);
  d.images[16 * 119] = 0.5f;
  return d;
}

}  // namespace

BOOST_AUTO_TEST_CASE(finite_model_is_not_flagged_and_scores_as_accuracy) {
  const Network net = crafted(0.1f, 0.2f);
  const Evaluation e = net.evaluate(data(), 2);
  BOOST_TEST(e.finite());
  BOOST_TEST(e.nonfinite_node == -1);
  BOOST_TEST(e.nonfinite.empty());
  BOOST_TEST(e.accuracy == net.accuracy(data(), 2));
  BOOST_TEST(e.accuracy == 1.0);  // class 0: +w2 row with bias 0 beats class 2 by design
}

BOOST_AUTO_TEST_CASE(overflow_in_the_first_layer_names_it) {
  // 16 inputs of 1.0 times 3e37 = 4.8e38 > FLT_MAX: fc1's output is +Inf.
  for (int threads : {1, 2, 3}) {
    const Evaluation e = crafted(3e37f, 0.5f).evaluate(data(), threads);
    BOOST_TEST(!e.finite());
    BOOST_TEST(e.nonfinite_node == 1);
    BOOST_TEST(e.nonfinite == "fc1 (Linear)");
  }
}

BOOST_AUTO_TEST_CASE(weights_near_1e36_overflow_later_and_the_later_node_is_named) {
  // fc1: 16 x 1e36 = 1.6e37 (finite); fc2: 8 x 1.6e37 x 1e36 = Inf.
  const Network net = crafted(1e36f, 1e36f);
  BOOST_CHECK_NO_THROW(net.check_finite("crafted"));  // the weights themselves are finite
  const Evaluation e = net.evaluate(data(), 2);
  BOOST_TEST(e.nonfinite_node == 3);
  BOOST_TEST(e.nonfinite == "fc2 (Linear)");
  // The same model exported to ONNX and imported again (a "corrupted export").
  const Network back = parse_onnx(onnx_bytes(net), "crafted.onnx");
  const Evaluation b = back.evaluate(data(), 1);
  BOOST_TEST(b.nonfinite == e.nonfinite);
  BOOST_TEST(b.accuracy == e.accuracy);
}

BOOST_AUTO_TEST_CASE(one_bad_image_is_enough) {
  // At brightness 0.5, fc1 gives 16 x 0.5 x 2.5e37 = 2e38 (finite); only the last image, at
  // 1.0, overflows it (FLT_MAX / 16 = 2.13e37 per weight).
  Dataset d = data(0.5f);
  std::fill(d.images.end() - 16, d.images.end(), 1.0f);
  for (int threads : {1, 2}) {
    const Evaluation e = crafted(2.5e37f, 1e-10f).evaluate(d, threads);
    BOOST_TEST(e.nonfinite == "fc1 (Linear)");
  }
  BOOST_TEST(crafted(2.5e37f, 1e-10f).evaluate(data(0.5f), 2).finite());
}

BOOST_AUTO_TEST_CASE(predict_reports_the_first_node_only_when_asked) {
  const Network net = crafted(3e37f, 0.5f);
  const Dataset d = data();
  int bad = 42;
  const std::vector<int> with = net.predict(d.images.data(), d.size(), 2, &bad);
  BOOST_TEST(bad == 1);
  BOOST_TEST(with == net.predict(d.images.data(), d.size(), 2));
}

// predict() first only detects (a ReLU checks its input in its own pass; outputs that no
// ReLU reads and that nothing carries on are scanned), then reruns a hit batch exactly.
// These models hide their overflow from the logits, so only a real check can catch it.

BOOST_AUTO_TEST_CASE(an_overflow_to_minus_inf_that_the_relu_zeroes_is_still_named) {
  // fc1 sums 16 x 1.0 x -3e37 = -4.8e38 -> -Inf; ReLU makes it 0, fc2 gives finite logits.
  const Network net = crafted(-3e37f, 0.5f);
  const Dataset d = data();
  BOOST_TEST(net.forward(d.images.data(), 1).allFinite());
  for (int threads : {1, 2}) {
    const Evaluation e = net.evaluate(d, threads);
    BOOST_TEST(e.nonfinite == "fc1 (Linear)");
    BOOST_TEST(e.accuracy == net.accuracy(d, threads));
  }
}

// input 1x4x4 -> conv (1x1, weight w) -> maxpool 2x2 -> flatten -> fc (4 -> 3, tiny weights).
// Pixel (0, 0) is 2.0, the others 0.5: at w = -3e38 the conv gives -Inf there only, and the
// max over its window (-1.5e38 elsewhere) hides it.
Network conv_pool(float w) {
  Network net("input", 1, 4, 4);
  Node conv{"conv", OpType::kConv2d, {"input"}, "c", {}, {}};
  conv.params = {{"conv.weight", ParamRole::kWeight, {1, 1, 1, 1}, {w}}};
  net.add(conv);
  Node pool{"pool", OpType::kMaxPool2d, {"c"}, "p", {}, {}};
  pool.attr.kernel = {2, 2};
  pool.attr.stride = {2, 2};
  net.add(pool);
  net.add({"flat", OpType::kFlatten, {"p"}, "x", {}, {}});
  net.add({"fc",
           OpType::kLinear,
           {"x"},
           "logits",
           {},
           {{"fc.weight", ParamRole::kWeight, {3, 4}, std::vector<float>(12, 1e-39f)},
            {"fc.bias", ParamRole::kBias, {3}, {0.5f, 0.0f, 0.25f}}}});
  return net;
}

BOOST_AUTO_TEST_CASE(an_inf_that_a_maxpool_hides_is_named) {
  Dataset d = data(0.5f);
  for (size_t i = 0; i < d.size(); i += 7) d.images[16 * i] = 2.0f;  // some images only
  const Network net = conv_pool(-3e38f);
  for (int threads : {1, 2}) BOOST_TEST(net.evaluate(d, threads).nonfinite == "conv (Conv2d)");
  BOOST_TEST(conv_pool(-1e38f).evaluate(d, 2).finite());  // -2e38: finite, not flagged
}

BOOST_AUTO_TEST_CASE(an_overflow_carried_to_the_logits_names_where_it_began) {
  // flat -> fc1 -> fc2 -> logits, no ReLU: fc1's output is not scanned in the detection pass
  // (fc2 carries any Inf on to the scanned logits); the hit reruns the batch exactly, which
  // names fc1, not fc2 where it was seen.
  const Network relu_net = crafted(3e37f, 0.5f);
  Network net("input", 1, 4, 4);
  for (Node node : relu_net.nodes()) {
    if (node.op == OpType::kReLU) continue;
    if (node.name == "fc2") node.inputs = {"h"};
    net.add(node);
  }
  int bad = -1;
  const Dataset d = data();
  (void)net.predict(d.images.data(), d.size(), 1, &bad);
  BOOST_TEST(bad == 1);
  BOOST_TEST(net.evaluate(d, 2).nonfinite == "fc1 (Linear)");
}
