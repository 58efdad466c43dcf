// Reader of IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed.
// Every check names the file, the field and the rule (anvil::Error); sizes are validated
// against the real data length before anything large is allocated.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/dataset.hpp"

namespace anvil::nn {

struct IdxArray {
  uint8_t type = 0x08;         // element type code; only 0x08 (unsigned byte) is accepted
  std::vector<uint32_t> dims;  // dimension sizes, outermost first
  std::vector<uint8_t> data;   // prod(dims) bytes
};

// Reads a whole IDX file (gzip or raw, detected by content). `expect_rank` > 0 demands that
// rank. Throws anvil::Error on bad magic, rank, sizes, truncation or trailing bytes.
IdxArray read_idx(const std::string& path, int expect_rank = 0);

// Images (rank 3, [N, H, W]) and labels (rank 1, [N]) -> Dataset with pixels / 255.
Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path,
                      const std::string& name, int classes = 10);

// A folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].
DataSplit load_idx_dataset(const std::string& dir, const std::string& name);

// Writes a raw (uncompressed) IDX file of unsigned bytes; used by tests and converters.
void write_idx(const std::string& path, const std::vector<uint32_t>& dims,
               const std::vector<uint8_t>& data);

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

}  // namespace anvil::nn
