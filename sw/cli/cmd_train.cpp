// anvil train: trains a reference network with a fixed seed and writes it as ONNX plus a
// JSON sidecar (network, dataset, seed, epochs, lr, batch, test_accuracy, train_seconds).
#include <memory>

#include "cli/commands.hpp"
#include "flow/model_commands.hpp"

namespace anvil::cli {

void add_train(CLI::App& app) {
  auto opts = std::make_shared<flow::TrainOptions>();
  auto* cmd = app.add_subcommand("train", "Train a reference network (deterministic per seed)");
  cmd->add_option("--net", opts->net, "lenet300 | lenet5 | resnet")
      ->check(CLI::IsMember(flow::network_names()));
  cmd->add_option("--data", opts->data, "fashion-mnist | mnist | cifar10");
  cmd->add_option("--data-dir", opts->data_dir, "folder of the data set (default per data set)");
  cmd->add_option("--epochs", opts->epochs, "epochs (default per network)");
  cmd->add_option("--seed", opts->seed, "seed of init, shuffling and augmentation");
  cmd->add_option("--out", opts->out, "output path without extension (writes .onnx and .json)");
  cmd->add_option("--lr", opts->lr, "peak learning rate (default per network)");
  cmd->add_option("--batch", opts->batch, "mini-batch size (default per network)");
  cmd->add_option("--weight-decay", opts->weight_decay, "L2 on weights (default per network)");
  cmd->add_option("--augment", opts->augment, "1: random shift + flip, 0: none")
      ->check(CLI::Range(0, 1));
  cmd->add_option("--optimizer", opts->optimizer, "sgd | adam")
      ->check(CLI::IsMember({"sgd", "adam"}));
  cmd->add_option("--threads", opts->threads, "worker threads (result does not depend on it)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--train-limit", opts->train_limit, "use only the first N training images");
  cmd->add_option("--save-params", opts->save_params, "also dump raw parameters (checkpoint)");
  cmd->add_option("--load-params", opts->load_params, "start from a raw parameter dump");
  cmd->callback([opts] { flow::train_reference(*opts); });
}

}  // namespace anvil::cli
