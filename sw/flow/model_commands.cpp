#include "flow/model_commands.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "nn/datasets.hpp"
#include "nn/onnx_io.hpp"
#include "nn/train.hpp"

namespace anvil::flow {

ModelSource load_model(const std::string& spec, const nn::InputShape& in, uint64_t seed) {
  const auto builtins = nn::network_names();
  const bool builtin = std::find(builtins.begin(), builtins.end(), spec) != builtins.end();
  std::error_code ec;
  if (!builtin || std::filesystem::is_regular_file(spec, ec)) {
    return {nn::load_onnx(spec), spec + " (ONNX)"};
  }
  return {nn::build_network(spec, in, seed),
          "built-in " + spec + " (untrained, seed " + std::to_string(seed) + ")"};
}

namespace {

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

}  // namespace

void model_info(const InfoOptions& o) {
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

void eval_model(const EvalOptions& o) {
  // ImageNet streams its folder (64 JPEGs decoded at a time) through the same evaluate();
  // its labels may cover only some of a 1000-class network's outputs.
  const bool imagenet = o.data == "imagenet";
  const nn::DataSplit d = nn::load_dataset(o.data, o.data_dir, o.labels);
  const nn::InputShape in{d.test.channels, d.test.height, d.test.width,
                          imagenet ? std::max(d.test.classes, 1000) : d.test.classes};
  const ModelSource m = load_model(o.model, in);
  require(
      m.net.channels() == in.channels && m.net.height() == in.height && m.net.width() == in.width,
      o.model, "input shape",
      "model takes [" + std::to_string(m.net.channels()) + ", " + std::to_string(m.net.height()) +
          ", " + std::to_string(m.net.width()) + "] images but " + o.data + " has [" +
          std::to_string(in.channels) + ", " + std::to_string(in.height) + ", " +
          std::to_string(in.width) + "]");
  require(imagenet ? m.net.classes() >= d.test.classes : m.net.classes() == in.classes, o.model,
          "output shape",
          "model has " + std::to_string(m.net.classes()) + " outputs but " + o.data + " has " +
              std::to_string(d.test.classes) + " classes");
  const auto t0 = std::chrono::steady_clock::now();
  const nn::Evaluation e = m.net.evaluate(d.test, o.threads);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  require(e.finite(), o.model, "node " + e.nonfinite,
          "activations are not finite (NaN or Inf) on the " + o.data +
              " test data: the weights load but overflow");
  const double acc = e.accuracy;
  const auto correct = static_cast<long long>(acc * static_cast<double>(d.test.size()) + 0.5);
  std::printf("model: %s\n", m.description.c_str());
  std::printf("data: %s test split, %zu images, %d classes (%s)\n", o.data.c_str(), d.test.size(),
              d.test.classes, d.test.source.c_str());
  std::printf("top-1 accuracy: %.2f %% (%lld / %zu)\n", 100.0 * acc, correct, d.test.size());
  std::printf("throughput: %.0f images/s%s (%.3f s, %d threads)\n",
              static_cast<double>(d.test.size()) / (s > 0 ? s : 1e-9),
              imagenet ? " incl. JPEG decoding" : "", s, o.threads);
}

void train_reference(const TrainOptions& o) {
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

}  // namespace anvil::flow
