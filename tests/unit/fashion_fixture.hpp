// Fashion-MNIST slices for the tests that train or evaluate on real images; such a test is
// skipped (with a message) where the data set is not installed. Include after
// <boost/test/unit_test.hpp>.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include "nn/idx.hpp"

namespace anvil::test {

// The first `train` training and `test` test images (kWhole: the split as it is), or nothing
// where the data set is not installed.
constexpr size_t kWhole = static_cast<size_t>(-1);
inline std::optional<nn::DataSplit> fashion_slice(size_t train, size_t test) {
  if (!std::filesystem::exists(std::string(nn::kFashionMnistDir) + "/train-images-idx3-ubyte.gz")) {
    BOOST_TEST_MESSAGE("Fashion-MNIST not installed; skipped");
    return std::nullopt;
  }
  nn::DataSplit d = nn::load_idx_dataset(nn::kFashionMnistDir, "fashion-mnist");
  for (auto [split, n] : {std::pair{&d.train, train}, std::pair{&d.test, test}}) {
    if (n == kWhole) continue;
    split->labels.resize(n);
    split->images.resize(n * split->image_size());
  }
  return d;
}

}  // namespace anvil::test
