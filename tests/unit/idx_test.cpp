// IDX reader: good files (raw and gzip) load; truncated files, wrong magic, absurd headers,
// trailing bytes and image/label count mismatches give anvil::Error naming file and field.
#define BOOST_TEST_MODULE idx
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <filesystem>
#include <fstream>

#include <unistd.h>
#include <zlib.h>

#include "core/error.hpp"
#include "nn/idx.hpp"

using namespace anvil::nn;
namespace fs = std::filesystem;

using anvil::test::TempDir;

namespace {

void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void gzip_file(const std::string& src, const std::string& dst) {
  const auto b = read_bytes(src);
  gzFile g = gzopen(dst.c_str(), "wb");
  gzwrite(g, b.data(), static_cast<unsigned>(b.size()));
  gzclose(g);
}

// Checks that `f` throws anvil::Error whose field is `field`.
template <class F>
void expect_error(F&& f, const std::string& field, const std::string& file) {
  try {
    f();
    BOOST_FAIL("no error for field " << field);
  } catch (const anvil::Error& e) {
    BOOST_TEST(e.field() == field, e.what());
    BOOST_TEST(e.file().find(file) != std::string::npos, e.what());
  }
}

std::vector<uint8_t> pixels(size_t n) {
  std::vector<uint8_t> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(i * 7);
  return p;
}

void write_split(const TempDir& d, const std::string& prefix, uint32_t n, bool gz) {
  std::vector<uint8_t> labels(n);
  for (uint32_t i = 0; i < n; ++i) labels[i] = static_cast<uint8_t>(i % 10);
  const std::string img = d.file(prefix + "-images-idx3-ubyte");
  const std::string lab = d.file(prefix + "-labels-idx1-ubyte");
  write_idx(img, {n, 4, 3}, pixels(n * 12));
  write_idx(lab, {n}, labels);
  if (gz) {
    gzip_file(img, img + ".gz");
    gzip_file(lab, lab + ".gz");
    fs::remove(img);
    fs::remove(lab);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_raw_and_gzip_folders) {
  TempDir d;
  write_split(d, "train", 5, true);
  write_split(d, "t10k", 3, false);
  const DataSplit s = load_idx_dataset(d.path.string(), "toy");
  BOOST_TEST(s.train.size() == 5u);
  BOOST_TEST(s.test.size() == 3u);
  BOOST_TEST(s.train.height == 4);
  BOOST_TEST(s.train.width == 3);
  BOOST_TEST(s.train.labels[4] == 4);
  BOOST_TEST(s.train.images[1] == 7.0f / 255.0f);
  BOOST_TEST(s.train.name == "toy");
}

BOOST_AUTO_TEST_CASE(truncated_file) {
  TempDir d;
  const std::string p = d.file("img");
  write_idx(p, {10, 28, 28}, pixels(10 * 784));
  auto b = read_bytes(p);
  b.resize(b.size() - 100);
  write_bytes(p, b);
  expect_error([&] { read_idx(p); }, "dims", p);
  // Truncated inside the header.
  write_bytes(p, {0, 0, 8, 3, 0, 0});
  expect_error([&] { read_idx(p); }, "dims", p);
  write_bytes(p, {0, 0});
  expect_error([&] { read_idx(p); }, "magic", p);
  // Truncated gzip stream.
  write_idx(p, {10, 28, 28}, pixels(10 * 784));
  gzip_file(p, p + ".gz");
  auto z = read_bytes(p + ".gz");
  z.resize(z.size() / 2);
  write_bytes(p + ".gz", z);
  BOOST_CHECK_THROW(read_idx(p + ".gz"), anvil::Error);
}

BOOST_AUTO_TEST_CASE(wrong_magic) {
  TempDir d;
  const std::string p = d.file("bad");
  write_bytes(p, {1, 0, 8, 1, 0, 0, 0, 1, 5});  // first byte not 0
  expect_error([&] { read_idx(p); }, "magic", p);
  write_bytes(p, {0, 0, 0x0D, 1, 0, 0, 0, 1, 5, 5, 5, 5});  // float type: not supported
  expect_error([&] { read_idx(p); }, "magic", p);
  write_bytes(p, {0, 0, 8, 0});  // zero dimensions
  expect_error([&] { read_idx(p); }, "magic", p);
  write_idx(p, {3}, {1, 2, 3});  // labels where images are expected
  expect_error([&] { read_idx(p, 3); }, "magic", p);
}

BOOST_AUTO_TEST_CASE(absurd_header_fails_before_allocating) {
  TempDir d;
  const std::string p = d.file("huge");
  // Claims 10^12 images of 28x28 (and, second, dimensions whose product overflows 64 bits);
  // must fail on the size check, not on an allocation.
  write_bytes(p, {0, 0, 8, 3, 0xE8, 0xD4, 0xA5, 0x10, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3});
  expect_error([&] { read_idx(p); }, "dims", p);
  write_bytes(p, {0,    0,    8,    4,    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});
  expect_error([&] { read_idx(p); }, "dims", p);
}

BOOST_AUTO_TEST_CASE(trailing_bytes) {
  TempDir d;
  const std::string p = d.file("long");
  write_idx(p, {2}, {1, 2});
  auto b = read_bytes(p);
  b.push_back(9);
  write_bytes(p, b);
  expect_error([&] { read_idx(p); }, "dims", p);
}

BOOST_AUTO_TEST_CASE(count_mismatch_and_bad_labels) {
  TempDir d;
  const std::string img = d.file("img"), lab = d.file("lab");
  write_idx(img, {4, 2, 2}, pixels(16));
  write_idx(lab, {3}, {0, 1, 2});
  expect_error([&] { load_idx_pair(img, lab, "x"); }, "count", lab);
  write_idx(lab, {4}, {0, 1, 2, 10});
  expect_error([&] { load_idx_pair(img, lab, "x"); }, "label[3]", lab);
}

BOOST_AUTO_TEST_CASE(missing_files) {
  TempDir d;
  expect_error([&] { read_idx(d.file("nope")); }, "file", "nope");
  expect_error([&] { load_idx_dataset(d.path.string(), "x"); }, "train-images-idx3-ubyte",
               d.path.string());
}

BOOST_AUTO_TEST_CASE(fashion_mnist_when_installed) {
  if (!fs::exists(std::string(kFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz")) return;
  const IdxArray a = read_idx(std::string(kFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz", 1);
  BOOST_TEST(a.dims[0] == 10000u);
}
