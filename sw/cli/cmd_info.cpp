// anvil info: what a model and a data set are. Prints the model's layers (name, op, output
// shape, parameter count) and totals, and the data set (name, source, sizes, image shape).
// Without --model and --data it lists the known data sets and where each is looked for.
#include <memory>

#include "cli/commands.hpp"
#include "flow/model_commands.hpp"

namespace anvil::cli {

void add_info(CLI::App& app) {
  auto opts = std::make_shared<flow::InfoOptions>();
  auto* cmd = app.add_subcommand("info", "Describe a model (layers, parameters) and a data set");
  cmd->add_option("--model", opts->model, "ONNX file, or a built-in network name");
  cmd->add_option("--data", opts->data, "fashion-mnist | mnist | cifar10");
  cmd->add_option("--data-dir", opts->data_dir, "folder of the data set (default per data set)");
  cmd->callback([opts] { flow::model_info(*opts); });
}

}  // namespace anvil::cli
