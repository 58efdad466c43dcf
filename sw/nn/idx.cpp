#include "nn/idx.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include <zlib.h>

#include "core/error.hpp"

namespace anvil::nn {

namespace {

// Whole decompressed content (gzread passes raw files through unchanged). Memory grows
// with the real data only, never with what a header claims.
std::vector<uint8_t> slurp(const std::string& path) {
  require(std::filesystem::is_regular_file(path), path, "file", "does not exist or is not a file");
  std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
  require(f != nullptr, path, "file", "cannot be opened");
  // Appends what each read returned from a fixed buffer: a short file costs its own size,
  // not a zero-filled chunk (the fuzzer calls this with tiny inputs thousands of times).
  std::vector<uint8_t> out;
  std::array<uint8_t, size_t{1} << 16> buf;
  for (;;) {
    const int got = gzread(f.get(), buf.data(), static_cast<unsigned>(buf.size()));
    if (got < 0) {
      int err = 0;
      const char* msg = gzerror(f.get(), &err);
      throw Error(path, "gzip", std::string("corrupt compressed data: ") + (msg ? msg : "?"));
    }
    if (got == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + got);
  }
  return out;
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

IdxArray read_idx(const std::string& path, int expect_rank) {
  const std::vector<uint8_t> bytes = slurp(path);
  require(bytes.size() >= 4, path, "magic", "file is shorter than the 4-byte IDX magic");
  require(bytes[0] == 0 && bytes[1] == 0, path, "magic",
          "first two bytes must be 0 (not an IDX file)");
  IdxArray a;
  a.type = bytes[2];
  require(
      a.type == 0x08, path, "magic", "element type must be 0x08 (unsigned byte), got 0x" + [&] {
        char b[8];
        std::snprintf(b, sizeof b, "%02x", a.type);
        return std::string(b);
      }());
  const int rank = bytes[3];
  require(rank >= 1 && rank <= 4, path, "magic",
          "dimension count must be 1..4, got " + std::to_string(rank));
  if (expect_rank > 0)
    require(
        rank == expect_rank, path, "magic",
        "dimension count must be " + std::to_string(expect_rank) + ", got " + std::to_string(rank));
  const size_t header = 4 + 4 * static_cast<size_t>(rank);
  require(bytes.size() >= header, path, "dims", "file ends inside the header");
  uint64_t total = 1;
  bool overflow = false;  // 4 dims of 2^32 overflow 64 bits: treat as absurd
  for (int i = 0; i < rank; ++i) {
    a.dims.push_back(be32(bytes.data() + 4 + 4 * i));
    const uint64_t d = a.dims.back();
    if (d != 0 && total > UINT64_MAX / d)
      overflow = true;
    else
      total *= d;
  }
  const size_t have = bytes.size() - header;
  require(!overflow && total <= have, path, "dims",
          "header claims " + (overflow ? std::string("more than 2^64") : std::to_string(total)) +
              " data bytes but the file holds " + std::to_string(have) + " (truncated or absurd)");
  require(
      total == have, path, "dims",
      "file has " + std::to_string(have - total) + " bytes after the data the header describes");
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return a;
}

Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path,
                      const std::string& name, int classes) {
  const IdxArray img = read_idx(images_path, 3);
  const IdxArray lab = read_idx(labels_path, 1);
  require(img.dims[0] == lab.dims[0], labels_path, "count",
          "label count " + std::to_string(lab.dims[0]) + " != image count " +
              std::to_string(img.dims[0]) + " in " + images_path);
  require(img.dims[0] > 0, images_path, "count", "no images");
  require(img.dims[1] > 0 && img.dims[2] > 0, images_path, "dims", "image size must be > 0");
  Dataset d;
  d.name = name;
  d.source = images_path;
  d.channels = 1;
  d.height = static_cast<int>(img.dims[1]);
  d.width = static_cast<int>(img.dims[2]);
  d.classes = classes;
  d.labels = lab.data;
  for (size_t i = 0; i < d.labels.size(); ++i)
    require(d.labels[i] < classes, labels_path, "label[" + std::to_string(i) + "]",
            "must be < " + std::to_string(classes) + ", got " + std::to_string(d.labels[i]));
  d.images.resize(img.data.size());
  for (size_t i = 0; i < img.data.size(); ++i) d.images[i] = img.data[i] / 255.0f;
  return d;
}

DataSplit load_idx_dataset(const std::string& dir, const std::string& name) {
  require(std::filesystem::is_directory(dir), dir, "directory", "does not exist");
  auto file = [&](const std::string& stem) {
    const std::filesystem::path raw = std::filesystem::path(dir) / stem;
    const std::filesystem::path gz = std::filesystem::path(dir) / (stem + ".gz");
    if (std::filesystem::exists(raw)) return raw.string();
    require(std::filesystem::exists(gz), dir, stem, "missing (looked for it raw and .gz)");
    return gz.string();
  };
  // Resolve in a fixed order so a missing file is reported the same way everywhere.
  const std::string train_images = file("train-images-idx3-ubyte");
  const std::string train_labels = file("train-labels-idx1-ubyte");
  const std::string test_images = file("t10k-images-idx3-ubyte");
  const std::string test_labels = file("t10k-labels-idx1-ubyte");
  DataSplit s;
  s.train = load_idx_pair(train_images, train_labels, name);
  s.test = load_idx_pair(test_images, test_labels, name);
  s.train.source = s.test.source = dir;
  return s;
}

void write_idx(const std::string& path, const std::vector<uint32_t>& dims,
               const std::vector<uint8_t>& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  require(static_cast<bool>(f), path, "file", "cannot be written");
  const uint8_t magic[4] = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  f.write(reinterpret_cast<const char*>(magic), 4);
  for (uint32_t d : dims) {
    const uint8_t b[4] = {static_cast<uint8_t>(d >> 24), static_cast<uint8_t>(d >> 16),
                          static_cast<uint8_t>(d >> 8), static_cast<uint8_t>(d)};
    f.write(reinterpret_cast<const char*>(b), 4);
  }
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  require(static_cast<bool>(f), path, "file", "write failed");
}

}  // namespace anvil::nn
