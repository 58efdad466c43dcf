// anvil eval: top-1 accuracy of a model on the full test split of a data set, and the
// inference throughput (images/s, wall clock of the forward passes only). `--data imagenet`
// streams a validation folder (nn/imagenet.hpp) a batch at a time; its throughput includes
// JPEG decoding.
#include <memory>

#include "cli/commands.hpp"
#include "flow/model_commands.hpp"

namespace anvil::cli {

void add_eval(CLI::App& app) {
  auto opts = std::make_shared<flow::EvalOptions>();
  auto* cmd = app.add_subcommand("eval", "Top-1 test accuracy and throughput of a model");
  cmd->add_option("--model", opts->model, "ONNX file, or a built-in network name")->required();
  cmd->add_option("--data", opts->data, "fashion-mnist | mnist | cifar10 | imagenet");
  cmd->add_option("--labels", opts->labels,
                  "imagenet: label file ('FILE LABEL' lines) for a flat folder of JPEGs");
  cmd->add_option("--data-dir", opts->data_dir, "folder of the data set (default per data set)");
  cmd->add_option("--threads", opts->threads, "worker threads")->check(CLI::Range(1, 256));
  cmd->callback([opts] { flow::eval_model(*opts); });
}

}  // namespace anvil::cli
