// CIFAR-10, binary version (https://www.cs.toronto.edu/~kriz/cifar.html): each batch file is
// a sequence of 3073-byte records, 1 label byte (0..9) then 32x32x3 pixel bytes in CHW order
// (1024 red, 1024 green, 1024 blue, rows top to bottom). A directory holds data_batch_1.bin
// .. data_batch_5.bin (50,000 training images) and test_batch.bin (10,000 test images).
#pragma once

#include <filesystem>

#include "nn/dataset.hpp"

namespace anvil::nn {

inline constexpr int kCifarSide = 32;
inline constexpr int kCifarChannels = 3;
inline constexpr size_t kCifarPixels = 3 * 32 * 32;
inline constexpr size_t kCifarRecord = 1 + kCifarPixels;  // 3073 bytes

// Appends the records of one batch file to `out` (pixels scaled to [0, 1]). Throws
// anvil::Error naming the file when it cannot be read, is empty, is not a whole number of
// records, or holds a label >= 10. `out` is left unchanged on error.
void read_cifar_batch(const std::filesystem::path& file, Dataset& out);

// Loads a CIFAR-10 binary directory: data_batch_1..5.bin -> train, test_batch.bin -> test.
// Also accepts the parent of the archive's "cifar-10-batches-bin" folder.
DataSplit load_cifar10(const std::filesystem::path& dir);

}  // namespace anvil::nn
