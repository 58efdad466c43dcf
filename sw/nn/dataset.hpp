// A labelled image data set in memory: images as float NCHW scaled to [0, 1], labels 0..K-1.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace anvil::nn {

struct Dataset {
  std::string name;    // "fashion-mnist", "mnist", "cifar10", ...
  std::string source;  // where it was read from (directory or file)
  int channels = 1, height = 28, width = 28;
  int classes = 10;
  std::vector<float> images;    // size() * channels * height * width, NCHW, [0, 1]
  std::vector<uint8_t> labels;  // size()

  size_t size() const { return labels.size(); }
  size_t image_size() const { return static_cast<size_t>(channels) * height * width; }
  const float* image(size_t i) const { return images.data() + i * image_size(); }
  // The images and labels at `indices`, in that order (the caller says so in `source`).
  Dataset select(const std::vector<size_t>& indices) const;
};

struct DataSplit {
  Dataset train, test;
};

}  // namespace anvil::nn
