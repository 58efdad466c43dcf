// Inference throughput (images/s) of ResNet-18 in CIFAR geometry and ResNet-50 in ImageNet
// geometry, 1 and 2 threads, and (given a reference) the largest difference from another
// framework's logits. bench/resnet_bench.py runs it beside PyTorch and prints the ratios.
//
// Usage: resnet_bench [ARCH [model.onnx [input.bin expected.bin]]] [--images N]
//        resnet_bench ARCH --export-onnx FILE   anvil's own export of the built-in network
//        resnet_bench --jpegs DIR N             N seeded 500x375 JPEGs in 10 class folders
//                                               (an ImageNet-style folder: bench/resnet_run.sh)
//   ARCH      resnet18-cifar (3x32x32, 10 classes) | resnet18 | resnet50 (3x224x224, 1000);
//             both resnet18-cifar and resnet50, built in, when omitted (bench/run.sh)
//   model     an ONNX export (e.g. PyTorch's, opset 13); without it anvil builds the network
//             itself (torchvision layout, seeded weights) and folds its BatchNorms
//   input/expected  raw float32: images [n, 3, H, W] and their logits [n, classes]
#include <sys/resource.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <turbojpeg.h>
#include "core/error.hpp"

#include "core/random.hpp"
#include "nn/conv_kernel.hpp"
#include "nn/models.hpp"
#include "nn/onnx_io.hpp"

#include "timing.hpp"

using namespace anvil;

namespace {

// Minor page faults of the process so far: fresh buffers cost a fault and a zeroing per page.
long page_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

std::vector<float> read_floats(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path, "file", "cannot open");
  f.seekg(0, std::ios::end);
  std::vector<float> v(static_cast<size_t>(f.tellg()) / sizeof(float));
  f.seekg(0);
  f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
  return v;
}

void check(const nn::Network& net, const std::string& input, const std::string& expected) {
  const std::vector<float> x = read_floats(input), want = read_floats(expected);
  const size_t n = x.size() / net.input_size();
  const Eigen::MatrixXf y = net.forward(x.data(), n);
  if (want.size() != static_cast<size_t>(y.size()))
    throw Error(expected, "size", "does not match the network output");
  double diff = 0, scale = 0;
  for (size_t i = 0; i < n; ++i)
    for (Eigen::Index k = 0; k < y.cols(); ++k) {
      const double w = want[i * static_cast<size_t>(y.cols()) + static_cast<size_t>(k)];
      diff = std::max(diff, std::abs(y(static_cast<Eigen::Index>(i), k) - w));
      scale = std::max(scale, std::abs(w));
    }
  std::printf("check images=%zu max_abs_diff=%.3g max_abs_logit=%.3g\n", n, diff, scale);
}

// The input and classes of ARCH: CIFAR geometry for resnet18-cifar, ImageNet's otherwise.
nn::InputShape shape_of(const std::string& arch) {
  const bool cifar = arch == "resnet18-cifar";
  return {3, cifar ? 32 : 224, cifar ? 32 : 224, cifar ? 10 : 1000};
}

// One network: its logits check (when given) and images/s at 1 and 2 threads.
void bench(const std::string& arch, const std::vector<std::string>& pos, size_t images) {
  const bool cifar = arch == "resnet18-cifar";
  const nn::InputShape shape = shape_of(arch);
  const nn::Network net = pos.size() > 1 ? nn::load_onnx(pos[1]).fold_batchnorm()
                                         : nn::build_resnet_v1(arch, shape, 1).fold_batchnorm();
  if (pos.size() > 3) check(net, pos[2], pos[3]);
  if (images == 0) images = cifar ? 200 : 16;
  std::vector<float> x(images * net.input_size());
  const core::RandomStream rng(7, 0);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(rng.normal(i, core::Draw::kUser));
  std::printf("model %s source=%s params=%zu kernel=%s\n", arch.c_str(),
              pos.size() > 1 ? pos[1].c_str() : "built-in", net.parameter_count(),
              nn::isa_name(nn::active_isa()));
  net.predict(x.data(), std::min<size_t>(images, 4), 1);  // warm-up (buffers, caches)
  for (int threads : {1, 2}) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = timing::process_cpu_s();
    const long f0 = page_faults();
    net.predict(x.data(), images, threads);
    const double c = timing::process_cpu_s() - c0;
    const long faults = page_faults() - f0;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf(
        "anvil threads=%d images=%zu seconds=%.3f cpu_seconds=%.3f images_per_s=%.2f "
        "images_per_cpu_s=%.2f page_faults=%ld\n",
        threads, images, s, c, static_cast<double>(images) / s, static_cast<double>(images) / c,
        faults);
    std::fflush(stdout);
  }
}

// N JPEGs of ImageNet's typical 500x375 size, seeded smooth colour fields with noise, in
// class folders c0..c9: the shape of a validation folder, for whole-run figures.
void write_jpegs(const std::string& dir, size_t n) {
  const int w = 500, h = 375;
  std::vector<unsigned char> px(static_cast<size_t>(w) * h * 3);
  tjhandle tj = tjInitCompress();
  const core::RandomStream rng(11, 0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < px.size(); ++k) {
      const size_t x = (k / 3) % w, y = (k / 3) / w, c = k % 3;
      const double v = 128 + 60 * std::sin(0.02 * (x + 3 * i) * (c + 1)) +
                       40 * std::cos(0.03 * y * (i % 7 + 1)) +
                       10 * rng.normal(i * px.size() + k, core::Draw::kUser);
      px[k] = static_cast<unsigned char>(std::clamp(v, 0.0, 255.0));
    }
    unsigned char* buf = nullptr;
    unsigned long size = 0;
    if (tjCompress2(tj, px.data(), w, 0, h, TJPF_RGB, &buf, &size, TJSAMP_420, 90, 0) != 0)
      throw Error(dir, "jpeg", tjGetErrorStr2(tj));
    const std::string folder = dir + "/c" + std::to_string(i % 10);
    std::filesystem::create_directories(folder);
    std::ofstream(folder + "/img" + std::to_string(i) + ".JPEG", std::ios::binary)
        .write(reinterpret_cast<const char*>(buf), static_cast<std::streamsize>(size));
    tjFree(buf);
  }
  tjDestroy(tj);
}

}  // namespace

// Without ARCH (bench/run.sh): both built-in networks.
int main(int argc, char** argv) {
  try {
    std::vector<std::string> pos;
    size_t images = 0;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--images" && i + 1 < argc) {
        images = std::stoul(argv[++i]);
      } else if (a == "--jpegs" && i + 2 < argc) {
        write_jpegs(argv[i + 1], std::stoul(argv[i + 2]));
        return 0;
      } else if (a == "--export-onnx" && i + 1 < argc && !pos.empty()) {
        nn::save_onnx(nn::build_resnet_v1(pos[0], shape_of(pos[0]), 1), argv[i + 1]);
        return 0;
      } else {
        pos.push_back(a);
      }
    }
    if (!pos.empty()) {
      bench(pos[0], pos, images);
    } else {
      for (const char* arch : {"resnet18-cifar", "resnet50"}) bench(arch, {arch}, images);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "anvil: error: %s\n", e.what());
    return 1;
  }
}
