// anvil optimize on bad input: one line naming the file, the field and the rule, non-zero
// exit: a budget below 0 or above 100, an empty search space, a network with no storable
// tensor, and a budget no design reaches (which also reports the closest point found).
#define BOOST_TEST_MODULE cli_optimize
#include <boost/test/unit_test.hpp>

#include "cli_test.hpp"
#include "nn/network.hpp"
#include "nn/onnx_io.hpp"

namespace {

const std::string kSrc = ANVIL_SOURCE_DIR;

std::string config(const TempDir& tmp, const std::string& network, const std::string& optimize) {
  return tmp
      .write("opt.yaml", "experiment:\n  name: bad\n  network: " + network +
                             "\n  dataset: fashion-mnist\n  device: " + kSrc +
                             "/models/devices/pcm.yaml\n  seed: 3\n  threads: 2\n"
                             "optimize:\n" +
                             optimize)
      .string();
}

const std::string kLenet300 = kSrc + "/models/networks/lenet300-fashion-mnist.onnx";
const std::string kSmall =
    "  keep: [0.5]\n  sparsity: [0.5]\n  compress_epochs: 1\n  finetune_epochs: 0\n"
    "  train_images: 2000\n  levels: [5]\n  split_levels: []\n  screen_images: 300\n"
    "  screen_trials: 1\n";

}  // namespace

BOOST_AUTO_TEST_CASE(budget_out_of_range) {
  TempDir tmp;
  const std::string cfg = config(tmp, kLenet300, kSmall);
  expect_one_line_error(run_anvil("optimize " + cfg + " --budget -1 --quiet", tmp), cfg,
                        "--budget");
  expect_one_line_error(run_anvil("optimize " + cfg + " --budget 101 --quiet", tmp), cfg,
                        "--budget");
}

BOOST_AUTO_TEST_CASE(empty_search_space) {
  TempDir tmp;
  const std::string cfg = config(tmp, kLenet300, "  levels: []\n  split_levels: []\n");
  expect_one_line_error(run_anvil("optimize " + cfg + " --quiet", tmp), cfg, "optimize.levels");
  const std::string cfg2 = config(tmp, kLenet300, "  digital_bits: []\n");
  expect_one_line_error(run_anvil("optimize " + cfg2 + " --quiet", tmp), cfg2,
                        "optimize.digital_bits");
  const std::string cfg3 = config(tmp, kLenet300, "  keep: [1.5]\n");
  expect_one_line_error(run_anvil("optimize " + cfg3 + " --quiet", tmp), cfg3, "optimize.keep");
}

BOOST_AUTO_TEST_CASE(no_storable_tensor) {
  TempDir tmp;
  anvil::nn::Network net("input", 1, 28, 28);
  anvil::nn::Node flat;
  flat.name = "flatten";
  flat.op = anvil::nn::OpType::kFlatten;
  flat.inputs = {"input"};
  flat.output = "logits";
  net.add(flat);
  const auto onnx = tmp.file("flat.onnx");
  anvil::nn::save_onnx(net, onnx);
  const std::string cfg = config(tmp, onnx.string(), kSmall);
  expect_one_line_error(run_anvil("optimize " + cfg + " --quiet", tmp), onnx.string(), "nodes");
}

BOOST_AUTO_TEST_CASE(unreachable_budget_reports_the_closest_point) {
  TempDir tmp;
  const std::string cfg = config(tmp, kLenet300, kSmall);
  const Run r =
      run_anvil("optimize " + cfg + " --budget 0 --quiet --out " + tmp.file("out").string(), tmp);
  expect_one_line_error(r, cfg, "optimize.budget");
  BOOST_TEST(r.err.find("unreachable") != std::string::npos);
  BOOST_TEST(r.err.find("closest found") != std::string::npos);
  BOOST_TEST(r.err.find("weight cells") != std::string::npos);
}
