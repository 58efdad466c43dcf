// anvil eval: top-1 accuracy of a model on the full test split of a data set, and the
// inference throughput (images/s, wall clock of the forward passes only).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/model_source.hpp"
#include "core/error.hpp"
#include "nn/datasets.hpp"

namespace anvil::cli {

namespace {

struct EvalOptions {
  std::string model, data = "fashion-mnist", data_dir;
  int threads = 2;
};

void run(const EvalOptions& o) {
  const nn::DataSplit d = nn::load_dataset(o.data, o.data_dir);
  const nn::InputShape in{d.test.channels, d.test.height, d.test.width, d.test.classes};
  const ModelSource m = load_model(o.model, in);
  require(
      m.net.channels() == in.channels && m.net.height() == in.height && m.net.width() == in.width,
      o.model, "input shape",
      "model takes [" + std::to_string(m.net.channels()) + ", " + std::to_string(m.net.height()) +
          ", " + std::to_string(m.net.width()) + "] images but " + o.data + " has [" +
          std::to_string(in.channels) + ", " + std::to_string(in.height) + ", " +
          std::to_string(in.width) + "]");
  require(m.net.classes() == in.classes, o.model, "output shape",
          "model has " + std::to_string(m.net.classes()) + " outputs but " + o.data + " has " +
              std::to_string(in.classes) + " classes");
  const auto t0 = std::chrono::steady_clock::now();
  const nn::Evaluation e = m.net.evaluate(d.test, o.threads);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  require(e.finite(), o.model, "node " + e.nonfinite,
          "activations are not finite (NaN or Inf) on the " + o.data +
              " test data: the weights load but overflow");
  const double acc = e.accuracy;
  const auto correct = static_cast<long long>(acc * static_cast<double>(d.test.size()) + 0.5);
  std::printf("model: %s\n", m.description.c_str());
  std::printf("data: %s test split, %zu images (%s)\n", o.data.c_str(), d.test.size(),
              d.test.source.c_str());
  std::printf("top-1 accuracy: %.2f %% (%lld / %zu)\n", 100.0 * acc, correct, d.test.size());
  std::printf("throughput: %.0f images/s (%.3f s, %d threads)\n",
              static_cast<double>(d.test.size()) / (s > 0 ? s : 1e-9), s, o.threads);
}

}  // namespace

void add_eval(CLI::App& app) {
  auto opts = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand("eval", "Top-1 test accuracy and throughput of a model");
  cmd->add_option("--model", opts->model, "ONNX file, or a built-in network name")->required();
  cmd->add_option("--data", opts->data, "fashion-mnist | mnist | cifar10");
  cmd->add_option("--data-dir", opts->data_dir, "folder of the data set (default per data set)");
  cmd->add_option("--threads", opts->threads, "worker threads")->check(CLI::Range(1, 256));
  cmd->callback([opts] { run(*opts); });
}

}  // namespace anvil::cli
