// The ImageNet loader on JPEGs the test writes with libjpeg-turbo: class folders and a flat
// folder with a label file; RGB, grayscale and CMYK files; tiny images; the standard
// preprocessing (shorter side 256, centre crop 224, mean/std); corrupt, truncated and empty
// files each give one error naming the file, the field and the rule; streaming holds one
// batch and gives the same bits for any thread count; `dataset: imagenet` in a whole
// run_experiment (class folders, a flat folder + label file, a seeded subset).
#define BOOST_TEST_MODULE imagenet
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <turbojpeg.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "flow/experiment.hpp"
#include "nn/datasets.hpp"
#include "nn/imagenet.hpp"
#include "nn/models.hpp"
#include "nn/onnx_io.hpp"

using namespace anvil;
using anvil::test::TempDir;
namespace fs = std::filesystem;

namespace {

// A JPEG of w x h pixels in pixel format `pf`; pixel (x, y) channel c = fill(x, y, c).
template <class F>
std::string jpeg(int w, int h, int pf, F&& fill, int quality = 95) {
  const int ch = tjPixelSize[pf];
  std::vector<unsigned char> px(static_cast<size_t>(w) * h * ch);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < ch; ++c)
        px[(static_cast<size_t>(y) * w + x) * ch + c] = static_cast<unsigned char>(fill(x, y, c));
  tjhandle tj = tjInitCompress();
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  const int samp = pf == TJPF_GRAY ? TJSAMP_GRAY : TJSAMP_444;
  BOOST_REQUIRE(tjCompress2(tj, px.data(), w, 0, h, pf, &buf, &size, samp, quality, 0) == 0);
  std::string s(reinterpret_cast<char*>(buf), size);
  tjFree(buf);
  tjDestroy(tj);
  return s;
}

std::string solid_rgb(int w, int h, int r, int g, int b) {
  return jpeg(w, h, TJPF_RGB, [&](int, int, int c) { return c == 0 ? r : c == 1 ? g : b; });
}

// The field of the anvil::Error that decoding `bytes` throws.
std::string decode_error(const std::string& bytes, std::string* what = nullptr) {
  std::vector<float> out(3 * 224 * 224);
  try {
    nn::decode_jpeg_image(bytes, "x.JPEG", {}, out.data());
  } catch (const Error& e) {
    if (what) *what = e.what();
    BOOST_TEST(e.file() == "x.JPEG");
    return e.field();
  }
  return "<no error>";
}

// Preprocessed value of a uniform 0..255 level in channel c.
float norm(int level, int c) {
  const nn::ImagePreprocess pp;
  return (static_cast<float>(level) / 255.0f - pp.mean[static_cast<size_t>(c)]) /
         pp.std[static_cast<size_t>(c)];
}

// Max |out - norm(level[c], c)| over the image.
float max_dev(const std::vector<float>& out, const std::array<int, 3>& level) {
  float dev = 0;
  for (int c = 0; c < 3; ++c)
    for (size_t i = 0; i < 224 * 224; ++i)
      dev = std::max(dev, std::abs(out[static_cast<size_t>(c) * 224 * 224 + i] -
                                   norm(level[static_cast<size_t>(c)], c)));
  return dev;
}

constexpr float kJpegTol = 4.0f / 255.0f / 0.224f;  // a few levels of JPEG rounding

}  // namespace

BOOST_AUTO_TEST_CASE(solid_colours_survive_decode_resize_crop_normalise) {
  std::vector<float> out(3 * 224 * 224);
  nn::decode_jpeg_image(solid_rgb(320, 240, 200, 100, 30), "rgb", {}, out.data());
  BOOST_TEST(max_dev(out, {200, 100, 30}) <= kJpegTol);
  // Grayscale: the same level in all three channels before normalisation.
  nn::decode_jpeg_image(jpeg(100, 300, TJPF_GRAY, [](int, int, int) { return 90; }), "gray", {},
                        out.data());
  BOOST_TEST(max_dev(out, {90, 90, 90}) <= kJpegTol);
  // CMYK (Adobe inverted): R = C K / 255, G = M K / 255, B = Y K / 255.
  const std::string cmyk = jpeg(64, 48, TJPF_CMYK, [](int, int, int c) {
    const int v[4] = {255, 128, 0, 255};
    return v[c];
  });
  nn::decode_jpeg_image(cmyk, "cmyk", {}, out.data());
  BOOST_TEST(max_dev(out, {255, 128, 0}) <= kJpegTol);
  // Tiny images are upsampled like any other.
  for (auto [w, h] : {std::pair{1, 1}, std::pair{3, 2}, std::pair{1, 7}}) {
    nn::decode_jpeg_image(solid_rgb(w, h, 10, 250, 128), "tiny", {}, out.data());
    BOOST_TEST(max_dev(out, {10, 250, 128}) <= kJpegTol, w << "x" << h);
  }
}

BOOST_AUTO_TEST_CASE(resize_and_centre_crop_keep_the_middle) {
  // 512 x 256: shorter side 256 unchanged, long side 512; the crop keeps columns 144..367.
  // Left half black, right half white: the crop's left column is black, right column white,
  // and the boundary sits at crop column 256 - 144 = 112.
  const std::string half =
      jpeg(512, 256, TJPF_GRAY, [](int x, int, int) { return x < 256 ? 0 : 255; });
  std::vector<float> out(3 * 224 * 224);
  nn::decode_jpeg_image(half, "half", {}, out.data());
  const size_t row = 100 * 224;
  BOOST_TEST(std::abs(out[row + 0] - norm(0, 0)) <= kJpegTol);
  BOOST_TEST(std::abs(out[row + 223] - norm(255, 0)) <= kJpegTol);
  BOOST_TEST(std::abs(out[row + 100] - norm(0, 0)) <= 2 * kJpegTol);
  BOOST_TEST(std::abs(out[row + 124] - norm(255, 0)) <= 2 * kJpegTol);
}

BOOST_AUTO_TEST_CASE(bad_files_name_file_field_and_rule) {
  std::string what;
  BOOST_TEST(decode_error("this is not a JPEG at all", &what) == "jpeg header");
  BOOST_TEST(what.rfind("x.JPEG: jpeg header: ", 0) == 0u, what);
  const std::string good =
      jpeg(64, 64, TJPF_RGB, [](int x, int y, int c) { return (x * 7 + y * 3 + c * 50) % 256; });
  BOOST_TEST(decode_error(good.substr(0, good.size() / 2), &what) == "jpeg data");  // truncated
  BOOST_TEST(what.find("corrupt or truncated") != std::string::npos, what);
  std::string corrupt = good;
  for (size_t i = corrupt.size() / 3; i < corrupt.size() / 3 + 64; ++i) corrupt[i] = '\xff';
  const std::string f = decode_error(corrupt);
  BOOST_TEST((f == "jpeg data" || f == "jpeg header"), f);
  BOOST_TEST(decode_error(good) == "<no error>");
}

BOOST_AUTO_TEST_CASE(class_folders_stream_with_labels_in_sorted_order) {
  TempDir t;
  fs::create_directories(t.path / "n02");
  fs::create_directories(t.path / "n01");
  fs::create_directories(t.path / "n03");
  t.write("n01/b.JPEG", solid_rgb(40, 30, 255, 0, 0));
  t.write("n01/a.jpg", solid_rgb(30, 40, 250, 5, 5));
  t.write("n02/c.jpeg", jpeg(50, 50, TJPF_GRAY, [](int, int, int) { return 128; }));
  t.write("n02/notes.txt", "not an image");
  t.write("n03/d.JPEG", solid_rgb(2, 2, 0, 0, 255));
  const nn::ImageFolder data(t.path);
  BOOST_TEST(data.size() == 4u);
  BOOST_TEST(data.classes() == 3);
  BOOST_TEST(data.class_names() == (std::vector<std::string>{"n01", "n02", "n03"}));
  BOOST_TEST(data.file(0).filename() == "a.jpg");
  BOOST_TEST(data.label(0) == 0);
  BOOST_TEST(data.label(2) == 1);
  BOOST_TEST(data.label(3) == 2);
  std::vector<float> a, b;
  std::vector<int> la, lb;
  data.load(0, 4, a, la, 1);
  data.load(0, 4, b, lb, 2);
  BOOST_TEST(a == b);  // same bits for any thread count
  BOOST_TEST(la == (std::vector<int>{0, 0, 1, 2}));
  // Streaming: the predictor never sees more than one batch; a perfect one scores 1.
  size_t most = 0;
  const double acc = nn::streamed_accuracy(data, 3, 2, [&](const float* x, size_t n) {
    most = std::max(most, n);
    std::vector<int> pred(n);
    for (size_t i = 0; i < n; ++i)
      pred[i] = x[i * data.image_size()] > 1.0f                   ? 0
                : x[i * data.image_size() + 2 * 224 * 224] > 1.0f ? 2
                                                                  : 1;
    return pred;
  });
  BOOST_TEST(most == 3u);
  BOOST_TEST(acc == 1.0);
}

BOOST_AUTO_TEST_CASE(flat_folder_with_label_file) {
  TempDir t;
  t.write("x1.JPEG", solid_rgb(20, 20, 1, 2, 3));
  t.write("x2.JPEG", solid_rgb(20, 20, 1, 2, 3));
  const auto labels = t.write("val.txt", "# file label\nx1.JPEG 7\nx2.JPEG 999\n");
  const nn::ImageFolder data(t.path, labels);
  BOOST_TEST(data.size() == 2u);
  BOOST_TEST(data.label(1) == 999);
  BOOST_TEST(data.classes() == 1000);
  auto field = [&](const std::string& text) {
    try {
      nn::ImageFolder(t.path, t.write("bad.txt", text));
    } catch (const Error& e) {
      BOOST_TEST(e.file() == (t.path / "bad.txt").string());
      return e.field() + ": " + e.rule();
    }
    return std::string("<no error>");
  };
  BOOST_TEST(field("x1.JPEG 1\nx2.JPEG\n").rfind("line 2: must be 'FILE LABEL'", 0) == 0u);
  BOOST_TEST(field("x1.JPEG -3\n").rfind("line 1: label -3", 0) == 0u);
  BOOST_TEST(field("missing.JPEG 1\n").find("does not exist") != std::string::npos);
  BOOST_TEST(field("# nothing\n") == "lines: lists no images");
  // A bad image inside a batch: the load names that file.
  t.write("x2.JPEG", "");
  const nn::ImageFolder broken(t.path, labels);
  std::vector<float> x;
  std::vector<int> l;
  try {
    broken.load(0, 2, x, l, 2);
    BOOST_FAIL("an empty JPEG must be an error");
  } catch (const Error& e) {
    BOOST_TEST(e.file() == (t.path / "x2.JPEG").string());
    BOOST_TEST(e.field() == "file size");
  }
}

BOOST_AUTO_TEST_CASE(bad_layouts_are_errors) {
  TempDir t;
  BOOST_CHECK_THROW(nn::ImageFolder(t.path / "nope"), Error);
  BOOST_CHECK_THROW(nn::ImageFolder(t.path), Error);  // no class folders
  fs::create_directories(t.path / "n01");
  BOOST_CHECK_THROW(nn::ImageFolder(t.path), Error);  // class folders without JPEGs
}

// `dataset: imagenet` inside run_experiment: 9 JPEGs in 3 class folders (and the same files
// flat with a label file), a small ResNet-18 in ImageNet geometry. The noise-free reference
// must equal the network's accuracy over the streamed folder, the lossless fp32 baseline
// must equal that reference, and the report must name the data set and its split.
BOOST_AUTO_TEST_CASE(experiment_streams_imagenet_folders) {
  TempDir t;
  const nn::Network net = nn::build_resnet_v1("resnet18", {3, 224, 224, 3}, 5, 16);
  nn::save_onnx(net, t.path / "net.onnx");
  std::string labels;
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 3; ++i) {
      const std::string img = jpeg(64 + 16 * i, 48 + 8 * c, TJPF_RGB, [&](int x, int y, int k) {
        return (x * (k + 1) + y * (c + 2) + 40 * i) % 256;
      });
      const std::string file = "n0" + std::to_string(c) + "_" + std::to_string(i) + ".JPEG";
      fs::create_directories(t.path / "val" / ("n0" + std::to_string(c)));
      fs::create_directories(t.path / "flat");
      t.write("val/n0" + std::to_string(c) + "/" + file, img);
      t.write("flat/" + file, img);
      labels += file + " " + std::to_string(c) + "\n";
    }
  t.write("val.txt", labels);
  const nn::ImageFolder folder(t.path / "val");
  const nn::Network folded = net.fold_batchnorm();
  const double direct = nn::streamed_accuracy(
      folder, 4, 1, [&](const float* x, size_t n) { return folded.predict(x, n, 1); });
  const std::string head =
      "experiment:\n  name: inet\n  network: net.onnx\n"
      "  dataset: imagenet\n"
      "  device: {channel: gaussian, gaussian: {sigma: 0.02}, adc_bits: 6, "
      "read_time_s: 1}\n  trials: 2\n  seed: 3\n  threads: 2\n";
  const std::string schemes =
      "schemes:\n  - {name: a, levels: 16, decode: ml}\n"
      "  - {name: fp32, digital: {format: fp32, cell: slc, ecc: secded}}\n";
  auto run = [&](const std::string& where, const std::string& extra) {
    const auto cfg = flow::load_experiment(t.write(where + ".yaml", head + extra + schemes));
    flow::RunOptions opt;
    opt.out = t.path / where;
    opt.quiet = true;
    opt.plots = false;
    opt.sweep = false;
    const auto rep = flow::run_experiment(cfg, opt);
    return std::pair{rep, nlohmann::json::parse(test::slurp(opt.out / "report.json"))};
  };
  for (const auto& [where, extra] :
       {std::pair<std::string, std::string>{"folders", "  data_dir: val\n"},
        {"flat", "  data_dir: flat\n  labels: val.txt\n"}}) {
    const auto [rep, j] = run(where, extra);
    BOOST_TEST(j["dataset"]["name"].get<std::string>() == "imagenet");
    BOOST_TEST(j["dataset"]["test_images"].get<size_t>() == 9u);
    BOOST_TEST(rep.reference_accuracy == direct, where);
    BOOST_REQUIRE(rep.rows.size() == 2u);
    BOOST_TEST(rep.rows[0].trial_accuracy.size() == 2u);
    for (double a : rep.rows[0].trial_accuracy) BOOST_TEST((a >= 0.0 && a <= 1.0));
    BOOST_TEST(rep.rows[1].trial_accuracy.at(0) == direct, where);  // fp32 stores exactly
  }
  // A seeded screening subset of the streamed folder.
  const auto [sub, js] = run("subset", "  data_dir: val\n  test_subset: {images: 4, seed: 1}\n");
  BOOST_TEST(js["dataset"]["test_images"].get<size_t>() == 4u);
  BOOST_TEST(js["dataset"]["split"]["kind"].get<std::string>() == "seeded subset (screening)");
  BOOST_TEST(sub.rows[1].trial_accuracy.at(0) == sub.reference_accuracy);
  // Bad input: a label file for another data set, an ImageNet folder that is not there.
  auto field = [&](const std::string& text) {
    flow::RunOptions opt;
    opt.out = t.path / "bad";
    opt.quiet = true;
    try {
      flow::run_experiment(flow::load_experiment(t.write("bad.yaml", text + schemes)), opt);
    } catch (const Error& e) {
      return e.field();
    }
    return std::string("<no error>");
  };
  std::string other = head;
  other.replace(other.find("imagenet"), 8, "fashion-mnist");
  BOOST_TEST(field(other + "  labels: val.txt\n") == "experiment.labels");
  BOOST_TEST(field(head + "  data_dir: nowhere\n") == "imagenet");
}
