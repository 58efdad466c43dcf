// CIFAR-10 binary loader: decoding of records the test writes in the published format
// (1 label byte + 3072 CHW pixel bytes), and the errors for malformed batches.
#define BOOST_TEST_MODULE cifar
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/error.hpp"
#include "core/random.hpp"
#include "nn/cifar.hpp"

namespace fs = std::filesystem;
using anvil::nn::Dataset;

using anvil::test::TempDir;

namespace {

// A record whose pixel p is (seed + 7 p) mod 256, so decoding can be checked exactly.
std::vector<unsigned char> record(uint8_t label, unsigned seed) {
  std::vector<unsigned char> r(anvil::nn::kCifarRecord);
  r[0] = label;
  for (size_t p = 0; p < anvil::nn::kCifarPixels; ++p) r[1 + p] = (seed + 7 * p) % 256;
  return r;
}

void write(const fs::path& file, const std::vector<unsigned char>& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::vector<unsigned char> batch(int n, unsigned seed) {
  std::vector<unsigned char> all;
  for (int i = 0; i < n; ++i) {
    auto r = record(static_cast<uint8_t>((seed + i) % 10), seed + 13 * i);
    all.insert(all.end(), r.begin(), r.end());
  }
  return all;
}

Dataset empty() {
  Dataset d;
  d.channels = 3;
  d.height = d.width = 32;
  return d;
}

void expect_error(const fs::path& file, const std::string& field) {
  Dataset d = empty();
  try {
    anvil::nn::read_cifar_batch(file, d);
    BOOST_FAIL("expected anvil::Error for " << file);
  } catch (const anvil::Error& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(e.file() == file.string());
    BOOST_TEST(e.field() == field);
    BOOST_TEST(d.size() == 0u);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(decodes_labels_and_chw_pixels) {
  TempDir tmp;
  write(tmp.path / "b.bin", batch(3, 5));
  Dataset d = empty();
  anvil::nn::read_cifar_batch(tmp.path / "b.bin", d);
  BOOST_TEST(d.size() == 3u);
  BOOST_TEST(d.images.size() == 3u * 3072u);
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(d.labels[i] == (5 + i) % 10);
    const unsigned seed = 5 + 13 * i;
    for (size_t p :
         {size_t{0}, size_t{1}, size_t{1023}, size_t{1024}, size_t{2048}, size_t{3071}}) {
      BOOST_TEST(d.image(i)[p] == static_cast<float>((seed + 7 * p) % 256) / 255.0f);
    }
  }
}

BOOST_AUTO_TEST_CASE(loads_a_directory_of_batches) {
  TempDir tmp;
  for (int b = 1; b <= 5; ++b) {
    write(tmp.path / ("data_batch_" + std::to_string(b) + ".bin"), batch(b, 100 * b));
  }
  write(tmp.path / "test_batch.bin", batch(4, 7));
  const auto split = anvil::nn::load_cifar10(tmp.path);
  BOOST_TEST(split.train.size() == 15u);
  BOOST_TEST(split.test.size() == 4u);
  BOOST_TEST(split.train.channels == 3);
  BOOST_TEST(split.train.height == 32);
  BOOST_TEST(split.train.name == "cifar10");
  // data_batch_2's first record follows data_batch_1's single record.
  BOOST_TEST(split.train.labels[1] == 200 % 10);
  BOOST_TEST(split.train.image(1)[0] == static_cast<float>(200 % 256) / 255.0f);
}

BOOST_AUTO_TEST_CASE(accepts_the_archive_folder_parent) {
  TempDir tmp;
  const fs::path sub = tmp.path / "cifar-10-batches-bin";
  fs::create_directories(sub);
  for (int b = 1; b <= 5; ++b)
    write(sub / ("data_batch_" + std::to_string(b) + ".bin"), batch(1, b));
  write(sub / "test_batch.bin", batch(2, 9));
  BOOST_TEST(anvil::nn::load_cifar10(tmp.path).test.size() == 2u);
}

BOOST_AUTO_TEST_CASE(rejects_empty_file) {
  TempDir tmp;
  write(tmp.path / "e.bin", {});
  expect_error(tmp.path / "e.bin", "file size");
}

BOOST_AUTO_TEST_CASE(rejects_truncated_file) {
  TempDir tmp;
  auto b = batch(2, 1);
  b.resize(b.size() - 1);
  write(tmp.path / "t.bin", b);
  expect_error(tmp.path / "t.bin", "file size");
}

BOOST_AUTO_TEST_CASE(rejects_label_out_of_range) {
  TempDir tmp;
  auto b = batch(3, 1);
  b[2 * anvil::nn::kCifarRecord] = 10;
  write(tmp.path / "l.bin", b);
  expect_error(tmp.path / "l.bin", "record 2 label");
}

BOOST_AUTO_TEST_CASE(rejects_missing_file_and_batch) {
  TempDir tmp;
  expect_error(tmp.path / "none.bin", "file");
  for (int b = 1; b <= 4; ++b)
    write(tmp.path / ("data_batch_" + std::to_string(b) + ".bin"), batch(1, b));
  write(tmp.path / "test_batch.bin", batch(1, 0));
  try {
    anvil::nn::load_cifar10(tmp.path);
    BOOST_FAIL("expected anvil::Error for the missing data_batch_5.bin");
  } catch (const anvil::Error& e) {
    BOOST_TEST(e.file() == (tmp.path / "data_batch_5.bin").string());
  }
}
