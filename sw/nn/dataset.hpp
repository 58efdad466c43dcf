// A labelled image data set: in memory (images as float NCHW scaled to [0, 1], labels
// 0..K-1), or streamed from an ImageNet-style folder of JPEGs (`folder`; decoded a chunk at a
// time by Network::accuracy/evaluate, so memory does not grow with the data set).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/imagenet.hpp"

namespace anvil::nn {

struct Dataset {
  std::string name;    // "fashion-mnist", "mnist", "cifar10", ...
  std::string source;  // where it was read from (directory or file)
  int channels = 1, height = 28, width = 28;
  int classes = 10;
  std::vector<float> images;                  // size() * channels * height * width, NCHW, [0, 1]
  std::vector<uint8_t> labels;                // size()
  std::shared_ptr<const ImageFolder> folder;  // set: streamed; images and labels stay empty

  bool streamed() const { return folder != nullptr; }
  size_t size() const { return folder ? folder->size() : labels.size(); }
  size_t image_size() const { return static_cast<size_t>(channels) * height * width; }
  const float* image(size_t i) const { return images.data() + i * image_size(); }  // in memory
  // The images and labels at `indices`, in that order (the caller says so in `source`).
  Dataset select(const std::vector<size_t>& indices) const;
};

struct DataSplit {
  Dataset train, test;
};

}  // namespace anvil::nn
