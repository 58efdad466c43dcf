// Scaffolding shared by the unit tests: a scratch directory, whole-file reads and writes, the
// field an anvil::Error names, and (in tests built with ANVIL_EXE) running the anvil executable
// and checking its one-line errors. Include after <boost/test/unit_test.hpp>.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "core/error.hpp"

namespace anvil::test {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<unsigned> counter{0};
    path = fs::temp_directory_path() /
           ("anvil_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  fs::path file(const std::string& name) const { return path / name; }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return path / name;
  }
};

// The head of a small valid experiment (gaussian cell; the network is not opened by the
// loader): the fixture of the experiment and sweep loader tests, which append schemes.
inline const char* const kGaussianExperiment = R"(experiment:
  name: t
  network: net.onnx
  dataset: fashion-mnist
  device: {channel: gaussian, gaussian: {sigma: 0.01}, adc_bits: 6, read_time_s: 1}
  trials: 3
  seed: 7
)";

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The field of the anvil::Error that `f` throws ("<no error>" when it throws none); with
// `file`, the error must name that file.
template <class F>
std::string error_field_of(F&& f, const char* file = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    BOOST_TEST_MESSAGE(e.what());
    if (file) BOOST_TEST(e.file() == file);
    return e.field();
  }
  return "<no error>";
}

#ifdef ANVIL_EXE
struct Run {
  int status = -1;  // exit status (128: did not exit normally)
  std::string out, err;
};

// `anvil <args>` with stdout and stderr captured in files of `tmp`. No plots in tests:
// ANVIL_PYTHON points at a missing interpreter, which must not fail a run.
inline Run run_anvil(const std::string& args, const TempDir& tmp) {
  const fs::path out = tmp.path / "stdout.txt", err = tmp.path / "stderr.txt";
  const std::string cmd = std::string("ANVIL_PYTHON=/nonexistent '") + ANVIL_EXE + "' " + args +
                          " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int raw = std::system(cmd.c_str());
  Run r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

// Exactly one line on stderr, "anvil: error: FILE: FIELD: ..." and a non-zero exit.
inline void expect_one_line_error(const Run& r, const std::string& file, const std::string& field) {
  BOOST_TEST_MESSAGE("stderr: " << r.err);
  BOOST_TEST(r.status != 0);
  BOOST_TEST(!r.err.empty());
  BOOST_TEST(r.err.find('\n') == r.err.size() - 1, "stderr must be exactly one line: " << r.err);
  const std::string prefix = "anvil: error: " + file + ": " + field + ": ";
  BOOST_TEST(r.err.rfind(prefix, 0) == 0,
             "stderr '" << r.err << "' should start with '" << prefix << "'");
}
#endif

}  // namespace anvil::test
