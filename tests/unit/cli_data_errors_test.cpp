// Bad input files through the anvil executable (BRIEF section 6): each malformed IDX, CIFAR or
// ONNX file gives exactly one stderr line "anvil: error: FILE: FIELD: RULE" and a non-zero
// exit. The executable's path comes from the build (ANVIL_EXE).
#define BOOST_TEST_MODULE cli_data_errors
#include <boost/test/unit_test.hpp>

#include "cli_test.hpp"
#include "onnx_builders.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "nn/cifar.hpp"
#include "nn/idx.hpp"
#include "nn/models.hpp"
#include "nn/onnx_io.hpp"

namespace {

// A small valid IDX data set (raw files): 6 train and 4 test images of 28x28.
void write_idx_set(const fs::path& dir, uint32_t train = 6, uint32_t test = 4) {
  for (auto [prefix, n] : {std::pair<const char*, uint32_t>{"train", train}, {"t10k", test}}) {
    std::vector<uint8_t> pixels(static_cast<size_t>(n) * 28 * 28);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 37);
    std::vector<uint8_t> labels(n);
    for (uint32_t i = 0; i < n; ++i) labels[i] = static_cast<uint8_t>(i % 10);
    anvil::nn::write_idx((dir / (std::string(prefix) + "-images-idx3-ubyte")).string(), {n, 28, 28},
                         pixels);
    anvil::nn::write_idx((dir / (std::string(prefix) + "-labels-idx1-ubyte")).string(), {n},
                         labels);
  }
}

std::string info_data(const fs::path& dir) {
  return "info --data fashion-mnist --data-dir '" + dir.string() + "'";
}

// A valid IDX set with the bytes of one of its files changed by `corrupt`: `anvil info` must
// reject it with one line naming that file and `field`.
void expect_corrupt_idx_rejected(const char* file, const std::string& field,
                                 const std::function<void(std::string&)>& corrupt) {
  TempDir tmp;
  write_idx_set(tmp.path);
  const fs::path f = tmp.path / file;
  std::string bytes = slurp(f);
  corrupt(bytes);
  write_bytes(f, bytes);
  expect_one_line_error(run_anvil(info_data(tmp.path), tmp), f.string(), field);
}

// Graph x [N, 1, 6, 6] -> conv3 (Conv 2@3x3) -> relu -> flat -> fc (Gemm 32->3).
onnx::ModelProto small_model() {
  onnx::ModelProto m;
  m.set_ir_version(7);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(13);
  auto* g = m.mutable_graph();
  anvil::nn::set_onnx_value_info(g->add_input(), "x", {1, 6, 6});
  anvil::nn::set_onnx_value_info(g->add_output(), "y", {3});
  auto init = [&](const std::string& name, std::vector<int64_t> dims) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) {
      t->add_dims(d);
      n *= d;
    }
    for (int64_t i = 0; i < n; ++i) t->add_float_data(0.01f * static_cast<float>(i % 7));
  };
  init("conv.w", {2, 1, 3, 3});
  init("fc.w", {3, 32});
  auto node = [&](const std::string& op, const std::string& name,
                  const std::vector<std::string>& in,
                  const std::string& out) { return anvil::test::onnx_node(g, op, name, in, out); };
  node("Conv", "conv3", {"x", "conv.w"}, "c");
  node("Relu", "relu", {"c"}, "r");
  node("Flatten", "flat", {"r"}, "f");
  auto* fc = node("Gemm", "fc", {"f", "fc.w"}, "y");
  auto* a = fc->add_attribute();
  a->set_name("transB");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(1);
  return m;
}

fs::path save_model(const onnx::ModelProto& m, const TempDir& tmp, const std::string& name) {
  std::string bytes;
  m.SerializeToString(&bytes);
  write_bytes(tmp.path / name, bytes);
  return tmp.path / name;
}

// small_model() changed by `edit` and saved as `name`: `anvil info --model` must reject it with
// one line naming the file and `field`.
void expect_bad_model_rejected(const char* name, const std::string& field,
                               const std::function<void(onnx::ModelProto&)>& edit) {
  TempDir tmp;
  onnx::ModelProto m = small_model();
  edit(m);
  const fs::path f = save_model(m, tmp, name);
  expect_one_line_error(run_anvil("info --model '" + f.string() + "'", tmp), f.string(), field);
}

}  // namespace

BOOST_AUTO_TEST_CASE(valid_inputs_succeed) {
  TempDir tmp;
  write_idx_set(tmp.path);
  const Run r = run_anvil(info_data(tmp.path), tmp);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out.find("train: 6 images, test: 4 images") != std::string::npos, r.out);
  const fs::path m = save_model(small_model(), tmp, "ok.onnx");
  const Run r2 = run_anvil("info --model '" + m.string() + "'", tmp);
  BOOST_TEST(r2.status == 0, r2.err);
  BOOST_TEST(r2.out.find("total parameters: 114") != std::string::npos, r2.out);
}

BOOST_AUTO_TEST_CASE(idx_truncated) {
  expect_corrupt_idx_rejected("train-images-idx3-ubyte", "dims",
                              [](std::string& b) { b.resize(b.size() - 100); });
}

BOOST_AUTO_TEST_CASE(idx_truncated_header) {
  expect_corrupt_idx_rejected("t10k-labels-idx1-ubyte", "dims",
                              [](std::string& b) { b.resize(6); });
}

BOOST_AUTO_TEST_CASE(idx_wrong_magic) {
  expect_corrupt_idx_rejected("train-labels-idx1-ubyte", "magic", [](std::string& b) {
    b[0] = 0x1f;  // looks like neither IDX nor gzip
    b[1] = 0x00;
  });
}

BOOST_AUTO_TEST_CASE(idx_header_claims_absurd_size) {
  // 4.29e9 images of 1000x1000 (4e15 bytes) in a file of a few hundred bytes: rejected from
  // the header, before anything that large is allocated.
  expect_corrupt_idx_rejected("train-images-idx3-ubyte", "dims", [](std::string& b) {
    const unsigned char header[] = {0, 0, 8,    3,    0xff, 0xff, 0xff, 0xff,
                                    0, 0, 0x03, 0xe8, 0,    0,    0x03, 0xe8};
    b.replace(0, sizeof header, reinterpret_cast<const char*>(header), sizeof header);
  });
}

BOOST_AUTO_TEST_CASE(idx_label_image_count_mismatch) {
  TempDir tmp;
  write_idx_set(tmp.path);
  anvil::nn::write_idx((tmp.path / "t10k-labels-idx1-ubyte").string(), {3}, {1, 2, 3});
  expect_one_line_error(run_anvil(info_data(tmp.path), tmp),
                        (tmp.path / "t10k-labels-idx1-ubyte").string(), "count");
}

BOOST_AUTO_TEST_CASE(cifar_truncated_batch) {
  TempDir tmp;
  const std::string rec(anvil::nn::kCifarRecord, '\1');
  for (int b = 1; b <= 5; ++b)
    write_bytes(tmp.path / ("data_batch_" + std::to_string(b) + ".bin"), rec);
  write_bytes(tmp.path / "test_batch.bin", rec + rec.substr(0, 100));
  expect_one_line_error(
      run_anvil("info --data cifar10 --data-dir '" + tmp.path.string() + "'", tmp),
      (tmp.path / "test_batch.bin").string(), "file size");
}

BOOST_AUTO_TEST_CASE(unknown_data_set) {
  TempDir tmp;
  expect_one_line_error(run_anvil("info --data imagenet21k", tmp), "--data", "imagenet21k");
  // A known data set whose folder is missing names the folder and says what to do.
  const std::string dir = (tmp.path / "val").string();
  expect_one_line_error(run_anvil("info --data imagenet --data-dir '" + dir + "'", tmp), dir,
                        "imagenet");
}

BOOST_AUTO_TEST_CASE(onnx_corrupted) {
  TempDir tmp;
  const std::string good = anvil::nn::onnx_bytes(anvil::nn::build_lenet5({1, 28, 28, 10}, 1));
  write_bytes(tmp.path / "cut.onnx", good.substr(0, good.size() / 2));
  expect_one_line_error(run_anvil("info --model '" + (tmp.path / "cut.onnx").string() + "'", tmp),
                        (tmp.path / "cut.onnx").string(), "file");
  std::string noise(2000, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 2654435761u) >> 13);
  write_bytes(tmp.path / "noise.onnx", noise);
  const Run r = run_anvil("info --model '" + (tmp.path / "noise.onnx").string() + "'", tmp);
  BOOST_TEST(r.status != 0);
  BOOST_TEST(r.err.rfind("anvil: error: ", 0) == 0);
}

BOOST_AUTO_TEST_CASE(onnx_unsupported_op) {
  expect_bad_model_rejected("tanh.onnx", "node 'relu' (Tanh)", [](onnx::ModelProto& m) {
    m.mutable_graph()->mutable_node(1)->set_op_type("Tanh");
  });
}

BOOST_AUTO_TEST_CASE(onnx_unsupported_attribute) {
  expect_bad_model_rejected("group.onnx", "node 'conv3' (Conv) attribute group",
                            [](onnx::ModelProto& m) {
                              auto* a = m.mutable_graph()->mutable_node(0)->add_attribute();
                              a->set_name("group");
                              a->set_type(onnx::AttributeProto::INT);
                              a->set_i(2);
                            });
}

BOOST_AUTO_TEST_CASE(onnx_shapes_do_not_chain) {
  expect_bad_model_rejected("chain.onnx", "node 'fc' (Gemm) input 'f'", [](onnx::ModelProto& m) {
    auto* w = m.mutable_graph()->mutable_initializer(1);  // fc.w [3, 32] -> [3, 31]
    w->set_dims(1, 31);
    w->mutable_float_data()->Truncate(93);
  });
}

BOOST_AUTO_TEST_CASE(onnx_nan_weight) {
  expect_bad_model_rejected(
      "nan.onnx", "node 'conv3' (Conv) input W 'conv.w'", [](onnx::ModelProto& m) {
        m.mutable_graph()->mutable_initializer(0)->set_float_data(4, std::nanf(""));
      });
}

BOOST_AUTO_TEST_CASE(eval_names_the_node_whose_activations_overflow) {
  // LeNet-300-100 whose fc1 weights are all 1e36: every weight is finite (the model loads),
  // but fc1's sums overflow on any image that is not black.
  TempDir tmp;
  write_idx_set(tmp.path);
  anvil::nn::Network net = anvil::nn::build_network("lenet300", {}, 1);
  for (auto& node : net.nodes())
    if (node.name == "fc1")
      std::fill(node.params[0].data.begin(), node.params[0].data.end(), 1e36f);
  const fs::path f = tmp.path / "overflow.onnx";
  anvil::nn::save_onnx(net, f);
  const Run r = run_anvil("eval --model '" + f.string() + "' --data fashion-mnist --data-dir '" +
                              tmp.path.string() + "'",
                          tmp);
  expect_one_line_error(r, f.string(), "node fc1 (Linear)");
  BOOST_TEST(r.err.find("activations are not finite") != std::string::npos, r.err);
}
