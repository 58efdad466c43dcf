// ONNX import/export: (a) save + load is bit-exact; (b) a graph built through the protobuf API
// with every supported op matches a plain reference implementation of each op (ONNX
// operator semantics, written here with loops in double); (c) bad files are rejected with an
// anvil::Error naming the file and the field. Seed: ANVIL_TEST_SEED (default 1).
#define BOOST_TEST_MODULE onnx_io
#include <boost/test/unit_test.hpp>

#include "onnx_builders.hpp"
#include "test_util.hpp"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"
#include "nn/models.hpp"
#include "nn/network.hpp"
#include "nn/onnx_io.hpp"

namespace fs = std::filesystem;
using anvil::core::Draw;
using anvil::core::RandomStream;
using namespace anvil::nn;

using anvil::test::TempDir;
using anvil::test::write_bytes;

namespace {

uint64_t test_seed() {
  static const uint64_t seed = anvil::core::seed_from_env("ANVIL_TEST_SEED", 1);
  return seed;
}

std::vector<float> uniform(size_t n, uint64_t stream, float lo, float hi) {
  const RandomStream rs(test_seed(), stream);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = lo + (hi - lo) * static_cast<float>(rs.uniform(i, Draw::kUser));
  }
  return v;
}

// ---- building ONNX graphs through the protobuf API ------------------------------------

struct Graph {
  onnx::ModelProto model;
  onnx::GraphProto* g;
  uint64_t stream = 100;

  explicit Graph(int opset = 13) {
    model.set_ir_version(7);
    model.set_producer_name("onnx_io_test");
    auto* op = model.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    g = model.mutable_graph();
    g->set_name("test");
  }
  void input(const std::string& name, const std::vector<int64_t>& per_image) {
    anvil::nn::set_onnx_value_info(g->add_input(), name, per_image);
  }
  void output(const std::string& name, const std::vector<int64_t>& per_image) {
    anvil::nn::set_onnx_value_info(g->add_output(), name, per_image);
  }
  onnx::NodeProto* node(const std::string& op, const std::string& name,
                        const std::vector<std::string>& in, const std::string& out) {
    return anvil::test::onnx_node(g, op, name, in, out);
  }
  // Float initializer; raw_data or float_data alternately so both decoders are exercised.
  std::vector<float> init(const std::string& name, const std::vector<int64_t>& dims,
                          float lo = -0.5f, float hi = 0.5f) {
    size_t n = 1;
    for (int64_t d : dims) n *= static_cast<size_t>(d);
    auto v = uniform(n, stream++, lo, hi);
    set_init(name, dims, v, stream % 2 == 0);
    return v;
  }
  void set_init(const std::string& name, const std::vector<int64_t>& dims,
                const std::vector<float>& v, bool raw) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    if (raw) {
      t->set_raw_data(
          std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    } else {
      for (float x : v) t->add_float_data(x);
    }
  }
  void init_i64(const std::string& name, const std::vector<int64_t>& v) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
  }
  Network load(const TempDir& dir, const std::string& file = "model.onnx") const {
    std::string bytes;
    model.SerializeToString(&bytes);
    write_bytes(dir.path / file, bytes);
    return load_onnx(dir.path / file);
  }
};

void attr_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
void attr_int(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void attr_float(onnx::NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
void attr_string(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

// ---- plain reference implementation of the ops (double, batch of one image) ----------

struct T {
  std::vector<int64_t> s;  // per image: {C, H, W} or {F}
  std::vector<double> d;
  double& at(int64_t c, int64_t y, int64_t x) { return d[(c * s[1] + y) * s[2] + x]; }
  double at(int64_t c, int64_t y, int64_t x) const { return d[(c * s[1] + y) * s[2] + x]; }
};

T ref_conv(const T& x, const std::vector<float>& w, const std::vector<int64_t>& ws,
           const std::vector<float>* b, std::vector<int64_t> st, std::vector<int64_t> p) {
  const int64_t co = ws[0], ci = ws[1], kh = ws[2], kw = ws[3];
  const int64_t ho = (x.s[1] + p[0] + p[2] - kh) / st[0] + 1;
  const int64_t wo = (x.s[2] + p[1] + p[3] - kw) / st[1] + 1;
  T y{{co, ho, wo}, std::vector<double>(co * ho * wo)};
  for (int64_t o = 0; o < co; ++o)
    for (int64_t i = 0; i < ho; ++i)
      for (int64_t j = 0; j < wo; ++j) {
        double acc = b ? (*b)[o] : 0.0;
        for (int64_t c = 0; c < ci; ++c)
          for (int64_t u = 0; u < kh; ++u)
            for (int64_t v = 0; v < kw; ++v) {
              const int64_t yy = i * st[0] - p[0] + u, xx = j * st[1] - p[1] + v;
              if (yy < 0 || yy >= x.s[1] || xx < 0 || xx >= x.s[2]) continue;
              acc += w[((o * ci + c) * kh + u) * kw + v] * x.at(c, yy, xx);
            }
        y.at(o, i, j) = acc;
      }
  return y;
}

T ref_pool(const T& x, bool is_max, std::vector<int64_t> k, std::vector<int64_t> st,
           std::vector<int64_t> p, bool count_include_pad) {
  const int64_t ho = (x.s[1] + p[0] + p[2] - k[0]) / st[0] + 1;
  const int64_t wo = (x.s[2] + p[1] + p[3] - k[1]) / st[1] + 1;
  T y{{x.s[0], ho, wo}, std::vector<double>(x.s[0] * ho * wo)};
  for (int64_t c = 0; c < x.s[0]; ++c)
    for (int64_t i = 0; i < ho; ++i)
      for (int64_t j = 0; j < wo; ++j) {
        double best = -std::numeric_limits<double>::infinity(), sum = 0;
        int cnt = 0;
        for (int64_t u = 0; u < k[0]; ++u)
          for (int64_t v = 0; v < k[1]; ++v) {
            const int64_t yy = i * st[0] - p[0] + u, xx = j * st[1] - p[1] + v;
            if (yy < 0 || yy >= x.s[1] || xx < 0 || xx >= x.s[2]) continue;
            best = std::max(best, x.at(c, yy, xx));
            sum += x.at(c, yy, xx);
            ++cnt;
          }
        y.at(c, i, j) = is_max ? best : sum / (count_include_pad ? k[0] * k[1] : cnt);
      }
  return y;
}

T ref_bn(const T& x, const std::vector<float>& sc, const std::vector<float>& bi,
         const std::vector<float>& mu, const std::vector<float>& var, double eps) {
  T y = x;
  const int64_t per = static_cast<int64_t>(x.d.size()) / x.s[0];
  for (int64_t c = 0; c < x.s[0]; ++c)
    for (int64_t i = 0; i < per; ++i) {
      double& v = y.d[c * per + i];
      v = sc[c] * (v - mu[c]) / std::sqrt(var[c] + eps) + bi[c];
    }
  return y;
}

T ref_relu(T x) {
  for (auto& v : x.d) v = std::max(v, 0.0);
  return x;
}

T ref_add(T a, const T& b) {
  for (size_t i = 0; i < a.d.size(); ++i) a.d[i] += b.d[i];
  return a;
}

T ref_gap(const T& x) {
  T y{{x.s[0], 1, 1}, std::vector<double>(x.s[0])};
  const int64_t per = x.s[1] * x.s[2];
  for (int64_t c = 0; c < x.s[0]; ++c) {
    double s = 0;
    for (int64_t i = 0; i < per; ++i) s += x.d[c * per + i];
    y.d[c] = s / per;
  }
  return y;
}

T ref_flatten(T x) {
  x.s = {static_cast<int64_t>(x.d.size())};
  return x;
}

// y = x W + b with W given [in, out] (transposed = false) or [out, in] (transposed = true).
T ref_linear(const T& x, const std::vector<float>& w, int64_t in, int64_t out, bool w_out_in,
             const std::vector<float>* b) {
  T y{{out}, std::vector<double>(out)};
  for (int64_t o = 0; o < out; ++o) {
    double acc = b ? (*b)[o] : 0.0;
    for (int64_t i = 0; i < in; ++i) acc += x.d[i] * (w_out_in ? w[o * in + i] : w[i * out + o]);
    y.d[o] = acc;
  }
  return y;
}

T ref_softmax(T x) {
  const double m = *std::max_element(x.d.begin(), x.d.end());
  double s = 0;
  for (auto& v : x.d) s += (v = std::exp(v - m));
  for (auto& v : x.d) v /= s;
  return x;
}

// The every-op graph. Input [N, 3, 8, 8]:
//   conv1 (Conv 4@3x3 pad 1, bias) -> bn1 -> relu1 ------------------+
//   relu1 -> conv2 (Conv 4@3x3, pads 1,0,1,2, no bias) ------------ add1 (Add)
//   add1 -> mp (MaxPool 3x3 s2 p1) -> ap (AveragePool 3x3 s1 p1, exclude pad)
//   ap -> gap (GlobalAveragePool) -> flat (Flatten) -> fc1 (Gemm transB=1) ----------+
//   ap -> ap2 (AveragePool 2x2 s2 pads 0,0,1,1, include pad) -> resh (Reshape [0,-1])  |
//      -> mm (MatMul) + mm_bias (Add) --------------------------------------------- add2
//   add2 -> relu2 -> fc2 (Gemm transB=0) [-> softmax (Softmax)]
struct EveryOp {
  Graph g;
  std::map<std::string, std::vector<float>> w;
  bool softmax;

  explicit EveryOp(bool with_softmax) : softmax(with_softmax) {
    g.input("x", {3, 8, 8});
    w["c1.w"] = g.init("c1.w", {4, 3, 3, 3});
    w["c1.b"] = g.init("c1.b", {4});
    auto* c1 = g.node("Conv", "conv1", {"x", "c1.w", "c1.b"}, "c1");
    attr_ints(c1, "kernel_shape", {3, 3});
    attr_ints(c1, "pads", {1, 1, 1, 1});
    attr_ints(c1, "strides", {1, 1});
    w["bn.scale"] = g.init("bn.scale", {4}, 0.5f, 1.5f);
    w["bn.bias"] = g.init("bn.bias", {4});
    w["bn.mean"] = g.init("bn.mean", {4});
    w["bn.var"] = g.init("bn.var", {4}, 0.2f, 2.0f);
    auto* bn = g.node("BatchNormalization", "bn1",
                      {"c1", "bn.scale", "bn.bias", "bn.mean", "bn.var"}, "b1");
    attr_float(bn, "epsilon", 1e-3f);
    g.node("Relu", "relu1", {"b1"}, "r1");
    w["c2.w"] = g.init("c2.w", {4, 4, 3, 3});
    auto* c2 = g.node("Conv", "conv2", {"r1", "c2.w"}, "c2");
    attr_ints(c2, "pads", {1, 0, 1, 2});
    g.node("Add", "add1", {"r1", "c2"}, "a1");
    auto* mp = g.node("MaxPool", "mp", {"a1"}, "mp");
    attr_ints(mp, "kernel_shape", {3, 3});
    attr_ints(mp, "strides", {2, 2});
    attr_ints(mp, "pads", {1, 1, 1, 1});
    auto* ap = g.node("AveragePool", "ap", {"mp"}, "ap");
    attr_ints(ap, "kernel_shape", {3, 3});
    attr_ints(ap, "pads", {1, 1, 1, 1});
    g.node("GlobalAveragePool", "gap", {"ap"}, "gap");
    auto* fl = g.node("Flatten", "flat", {"gap"}, "flat");
    attr_int(fl, "axis", 1);
    w["fc1.w"] = g.init("fc1.w", {6, 4});
    w["fc1.b"] = g.init("fc1.b", {6});
    auto* fc1 = g.node("Gemm", "fc1", {"flat", "fc1.w", "fc1.b"}, "fc1");
    attr_int(fc1, "transB", 1);
    auto* ap2 = g.node("AveragePool", "ap2", {"ap"}, "ap2");
    attr_ints(ap2, "kernel_shape", {2, 2});
    attr_ints(ap2, "strides", {2, 2});
    attr_ints(ap2, "pads", {0, 0, 1, 1});
    attr_int(ap2, "count_include_pad", 1);
    g.init_i64("resh.shape", {0, -1});
    g.node("Reshape", "resh", {"ap2", "resh.shape"}, "resh");
    w["mm.w"] = g.init("mm.w", {16, 6});
    w["mm.b"] = g.init("mm.b", {6});
    g.node("MatMul", "mm", {"resh", "mm.w"}, "mm");
    g.node("Add", "mm_bias", {"mm", "mm.b"}, "mmb");
    g.node("Add", "add2", {"fc1", "mmb"}, "a2");
    g.node("Relu", "relu2", {"a2"}, "r2");
    w["fc2.w"] = g.init("fc2.w", {6, 5});
    w["fc2.b"] = g.init("fc2.b", {5});
    g.node("Gemm", "fc2", {"r2", "fc2.w", "fc2.b"}, "logits");
    if (softmax) {
      auto* sm = g.node("Softmax", "softmax", {"logits"}, "prob");
      attr_int(sm, "axis", 1);
    }
    g.output(softmax ? "prob" : "logits", {5});
  }

  T reference(const float* image) const {
    T x{{3, 8, 8}, std::vector<double>(image, image + 3 * 8 * 8)};
    T c1 = ref_conv(x, w.at("c1.w"), {4, 3, 3, 3}, &w.at("c1.b"), {1, 1}, {1, 1, 1, 1});
    T r1 = ref_relu(ref_bn(c1, w.at("bn.scale"), w.at("bn.bias"), w.at("bn.mean"), w.at("bn.var"),
                           static_cast<double>(1e-3f)));
    T c2 = ref_conv(r1, w.at("c2.w"), {4, 4, 3, 3}, nullptr, {1, 1}, {1, 0, 1, 2});
    T a1 = ref_add(r1, c2);
    T mp = ref_pool(a1, true, {3, 3}, {2, 2}, {1, 1, 1, 1}, false);
    T ap = ref_pool(mp, false, {3, 3}, {1, 1}, {1, 1, 1, 1}, false);
    T f1 = ref_linear(ref_flatten(ref_gap(ap)), w.at("fc1.w"), 4, 6, true, &w.at("fc1.b"));
    T ap2 = ref_pool(ap, false, {2, 2}, {2, 2}, {0, 0, 1, 1}, true);
    T m2 = ref_linear(ref_flatten(ap2), w.at("mm.w"), 16, 6, false, &w.at("mm.b"));
    T r2 = ref_relu(ref_add(f1, m2));
    T lg = ref_linear(r2, w.at("fc2.w"), 6, 5, false, &w.at("fc2.b"));
    return softmax ? ref_softmax(lg) : lg;
  }
};

// Runs `fn`, expecting an anvil::Error whose file is `file` and whose field starts with
// `field`.
template <class Fn>
void expect_error(Fn fn, const fs::path& file, const std::string& field) {
  try {
    fn();
    BOOST_FAIL("expected anvil::Error with field '" << field << "'");
  } catch (const anvil::Error& e) {
    BOOST_TEST_MESSAGE("error: " << e.what());
    BOOST_TEST(e.file() == file.string());
    BOOST_TEST(e.field().rfind(field, 0) == 0,
               "field '" << e.field() << "' should start with '" << field << "'");
    BOOST_TEST(std::string(e.what()).find('\n') == std::string::npos);
  }
}

// A minimal valid graph: x [N, 1, 6, 6] -> conv (2@3x3) -> relu -> flatten -> fc (Gemm 32->3).
Graph small_graph() {
  Graph g;
  g.input("x", {1, 6, 6});
  g.init("conv.w", {2, 1, 3, 3});
  g.init("conv.b", {2});
  auto* c = g.node("Conv", "conv3", {"x", "conv.w", "conv.b"}, "c");
  attr_ints(c, "kernel_shape", {3, 3});
  g.node("Relu", "relu", {"c"}, "r");
  g.node("Flatten", "flat", {"r"}, "f");
  g.init("fc.w", {3, 32});
  auto* fc = g.node("Gemm", "fc", {"f", "fc.w"}, "y");
  attr_int(fc, "transB", 1);
  g.output("y", {3});
  return g;
}

Network randomized(Network net, uint64_t stream) {
  for (auto& p : net.parameters()) {
    const bool var = p.role == ParamRole::kBnVar;
    auto v = uniform(p.size, stream++, var ? 0.5f : -0.5f, var ? 1.5f : 0.5f);
    std::copy(v.begin(), v.end(), p.data);
  }
  return net;
}

}  // namespace

// ---- (a) round trip --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(round_trip_is_bit_exact) {
  TempDir tmp;
  const InputShape gray{1, 28, 28, 10}, rgb{3, 32, 32, 10};
  const std::vector<std::pair<std::string, Network>> nets = {
      {"lenet300", randomized(build_lenet300(gray, 3), 10)},
      {"lenet5", randomized(build_lenet5(gray, 4), 20)},
      {"resnet", randomized(build_resnet(rgb, 5), 30)},
  };
  for (const auto& [name, net] : nets) {
    BOOST_TEST_CONTEXT(name) {
      const fs::path file = tmp.path / (name + ".onnx");
      save_onnx(net, file);
      const Network back = load_onnx(file);
      BOOST_TEST(back.nodes().size() == net.nodes().size());
      const auto pa = net.parameters(), pb = back.parameters();
      BOOST_REQUIRE(pa.size() == pb.size());
      for (size_t i = 0; i < pa.size(); ++i) {
        BOOST_TEST(pa[i].name == pb[i].name);
        BOOST_TEST(pa[i].shape == pb[i].shape);
        BOOST_TEST(static_cast<int>(pa[i].role) == static_cast<int>(pb[i].role));
        BOOST_TEST(std::equal(pa[i].data, pa[i].data + pa[i].size, pb[i].data));
      }
      for (size_t i = 0; i < net.nodes().size(); ++i) {
        const Node &a = net.nodes()[i], &b = back.nodes()[i];
        BOOST_TEST(a.name == b.name);
        BOOST_TEST(static_cast<int>(a.op) == static_cast<int>(b.op));
        BOOST_TEST(a.inputs == b.inputs);
        BOOST_TEST(a.output == b.output);
        BOOST_TEST(a.attr.stride == b.attr.stride);
        BOOST_TEST(a.attr.pads == b.attr.pads);
        BOOST_TEST(a.attr.epsilon == b.attr.epsilon);
      }
      const size_t n = 16;
      const auto x = uniform(n * net.input_size(), 7, 0.0f, 1.0f);
      const Eigen::MatrixXf ya = net.forward(x.data(), n), yb = back.forward(x.data(), n);
      BOOST_REQUIRE(ya.rows() == yb.rows());
      BOOST_REQUIRE(ya.cols() == yb.cols());
      BOOST_TEST((ya.array() == yb.array()).all(), "logits differ after the round trip");
      // Saving the loaded network gives the same bytes.
      BOOST_TEST(onnx_bytes(back) == onnx_bytes(net));
    }
  }
}

BOOST_AUTO_TEST_CASE(export_passes_onnx_checker_and_shape_inference) {
  // The exported file is valid for ONNX's own checker, and ONNX's strict shape inference
  // gives every value the shape the engine computes.
  const std::vector<Network> nets = {build_lenet300({1, 28, 28, 10}, 1),
                                     build_lenet5({1, 28, 28, 10}, 1),
                                     build_resnet({3, 32, 32, 10}, 1)};
  for (const Network& net : nets) {
    onnx::ModelProto m;
    BOOST_REQUIRE(m.ParseFromString(onnx_bytes(net)));
    BOOST_CHECK_NO_THROW(onnx::checker::check_model(m));
    BOOST_CHECK_NO_THROW(onnx::shape_inference::InferShapes(
        m, onnx::OpSchemaRegistry::Instance(), onnx::ShapeInferenceOptions(true, 1, false)));
    std::map<std::string, std::vector<int64_t>> inferred;
    for (const auto& vi : m.graph().value_info()) {
      std::vector<int64_t> dims;
      const auto& shape = vi.type().tensor_type().shape();
      for (int k = 1; k < shape.dim_size(); ++k) dims.push_back(shape.dim(k).dim_value());
      inferred[vi.name()] = dims;
    }
    for (const Node& n : net.nodes()) {
      if (n.output == net.output_name()) continue;  // declared as graph output
      BOOST_TEST_CONTEXT(n.name) {
        BOOST_REQUIRE(inferred.count(n.output) == 1u);
        BOOST_TEST(inferred[n.output] == net.value_shape(n.output));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(save_replaces_file_atomically) {
  TempDir tmp;
  const fs::path file = tmp.path / "m.onnx";
  write_bytes(file, "old contents");
  save_onnx(build_lenet300({1, 28, 28, 10}, 1), file);
  BOOST_TEST(load_onnx(file).nodes().size() == build_lenet300({1, 28, 28, 10}, 1).nodes().size());
  for (const auto& e : fs::directory_iterator(tmp.path)) {
    BOOST_TEST(e.path().filename() == "m.onnx", "stray file " << e.path());
  }
}

// ---- (b) every op against the reference ------------------------------------------------

BOOST_AUTO_TEST_CASE(every_op_matches_reference) {
  for (bool softmax : {false, true}) {
    BOOST_TEST_CONTEXT("softmax " << softmax) {
      TempDir tmp;
      const EveryOp model(softmax);
      // The test graph itself is valid ONNX (so the reference semantics are ONNX's).
      onnx::ModelProto copy = model.g.model;
      BOOST_CHECK_NO_THROW(onnx::checker::check_model(copy));
      BOOST_CHECK_NO_THROW(onnx::shape_inference::InferShapes(
          copy, onnx::OpSchemaRegistry::Instance(), onnx::ShapeInferenceOptions(true, 1, false)));
      const Network net = model.g.load(tmp);
      BOOST_TEST(net.classes() == 5);
      // Initializer names became the parameter names (MatMul's bias fused into its Linear).
      std::vector<std::string> names;
      for (const auto& p : net.parameters()) names.push_back(p.name);
      const std::vector<std::string> expect = {"c1.w",   "c1.b",  "bn.scale", "bn.bias", "bn.mean",
                                               "bn.var", "c2.w",  "fc1.w",    "fc1.b",   "mm.w",
                                               "mm.b",   "fc2.w", "fc2.b"};
      BOOST_TEST(names == expect, boost::test_tools::per_element());
      const size_t n = 7;
      const auto x = uniform(n * 3 * 8 * 8, 11, -1.0f, 1.0f);
      const Eigen::MatrixXf y = net.forward(x.data(), n);
      BOOST_REQUIRE(y.rows() == static_cast<Eigen::Index>(n));
      BOOST_REQUIRE(y.cols() == 5);
      for (size_t i = 0; i < n; ++i) {
        const T r = model.reference(x.data() + i * 3 * 8 * 8);
        for (int k = 0; k < 5; ++k) {
          const double got = y(static_cast<Eigen::Index>(i), k), want = r.d[k];
          BOOST_TEST(
              std::abs(got - want) <= 1e-5 * std::max(1.0, std::abs(want)),
              "image " << i << " class " << k << ": engine " << got << " reference " << want);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(rank2_input_and_constant_shape_load) {
  // [N, F] input, Identity, and a Reshape whose shape comes from a Constant node.
  TempDir tmp;
  Graph g;
  g.input("x", {12});
  auto* cst = g.node("Constant", "shape", {}, "s");
  auto* a = cst->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(onnx::TensorProto::INT64);
  a->mutable_t()->add_dims(2);
  a->mutable_t()->add_int64_data(-1);
  a->mutable_t()->add_int64_data(12);
  g.node("Identity", "id", {"x"}, "xi");
  g.node("Reshape", "resh", {"xi", "s"}, "xr");
  const auto wv = g.init("fc.w", {12, 4});
  g.node("MatMul", "fc", {"xr", "fc.w"}, "y");
  g.output("y", {4});
  const Network net = g.load(tmp);
  const auto x = uniform(12, 3, -1, 1);
  const Eigen::MatrixXf y = net.forward(x.data(), 1);
  T xt{{12}, std::vector<double>(x.begin(), x.end())};
  const T r = ref_linear(xt, wv, 12, 4, false, nullptr);
  for (int k = 0; k < 4; ++k) BOOST_TEST(std::abs(y(0, k) - r.d[k]) <= 1e-5);
}

BOOST_AUTO_TEST_CASE(pytorch_view_flatten_loads) {
  // x.view(x.size(0), -1) as PyTorch exports it with a dynamic batch axis:
  // Shape -> Gather(0) -> Unsqueeze(0) -> Concat(.., [-1]) -> Reshape.
  TempDir tmp;
  Graph g;
  g.input("x", {2, 3, 3});
  g.node("Relu", "relu", {"x"}, "r");
  g.node("Shape", "shape", {"r"}, "s");
  auto* idx = g.g->add_initializer();
  idx->set_name("zero");
  idx->set_data_type(onnx::TensorProto::INT64);
  idx->add_int64_data(0);  // scalar
  g.node("Gather", "gather", {"s", "zero"}, "n");
  g.init_i64("axes", {0});
  g.node("Unsqueeze", "unsq", {"n", "axes"}, "n1");
  g.init_i64("minus1", {-1});
  auto* cat = g.node("Concat", "cat", {"n1", "minus1"}, "shp");
  attr_int(cat, "axis", 0);
  g.node("Reshape", "view", {"r", "shp"}, "flat");
  const auto wv = g.init("fc.w", {4, 18});
  auto* fc = g.node("Gemm", "fc", {"flat", "fc.w"}, "y");
  attr_int(fc, "transB", 1);
  g.output("y", {4});
  const Network net = g.load(tmp);
  BOOST_TEST(net.nodes().size() == 3u);  // Relu, Flatten, Linear
  const auto x = uniform(2 * 18, 5, -1, 1);
  const Eigen::MatrixXf y = net.forward(x.data(), 2);
  for (int i = 0; i < 2; ++i) {
    T xt{{18}, std::vector<double>(x.begin() + 18 * i, x.begin() + 18 * (i + 1))};
    const T r = ref_linear(ref_relu(xt), wv, 18, 4, true, nullptr);
    for (int k = 0; k < 4; ++k) BOOST_TEST(std::abs(y(i, k) - r.d[k]) <= 1e-5);
  }
}

// ---- (c) bad input ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(rejects_random_bytes) {
  TempDir tmp;
  const RandomStream rs(test_seed(), 77);
  std::string bytes(4096, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(rs.below(i, Draw::kUser, 0, 256));
  }
  write_bytes(tmp.path / "random.onnx", bytes);
  expect_error([&] { load_onnx(tmp.path / "random.onnx"); }, tmp.path / "random.onnx", "");
}

BOOST_AUTO_TEST_CASE(rejects_truncated_file) {
  TempDir tmp;
  const std::string bytes = onnx_bytes(build_lenet5({1, 28, 28, 10}, 1));
  for (size_t keep : {bytes.size() / 2, bytes.size() - 3, size_t{10}}) {
    write_bytes(tmp.path / "cut.onnx", bytes.substr(0, keep));
    expect_error([&] { load_onnx(tmp.path / "cut.onnx"); }, tmp.path / "cut.onnx", "file");
  }
  write_bytes(tmp.path / "empty.onnx", "");
  expect_error([&] { load_onnx(tmp.path / "empty.onnx"); }, tmp.path / "empty.onnx", "file");
  expect_error([&] { load_onnx(tmp.path / "missing.onnx"); }, tmp.path / "missing.onnx", "file");
}

BOOST_AUTO_TEST_CASE(accepts_small_graph) {
  TempDir tmp;
  BOOST_TEST(small_graph().load(tmp).classes() == 3);
}

BOOST_AUTO_TEST_CASE(rejects_unsupported_op) {
  TempDir tmp;
  Graph g = small_graph();
  g.g->mutable_node(1)->set_op_type("Sigmoid");
  g.g->mutable_node(1)->set_name("sig");
  expect_error([&] { g.load(tmp); }, tmp.path / "model.onnx", "node 'sig' (Sigmoid)");
}

BOOST_AUTO_TEST_CASE(rejects_unsupported_attributes) {
  TempDir tmp;
  const fs::path file = tmp.path / "model.onnx";
  {
    Graph g = small_graph();
    attr_int(g.g->mutable_node(0), "group", 2);
    expect_error([&] { g.load(tmp); }, file, "node 'conv3' (Conv) attribute group");
  }
  {
    Graph g = small_graph();
    attr_ints(g.g->mutable_node(0), "dilations", {2, 2});
    expect_error([&] { g.load(tmp); }, file, "node 'conv3' (Conv) attribute dilations");
  }
  {
    Graph g = small_graph();
    attr_string(g.g->mutable_node(0), "auto_pad", "SAME_UPPER");
    expect_error([&] { g.load(tmp); }, file, "node 'conv3' (Conv) attribute auto_pad");
  }
  {
    Graph g = small_graph();
    attr_int(g.g->mutable_node(0), "frobnicate", 1);
    expect_error([&] { g.load(tmp); }, file, "node 'conv3' (Conv) attribute frobnicate");
  }
  {
    Graph g = small_graph();
    attr_int(g.g->mutable_node(2), "axis", 2);
    expect_error([&] { g.load(tmp); }, file, "node 'flat' (Flatten) attribute axis");
  }
  {
    Graph g = small_graph();
    attr_float(g.g->mutable_node(3), "alpha", 2.0f);
    expect_error([&] { g.load(tmp); }, file, "node 'fc' (Gemm) attribute alpha");
  }
}

BOOST_AUTO_TEST_CASE(rejects_shapes_that_do_not_chain) {
  TempDir tmp;
  const fs::path file = tmp.path / "model.onnx";
  {
    Graph g = small_graph();  // Gemm weight takes 30 features, Flatten gives 32
    g.g->mutable_initializer(2)->clear_dims();
    g.g->mutable_initializer(2)->add_dims(3);
    g.g->mutable_initializer(2)->add_dims(30);
    g.g->mutable_initializer(2)->clear_raw_data();
    g.g->mutable_initializer(2)->clear_float_data();
    for (int i = 0; i < 90; ++i) g.g->mutable_initializer(2)->add_float_data(0.1f);
    expect_error([&] { g.load(tmp); }, file, "node 'fc' (Gemm)");
  }
  {
    Graph g;  // Conv weight expects 3 channels, input has 1
    g.input("x", {1, 6, 6});
    g.init("w", {2, 3, 3, 3});
    g.node("Conv", "conv", {"x", "w"}, "c");
    g.node("Flatten", "flat", {"c"}, "y");
    g.output("y", {32});
    expect_error([&] { g.load(tmp); }, file, "node 'conv' (Conv)");
  }
  {
    Graph g;  // Add of [2, 4, 4] and [2, 6, 6]
    g.input("x", {1, 6, 6});
    g.init("w", {2, 1, 3, 3});
    g.init("w2", {2, 1, 1, 1});
    g.node("Conv", "conv", {"x", "w"}, "c");
    g.node("Conv", "conv1x1", {"x", "w2"}, "d");
    g.node("Add", "sum", {"c", "d"}, "s");
    g.node("Flatten", "flat", {"s"}, "y");
    g.output("y", {32});
    expect_error([&] { g.load(tmp); }, file, "node 'sum' (Add)");
  }
  {
    Graph g;  // Gemm straight on an image
    g.input("x", {1, 6, 6});
    g.init("w", {3, 36});
    auto* fc = g.node("Gemm", "fc", {"x", "w"}, "y");
    attr_int(fc, "transB", 1);
    g.output("y", {3});
    expect_error([&] { g.load(tmp); }, file, "node 'fc' (Gemm)");
  }
}

BOOST_AUTO_TEST_CASE(rejects_bad_weights) {
  TempDir tmp;
  const fs::path file = tmp.path / "model.onnx";
  {
    Graph g = small_graph();
    auto* t = g.g->mutable_initializer(2);
    t->clear_raw_data();
    t->clear_float_data();
    for (int i = 0; i < 96; ++i) t->add_float_data(i == 17 ? std::nanf("") : 0.0f);
    expect_error([&] { g.load(tmp); }, file, "node 'fc' (Gemm) input B 'fc.w'");
  }
  {
    Graph g = small_graph();
    auto* t = g.g->mutable_initializer(0);
    t->clear_float_data();
    std::vector<float> v(18, 0.0f);
    v[3] = std::numeric_limits<float>::infinity();
    t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
    expect_error([&] { g.load(tmp); }, file, "node 'conv3' (Conv) input W 'conv.w'");
  }
  {
    Graph g = small_graph();  // raw_data shorter than dims claim
    auto* t = g.g->mutable_initializer(0);
    t->clear_float_data();
    t->set_raw_data(std::string(10, '\0'));
    expect_error([&] { g.load(tmp); }, file, "node 'conv3' (Conv) input W 'conv.w'");
  }
  {
    Graph g = small_graph();  // absurd dims
    auto* t = g.g->mutable_initializer(0);
    t->clear_dims();
    for (int64_t d : {int64_t{1} << 20, int64_t{1} << 20, int64_t{1}, int64_t{1}}) t->add_dims(d);
    expect_error([&] { g.load(tmp); }, file, "node 'conv3' (Conv) input W 'conv.w'");
  }
  {
    Graph g = small_graph();  // weight not stored
    g.g->mutable_node(3)->set_input(1, "nope");
    expect_error([&] { g.load(tmp); }, file, "node 'fc' (Gemm) input B 'nope'");
  }
}

BOOST_AUTO_TEST_CASE(rejects_bad_graph_structure) {
  TempDir tmp;
  const fs::path file = tmp.path / "model.onnx";
  {
    Graph g = small_graph();  // two graph outputs
    g.output("r", {2, 4, 4});
    expect_error([&] { g.load(tmp); }, file, "graph output");
  }
  {
    Graph g = small_graph();  // output is not [N, classes]
    g.g->mutable_output(0)->set_name("r");
    expect_error([&] { g.load(tmp); }, file, "graph output 'r'");
  }
  {
    Graph g = small_graph();  // node reads a value nobody produces
    g.g->mutable_node(1)->set_input(0, "ghost");
    expect_error([&] { g.load(tmp); }, file, "node 'relu' (Relu) input 'ghost'");
  }
  {
    Graph g = small_graph();  // no opset
    g.model.clear_opset_import();
    expect_error([&] { g.load(tmp); }, file, "opset_import");
  }
}

BOOST_AUTO_TEST_CASE(mutated_files_load_or_throw_anvil_error) {
  // Random byte changes in valid files: each either loads (and then runs) or is rejected with
  // anvil::Error; never another exception, a crash or a huge allocation.
  const std::vector<std::string> models = {
      onnx_bytes(build_lenet5({1, 12, 12, 10}, 1)),
      onnx_bytes(build_resnet({3, 8, 8, 10}, 2)),
      EveryOp(true).g.model.SerializeAsString(),
  };
  const RandomStream rs(test_seed(), 99);
  int loaded = 0, rejected = 0;
  for (uint64_t trial = 0; trial < 600; ++trial) {
    std::string bytes = models[trial % models.size()];
    const uint32_t flips = 1 + static_cast<uint32_t>(rs.below(trial, Draw::kUser, 0, 4));
    for (uint32_t f = 0; f < flips; ++f) {
      const size_t at = rs.below(trial, Draw::kUser, 1 + 2 * f, bytes.size());
      bytes[at] = static_cast<char>(rs.below(trial, Draw::kUser, 2 + 2 * f, 256));
    }
    try {
      const Network net = parse_onnx(bytes, "mutated.onnx");
      const std::vector<float> x(net.input_size(), 0.5f);
      (void)net.forward(x.data(), 1);
      ++loaded;
    } catch (const anvil::Error& e) {
      BOOST_TEST(e.file() == "mutated.onnx");
      ++rejected;
    } catch (const std::exception& e) {
      BOOST_FAIL("trial " << trial << ": not an anvil::Error: " << e.what());
    }
  }
  BOOST_TEST_MESSAGE("mutated files: " << loaded << " loaded, " << rejected << " rejected");
  BOOST_TEST(rejected > 0);
}
