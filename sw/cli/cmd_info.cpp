// anvil info: what a model and a data set are. Prints the model's layers (name, op, output
// shape, parameter count) and totals, and the data set (name, source, sizes, image shape).
// Without --model and --data it lists the known data sets and where each is looked for.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "cli/commands.hpp"
#include "cli/model_source.hpp"
#include "core/error.hpp"
#include "nn/datasets.hpp"

namespace anvil::cli {

namespace {

struct InfoOptions {
  std::string model, data, data_dir;
};

std::string shape_str(const std::vector<int64_t>& s, bool batch) {
  std::string r = batch ? "[N" : "[";
  for (size_t i = 0; i < s.size(); ++i) r += (batch || i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

void print_model(const nn::Network& net, const std::string& description) {
  std::printf("model: %s\n", description.c_str());
  std::printf("  input %s %s\n", net.input_name().c_str(),
              shape_str({net.channels(), net.height(), net.width()}, true).c_str());
  std::printf("  %-3s %-24s %-18s %-18s %10s\n", "#", "name", "op", "output", "params");
  size_t weights = 0, biases = 0, bn = 0;
  for (size_t i = 0; i < net.nodes().size(); ++i) {
    const nn::Node& n = net.nodes()[i];
    size_t count = 0;
    for (const auto& p : n.params) {
      count += p.data.size();
      if (p.role == nn::ParamRole::kWeight) {
        weights += p.data.size();
      } else if (p.role == nn::ParamRole::kBias) {
        biases += p.data.size();
      } else {
        bn += p.data.size();
      }
    }
    std::printf("  %-3zu %-24s %-18s %-18s %10zu\n", i + 1, n.name.c_str(), nn::op_name(n.op),
                shape_str(net.value_shape(n.output), true).c_str(), count);
  }
  std::printf("  output %s %s, %d classes\n", net.output_name().c_str(),
              shape_str(net.value_shape(net.output_name()), true).c_str(), net.classes());
  std::printf("  total parameters: %zu (weights %zu, biases %zu, batch-norm %zu)\n",
              net.parameter_count(), weights, biases, bn);
}

void print_data(const std::string& name, const nn::DataSplit& d) {
  std::printf("data: %s\n", name.c_str());
  std::printf("  source: %s\n", d.train.source.c_str());
  std::printf("  train: %zu images, test: %zu images\n", d.train.size(), d.test.size());
  std::printf("  image shape: [%d, %d, %d], %d classes\n", d.train.channels, d.train.height,
              d.train.width, d.train.classes);
}

void run(const InfoOptions& o) {
  if (o.model.empty() && o.data.empty()) {
    std::printf("data sets (--data NAME, --data-dir DIR to override the folder):\n");
    for (const auto& name : nn::dataset_names()) {
      const std::string dir = nn::default_dataset_dir(name);
      std::error_code ec;
      std::printf("  %-14s %s%s\n", name.c_str(), dir.c_str(),
                  std::filesystem::exists(dir, ec) ? "" : "  (not present)");
    }
    std::printf("built-in networks (--model NAME or --model FILE.onnx):");
    for (const auto& n : nn::network_names()) std::printf(" %s", n.c_str());
    std::printf("\n");
    return;
  }
  nn::InputShape in;
  if (!o.data.empty()) {
    const nn::DataSplit d = nn::load_dataset(o.data, o.data_dir);
    print_data(o.data, d);
    in = {d.train.channels, d.train.height, d.train.width, d.train.classes};
  }
  if (!o.model.empty()) {
    const ModelSource m = load_model(o.model, in);
    print_model(m.net, m.description);
    if (!o.data.empty()) {
      const bool fits = m.net.channels() == in.channels && m.net.height() == in.height &&
                        m.net.width() == in.width;
      std::printf("model input %s data images\n", fits ? "matches" : "does NOT match");
    }
  }
}

}  // namespace

void add_info(CLI::App& app) {
  auto opts = std::make_shared<InfoOptions>();
  auto* cmd = app.add_subcommand("info", "Describe a model (layers, parameters) and a data set");
  cmd->add_option("--model", opts->model, "ONNX file, or a built-in network name");
  cmd->add_option("--data", opts->data, "fashion-mnist | mnist | cifar10");
  cmd->add_option("--data-dir", opts->data_dir, "folder of the data set (default per data set)");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace anvil::cli
