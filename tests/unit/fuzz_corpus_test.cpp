// Replays the fuzz regression corpus (tests/fuzz/corpus/<harness>/: every input a fuzzer
// once crashed on, and the hand-made ones) through the harnesses' own entry points
// (tests/fuzz/fuzz_entry.hpp): each input must load or give anvil::Error, never another
// exception or (in the sanitizer build, scripts/test.sh) a memory or UB report. The
// repository's own valid files go through the same entries and must load.
#define BOOST_TEST_MODULE fuzz_corpus
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

#include "fuzz_entry.hpp"

namespace fs = std::filesystem;
using anvil::test::slurp;

namespace {

const fs::path kSource = ANVIL_SOURCE_DIR;

const anvil::fuzz::Entry& entry(const std::string& name) {
  const auto& all = anvil::fuzz::entries();
  const auto it =
      std::find_if(all.begin(), all.end(), [&](const auto& e) { return e.name == name; });
  BOOST_REQUIRE(it != all.end());
  return *it;
}

}  // namespace

BOOST_AUTO_TEST_CASE(corpus_inputs_load_or_give_one_anvil_error) {
  std::map<std::string, size_t> replayed;
  size_t total = 0;
  for (const auto& e : anvil::fuzz::entries()) {
    const fs::path dir = kSource / "tests/fuzz/corpus" / e.name;
    if (!fs::is_directory(dir)) continue;
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(dir)) files.push_back(f.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      BOOST_TEST_CONTEXT(f.string()) {
        BOOST_CHECK_NO_THROW((void)e.run(slurp(f)));
      }
      ++replayed[e.name];
      ++total;
    }
  }
  for (const auto& [name, n] : replayed) BOOST_TEST_MESSAGE(name << ": " << n << " inputs");
  BOOST_TEST(total >= 1u);
}

BOOST_AUTO_TEST_CASE(repository_files_load_through_the_fuzz_entries) {
  for (const char* dev : {"pcm.yaml", "gaussian.yaml", "mlc2_digital.yaml"})
    BOOST_TEST(entry("device_yaml").run(slurp(kSource / "models/devices" / dev)), dev);
  BOOST_TEST(entry("codec_yaml").run(slurp(kSource / "tests/rtl/data/codec_l4k2r3_s3_mean.yaml")));
  BOOST_TEST(entry("onnx").run(slurp(kSource / "models/networks/lenet5-mnist.onnx")));
  BOOST_TEST(entry("measured_csv")
                 .run("write,read\n1.0,2.0\n1.0,2.5\n2.0,4.0\n2.0,4.5\n3.0,6.0\n3.0,6.5\n"));
}

BOOST_AUTO_TEST_CASE(obviously_bad_inputs_are_rejected_cleanly) {
  for (const auto& e : anvil::fuzz::entries()) {
    BOOST_TEST_CONTEXT(e.name) {
      BOOST_TEST(!e.run(""));
      BOOST_TEST(!e.run(std::string("\x1f\x8b\x08\0\0\0\0\0garbage", 16)));
    }
  }
}
