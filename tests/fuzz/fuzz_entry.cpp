// See fuzz_entry.hpp.
#include "fuzz_entry.hpp"

#include <unistd.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/codec.hpp"
#include "core/device_config.hpp"
#include "core/error.hpp"
#include "core/measured_channel.hpp"
#include "core/scheme.hpp"
#include "flow/experiment.hpp"
#include "flow/rtl_export.hpp"
#include "flow/sweep.hpp"
#include "nn/cifar.hpp"
#include "nn/idx.hpp"
#include "nn/onnx_io.hpp"

namespace anvil::fuzz {

namespace fs = std::filesystem;

namespace {

// A folder of this process's own (parallel fuzzers and tests never share a file).
const fs::path& scratch() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("anvil-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

fs::path write_input(std::string_view bytes, const std::string& name) {
  const fs::path p = scratch() / name;
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
  return p;
}

// Runs `f`; an anvil::Error is a clean rejection. Returns whether the input was accepted.
template <class F>
bool accepts(F&& f) {
  try {
    f();
    return true;
  } catch (const anvil::Error&) {
    return false;
  }
}

}  // namespace

bool idx(std::string_view in) {  // raw, or gzip when it starts with the gzip magic
  const fs::path p = write_input(in, "input.idx");
  return accepts([&] { (void)nn::read_idx(p.string()); });
}

bool idx_gz(std::string_view in) {  // the input gzip-compressed: the gzip path's IDX
  const fs::path p = scratch() / "input.idx.gz";
  gzFile f = gzopen(p.c_str(), "wb1");
  if (f == nullptr) return false;
  if (!in.empty()) gzwrite(f, in.data(), static_cast<unsigned>(in.size()));
  gzclose(f);
  return accepts([&] { (void)nn::read_idx(p.string()); });
}

bool cifar(std::string_view in) {
  const fs::path p = write_input(in, "data_batch_1.bin");
  nn::Dataset d;
  return accepts([&] { nn::read_cifar_batch(p, d); });
}

bool measured_csv(std::string_view in) {  // the table, then the channel built on it
  const fs::path p = write_input(in, "measured.csv");
  return accepts([&] {
    (void)core::load_measured_table(p, "log10");
    core::MeasuredConfig cfg;
    cfg.file = p;
    core::MeasuredChannel ch(cfg);
    (void)ch.levels();
  });
}

bool device_yaml(std::string_view in) {
  const fs::path p = write_input(in, "device.yaml");
  return accepts([&] { (void)core::load_device(p); });
}

bool experiment_yaml(std::string_view in) {
  const fs::path p = write_input(in, "experiment.yaml");
  return accepts([&] { (void)flow::load_experiment(p); });
}

bool scheme_yaml(std::string_view in) {
  return accepts([&] { (void)core::parse_schemes_text(std::string(in), "schemes.yaml"); });
}

bool codec_yaml(std::string_view in) {
  const fs::path p = write_input(in, "codec.yaml");
  return accepts([&] { core::validate(flow::load_codec_yaml(p), p.string()); });
}

bool sweep_yaml(std::string_view in) {
  const fs::path p = write_input(in, "sweep.yaml");
  return accepts([&] { (void)flow::load_sweep(p); });
}

bool sweep_state(std::string_view in) {  // a sweep folder's manifest and point result
  (void)write_input(in, "sweep/sweep.json");
  (void)write_input(in, "sweep/points/p0/result.json");
  (void)flow::read_point_result(scratch() / "sweep", "p0");
  return accepts([&] { (void)flow::read_manifest(scratch() / "sweep"); });
}

// Import, then one forward pass on a zero image when the input is small enough.
bool onnx(std::string_view in) {
  return accepts([&] {
    const nn::Network net = nn::parse_onnx(in, "model.onnx");
    if (net.input_size() <= (size_t{1} << 16)) {
      const std::vector<float> x(net.input_size(), 0.0f);
      (void)net.forward(x.data(), 1);
    }
  });
}

const std::vector<Entry>& entries() {
  static const std::vector<Entry> all = {{"idx", idx},
                                         {"idx_gz", idx_gz},
                                         {"cifar", cifar},
                                         {"measured_csv", measured_csv},
                                         {"device_yaml", device_yaml},
                                         {"experiment_yaml", experiment_yaml},
                                         {"scheme_yaml", scheme_yaml},
                                         {"codec_yaml", codec_yaml},
                                         {"sweep_yaml", sweep_yaml},
                                         {"sweep_state", sweep_state},
                                         {"onnx", onnx}};
  return all;
}

}  // namespace anvil::fuzz
