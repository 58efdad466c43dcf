#include "nn/cifar.hpp"

#include <cstdint>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "core/error.hpp"

namespace anvil::nn {

namespace {

// A real batch holds 10,000 records (30.7 MB); refuse anything absurdly larger before
// allocating for it.
constexpr uintmax_t kMaxBatchBytes = uintmax_t{1} << 31;

Dataset empty_cifar(const std::string& source) {
  Dataset d;
  d.name = "cifar10";
  d.source = source;
  d.channels = kCifarChannels;
  d.height = kCifarSide;
  d.width = kCifarSide;
  d.classes = 10;
  return d;
}

}  // namespace

void read_cifar_batch(const std::filesystem::path& file, Dataset& out) {
  const std::string name = file.string();
  std::error_code ec;
  const bool regular = std::filesystem::is_regular_file(file, ec);
  require(regular && !ec, name, "file", "cannot open: no such regular file");
  const uintmax_t bytes = std::filesystem::file_size(file, ec);
  require(!ec, name, "file", "cannot read its size: " + ec.message());
  require(bytes > 0, name, "file size", "is empty; a CIFAR-10 batch holds 3073-byte records");
  require(bytes <= kMaxBatchBytes, name, "file size",
          std::to_string(bytes) + " bytes is more than the 2 GiB limit for one batch");
  require(bytes % kCifarRecord == 0, name, "file size",
          std::to_string(bytes) + " bytes is not a multiple of the 3073-byte record " +
              "(1 label + 3072 pixels); truncated or not a CIFAR-10 binary batch");
  require(out.channels == kCifarChannels && out.height == kCifarSide && out.width == kCifarSide,
          name, "image shape",
          "cannot append 3x32x32 CIFAR-10 images to a data set of another shape");

  std::vector<unsigned char> raw(static_cast<size_t>(bytes));
  std::ifstream in(file, std::ios::binary);
  require(static_cast<bool>(in), name, "file", "cannot open for reading");
  in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
  require(static_cast<size_t>(in.gcount()) == raw.size(), name, "file",
          "short read: the file changed or could not be read completely");

  const size_t records = raw.size() / kCifarRecord;
  std::vector<uint8_t> labels(records);
  std::vector<float> images(records * kCifarPixels);
  for (size_t r = 0; r < records; ++r) {
    const unsigned char* rec = raw.data() + r * kCifarRecord;
    require(rec[0] < 10, name, "record " + std::to_string(r) + " label",
            "is " + std::to_string(rec[0]) + "; CIFAR-10 labels are 0..9");
    labels[r] = rec[0];
    float* dst = images.data() + r * kCifarPixels;
    for (size_t p = 0; p < kCifarPixels; ++p) dst[p] = static_cast<float>(rec[1 + p]) / 255.0f;
  }
  out.labels.insert(out.labels.end(), labels.begin(), labels.end());
  out.images.insert(out.images.end(), images.begin(), images.end());
}

DataSplit load_cifar10(const std::filesystem::path& dir_in) {
  std::filesystem::path dir = dir_in;
  std::error_code ec;
  if (!std::filesystem::exists(dir / "test_batch.bin", ec) &&
      std::filesystem::exists(dir / "cifar-10-batches-bin" / "test_batch.bin", ec)) {
    dir /= "cifar-10-batches-bin";
  }
  require(std::filesystem::is_directory(dir, ec), dir.string(), "directory",
          "does not exist; expected a CIFAR-10 binary folder with data_batch_1..5.bin and "
          "test_batch.bin");
  DataSplit split{empty_cifar(dir.string()), empty_cifar(dir.string())};
  for (int b = 1; b <= 5; ++b) {
    read_cifar_batch(dir / ("data_batch_" + std::to_string(b) + ".bin"), split.train);
  }
  read_cifar_batch(dir / "test_batch.bin", split.test);
  return split;
}

}  // namespace anvil::nn
