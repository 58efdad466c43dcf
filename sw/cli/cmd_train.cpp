// anvil train: trains a reference network with a fixed seed and writes it as ONNX plus a
// JSON sidecar (network, dataset, seed, epochs, lr, batch, test_accuracy, train_seconds).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "nn/datasets.hpp"
#include "nn/models.hpp"
#include "nn/onnx_io.hpp"
#include "nn/train.hpp"

namespace anvil::cli {

namespace {

struct TrainOptions {
  std::string net = "lenet5", data = "fashion-mnist", data_dir, out;
  std::string optimizer = "sgd";
  int epochs = -1, batch = -1, threads = 2;
  double lr = -1, weight_decay = -1;
  int augment = -1;  // -1: network default
  uint64_t seed = 1;
  size_t train_limit = 0;  // 0: all training images
  std::string save_params, load_params;
};

// Recipe per network (chosen for the accuracy targets at a modest training time).
nn::TrainConfig recipe(const std::string& net) {
  nn::TrainConfig c;
  if (net == "lenet300") {
    c.epochs = 20, c.batch = 64, c.lr = 0.05, c.weight_decay = 1e-4;
  } else if (net == "lenet5") {
    c.epochs = 12, c.batch = 64, c.lr = 0.05, c.weight_decay = 5e-4;
  } else {
    c.epochs = 6, c.batch = 128, c.lr = 0.1,
    c.weight_decay = 5e-4;  // no augmentation: converges faster in a short schedule
  }
  return c;
}

// Raw parameter dump (checkpoint): for each parameter in order, its float count and values.
void save_params(const nn::Network& net, const std::string& path) {
  std::string buf;
  for (const auto& p : net.parameters()) {
    const uint64_t n = p.size;
    buf.append(reinterpret_cast<const char*>(&n), sizeof n);
    buf.append(reinterpret_cast<const char*>(p.data), n * sizeof(float));
  }
  write_file_atomic(path, buf);
}

void load_params(nn::Network& net, const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  require(static_cast<bool>(f), path, "file", "cannot be opened");
  for (auto& p : net.parameters()) {
    uint64_t n = 0;
    f.read(reinterpret_cast<char*>(&n), sizeof n);
    require(static_cast<bool>(f) && n == p.size, path, p.name, "size does not match the network");
    f.read(reinterpret_cast<char*>(p.data), static_cast<std::streamsize>(n * sizeof(float)));
    require(static_cast<bool>(f), path, p.name, "truncated");
  }
}

void run(const TrainOptions& o) {
  nn::TrainConfig cfg = recipe(o.net);
  if (o.epochs >= 0) cfg.epochs = o.epochs;
  if (o.batch > 0) cfg.batch = o.batch;
  if (o.lr > 0) cfg.lr = o.lr;
  if (o.weight_decay >= 0) cfg.weight_decay = o.weight_decay;
  if (o.augment >= 0) cfg.augment = o.augment != 0;
  cfg.optimizer = o.optimizer == "adam" ? nn::Optimizer::kAdam : nn::Optimizer::kSgd;
  cfg.threads = o.threads;
  cfg.seed = o.seed;

  nn::DataSplit data = nn::load_dataset(o.data, o.data_dir);
  if (o.train_limit > 0 && o.train_limit < data.train.size()) {
    data.train.labels.resize(o.train_limit);
    data.train.images.resize(o.train_limit * data.train.image_size());
  }
  const nn::InputShape in{data.train.channels, data.train.height, data.train.width,
                          data.train.classes};
  nn::Network net = nn::build_network(o.net, in, o.seed);
  if (!o.load_params.empty()) load_params(net, o.load_params);
  std::printf("train %s on %s (%zu train / %zu test images, %zu parameters), seed %llu\n",
              o.net.c_str(), o.data.c_str(), data.train.size(), data.test.size(),
              net.parameter_count(), static_cast<unsigned long long>(o.seed));
  std::printf("%5s %10s %10s %10s %9s\n", "epoch", "loss", "train_acc", "test_acc", "seconds");
  std::fflush(stdout);
  const nn::TrainResult r = nn::train(net, data.train, data.test, cfg, [](const nn::EpochStats& s) {
    std::printf("%5d %10.4f %9.2f%% %9.2f%% %9.1f\n", s.epoch, s.loss, 100 * s.train_accuracy,
                100 * s.test_accuracy, s.seconds);
    std::fflush(stdout);
  });
  const double test_acc = net.accuracy(data.test, o.threads);
  std::printf("test accuracy %.2f %%, training %.1f s\n", 100 * test_acc, r.train_seconds);
  if (!o.save_params.empty()) save_params(net, o.save_params);
  if (o.out.empty()) return;

  const std::filesystem::path out(o.out);
  nlohmann::ordered_json j;
  j["network"] = o.net;
  j["dataset"] = o.data;
  j["seed"] = o.seed;
  j["epochs"] = cfg.epochs;
  j["lr"] = cfg.lr;
  j["batch"] = cfg.batch;
  j["optimizer"] = o.optimizer;
  j["weight_decay"] = cfg.weight_decay;
  j["augment"] = cfg.augment;
  j["shards"] = cfg.shards;
  j["train_images"] = data.train.size();
  j["test_accuracy"] = test_acc;
  j["train_seconds"] = r.train_seconds;
  j["parameters"] = net.parameter_count();
  nlohmann::ordered_json hist = nlohmann::ordered_json::array();
  for (const auto& e : r.epochs)
    hist.push_back({{"epoch", e.epoch},
                    {"loss", e.loss},
                    {"train_accuracy", e.train_accuracy},
                    {"test_accuracy", e.test_accuracy},
                    {"seconds", e.seconds}});
  j["history"] = hist;
  nn::save_onnx(net, out.string() + ".onnx");
  std::printf("wrote %s.onnx\n", out.string().c_str());
  write_file_atomic(out.string() + ".json", j.dump(2) + "\n");
  std::printf("wrote %s.json\n", out.string().c_str());
}

}  // namespace

void add_train(CLI::App& app) {
  auto opts = std::make_shared<TrainOptions>();
  auto* cmd = app.add_subcommand("train", "Train a reference network (deterministic per seed)");
  cmd->add_option("--net", opts->net, "lenet300 | lenet5 | resnet")
      ->check(CLI::IsMember(nn::network_names()));
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
  cmd->callback([opts] { run(*opts); });
}

}  // namespace anvil::cli
