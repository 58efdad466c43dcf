// Each op against a plain-loop reference on random inputs (tolerance 1e-5), plus the graph
// API: shape checks, deep copy, parameters() as real storage, thread-independent accuracy,
// BatchNorm folding.
#define BOOST_TEST_MODULE nn_layers
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/random.hpp"
#include "nn/conv_kernel.hpp"
#include "nn/layers.hpp"
#include "nn/models.hpp"
#include "nn_fixtures.hpp"

using namespace anvil::nn;

namespace {

const uint64_t kSeed = anvil::core::seed_from_env("ANVIL_TEST_SEED", 777);
const anvil::test::RandomFill rnd(kSeed);

Tensor run(const Node& node, std::vector<const Tensor*> in, bool train = false) {
  Tensor out;
  NodeCache cache;  // inference passes none, as Network::forward does
  forward_node(node, in, out, train, train ? &cache : nullptr);
  return out;
}

void expect_close(const Tensor& got, const std::vector<float>& want) {
  BOOST_TEST_REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i)
    BOOST_TEST(std::abs(got.data[i] - want[i]) <= 1e-5f * std::max(1.0f, std::abs(want[i])),
               "element " << i << ": " << got.data[i] << " vs " << want[i]);
}

// Plain loops: conv or pool window over padded input.
std::vector<float> ref_conv(const Tensor& x, const Param& w, const Param* b, int sh, int sw,
                            std::array<int, 4> pads) {
  const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
  const int64_t oc = w.shape[0], kh = w.shape[2], kw = w.shape[3];
  const int64_t oh = (h + pads[0] + pads[2] - kh) / sh + 1;
  const int64_t ow = (wd + pads[1] + pads[3] - kw) / sw + 1;
  std::vector<float> y(static_cast<size_t>(n * oc * oh * ow));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t yy = 0; yy < oh; ++yy)
        for (int64_t xx = 0; xx < ow; ++xx) {
          double s = b ? b->data[o] : 0.0;
          for (int64_t ci = 0; ci < c; ++ci)
            for (int64_t u = 0; u < kh; ++u)
              for (int64_t v = 0; v < kw; ++v) {
                const int64_t iy = yy * sh - pads[0] + u, ix = xx * sw - pads[1] + v;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                s += static_cast<double>(w.data[((o * c + ci) * kh + u) * kw + v]) *
                     x.data[((i * c + ci) * h + iy) * wd + ix];
              }
          y[((i * oc + o) * oh + yy) * ow + xx] = static_cast<float>(s);
        }
  return y;
}

std::vector<float> ref_pool(const Tensor& x, bool is_max, int k, int s, std::array<int, 4> pads,
                            bool include_pad) {
  const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  const int64_t oh = (h + pads[0] + pads[2] - k) / s + 1, ow = (w + pads[1] + pads[3] - k) / s + 1;
  std::vector<float> y;
  for (int64_t p = 0; p < n * c; ++p)
    for (int64_t yy = 0; yy < oh; ++yy)
      for (int64_t xx = 0; xx < ow; ++xx) {
        double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
        int cnt = 0;
        for (int u = 0; u < k; ++u)
          for (int v = 0; v < k; ++v) {
            const int64_t iy = yy * s - pads[0] + u, ix = xx * s - pads[1] + v;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const double val = x.data[(p * h + iy) * w + ix];
            acc = is_max ? std::max(acc, val) : acc + val;
            ++cnt;
          }
        y.push_back(static_cast<float>(is_max ? acc : acc / (include_pad ? k * k : cnt)));
      }
  return y;
}

Node make(OpType op, std::vector<Param> params = {}) {
  return Node{"n", op, {"x"}, "y", {}, std::move(params)};
}

}  // namespace

BOOST_AUTO_TEST_CASE(linear_matches_loops) {
  const Param w = rnd.param("w", ParamRole::kWeight, {6, 9}, 1),
              b = rnd.param("b", ParamRole::kBias, {6}, 2);
  const Tensor x = rnd.tensor({4, 9}, 3);
  std::vector<float> want(24);
  for (int i = 0; i < 4; ++i)
    for (int o = 0; o < 6; ++o) {
      double s = b.data[o];
      for (int k = 0; k < 9; ++k) s += static_cast<double>(x.data[i * 9 + k]) * w.data[o * 9 + k];
      want[i * 6 + o] = static_cast<float>(s);
    }
  expect_close(run(make(OpType::kLinear, {w, b}), {&x}), want);
}

BOOST_AUTO_TEST_CASE(conv2d_matches_loops) {
  const Param w = rnd.param("w", ParamRole::kWeight, {5, 3, 3, 3}, 4),
              b = rnd.param("b", ParamRole::kBias, {5}, 5);
  const Tensor x = rnd.tensor({3, 3, 9, 8}, 6);
  for (auto [s, pads] :
       {std::pair{1, std::array<int, 4>{1, 1, 1, 1}}, std::pair{2, std::array<int, 4>{0, 1, 2, 0}},
        std::pair{1, std::array<int, 4>{0, 0, 0, 0}}}) {
    Node n = make(OpType::kConv2d, {w, b});
    n.attr.stride = {s, s};
    n.attr.pads = pads;
    expect_close(run(n, {&x}), ref_conv(x, w, &b, s, s, pads));
    expect_close(run(n, {&x}, true), ref_conv(x, w, &b, s, s, pads));  // im2col + GEMM path
    Node nb = make(OpType::kConv2d, {w});                              // no bias
    nb.attr = n.attr;
    expect_close(run(nb, {&x}), ref_conv(x, w, nullptr, s, s, pads));
  }
}

// The inference kernel's variants (generic SSE, AVX2) must give the same bits on the shapes
// of every reference network, and agree with the training path's im2col + GEMM.
BOOST_AUTO_TEST_CASE(conv2d_kernel_variants_agree_bit_for_bit) {
  struct Case {
    int64_t c, h, w, oc, k, s;
    std::array<int, 4> pads;
  };
  const Case cases[] = {{1, 28, 28, 6, 5, 1, {2, 2, 2, 2}},    // LeNet-5 conv1
                        {6, 14, 14, 16, 5, 1, {0, 0, 0, 0}},   // LeNet-5 conv2
                        {16, 14, 14, 32, 3, 2, {1, 1, 1, 1}},  // residual CNN, strided
                        {32, 7, 7, 80, 1, 2, {0, 0, 0, 0}},    // 1x1 shortcut
                        {3, 9, 8, 7, 3, 3, {0, 1, 2, 0}}};     // odd sizes, run-time stride
  BOOST_TEST(isa_available(KernelIsa::kAvx2) == (__builtin_cpu_supports("avx2") != 0));
  uint64_t stream = 100;
  for (const Case& t : cases) {
    const Param w = rnd.param("w", ParamRole::kWeight, {t.oc, t.c, t.k, t.k}, ++stream),
                b = rnd.param("b", ParamRole::kBias, {t.oc}, ++stream);
    const Tensor x = rnd.tensor({2, t.c, t.h, t.w}, ++stream);
    Node n = make(OpType::kConv2d, {w, b});
    n.attr.stride = {static_cast<int>(t.s), static_cast<int>(t.s)};
    n.attr.pads = t.pads;
    const Tensor gemm = run(n, {&x}, true);
    const ConvGeometry g{t.c,       t.h,       t.w,       t.oc,      t.k,         t.k,        t.s,
                         t.pads[0], t.pads[1], t.pads[2], t.pads[3], gemm.dim(2), gemm.dim(3)};
    const int64_t per = t.oc * g.oh * g.ow;
    auto direct = [&](KernelIsa isa) {
      Tensor y = gemm;
      for (int64_t i = 0; i < 2; ++i)
        conv2d_direct(g, x.data.data() + i * t.c * t.h * t.w, w.data.data(), b.data.data(),
                      y.data.data() + i * per, isa);
      return y;
    };
    const Tensor generic = direct(KernelIsa::kGeneric);
    expect_close(generic, gemm.data);
    for (KernelIsa isa : {KernelIsa::kAvx2, KernelIsa::kAvx512}) {
      if (!isa_available(isa)) continue;  // the generic variant is all there is
      const Tensor wide = direct(isa);
      size_t differ = 0;
      for (size_t i = 0; i < generic.size(); ++i) differ += generic.data[i] != wide.data[i];
      BOOST_TEST(differ == 0u, "c=" << t.c << " k=" << t.k << " s=" << t.s << ": " << differ
                                    << " outputs differ between generic and " << isa_name(isa));
    }
  }
}

// The summation order the kernel promises (conv_kernel.hpp), as plain float loops: +0, then
// one rounded product and one rounded add per (c, i, j) tap, padding taps included, bias
// last. Every variant must equal it bit for bit on wide layers (64-512 channels, 1x1, 3x3
// and 7x7, strides 1 and 2) and on the reference networks' shapes.
BOOST_AUTO_TEST_CASE(conv2d_kernel_sums_in_the_promised_order) {
  struct Case {
    int64_t c, h, w, oc, k, s, p;
  };
  const Case cases[] = {{3, 32, 30, 64, 7, 2, 3},   {64, 9, 9, 64, 3, 1, 1},
                        {64, 10, 10, 128, 3, 2, 1}, {128, 7, 7, 256, 1, 2, 0},
                        {256, 5, 5, 64, 1, 1, 0},   {512, 4, 4, 512, 3, 1, 1},
                        {1, 28, 28, 6, 5, 1, 2},    {6, 14, 14, 16, 5, 1, 0},
                        {16, 14, 14, 32, 3, 2, 1},  {3, 9, 8, 7, 3, 3, 1}};
  uint64_t stream = 200;
  for (const Case& t : cases) {
    const int64_t oh = (t.h + 2 * t.p - t.k) / t.s + 1, ow = (t.w + 2 * t.p - t.k) / t.s + 1;
    const auto x = rnd.randn(static_cast<size_t>(t.c * t.h * t.w), ++stream);
    const auto w = rnd.randn(static_cast<size_t>(t.oc * t.c * t.k * t.k), ++stream, 0.1);
    const auto b = rnd.randn(static_cast<size_t>(t.oc), ++stream);
    std::vector<float> want(static_cast<size_t>(t.oc * oh * ow));
    for (int64_t o = 0; o < t.oc; ++o)
      for (int64_t yy = 0; yy < oh; ++yy)
        for (int64_t xx = 0; xx < ow; ++xx) {
          volatile float acc = 0.0f;  // volatile: no contraction, no reassociation
          for (int64_t ci = 0; ci < t.c; ++ci)
            for (int64_t u = 0; u < t.k; ++u)
              for (int64_t v = 0; v < t.k; ++v) {
                const int64_t iy = yy * t.s - t.p + u, ix = xx * t.s - t.p + v;
                const bool in = iy >= 0 && iy < t.h && ix >= 0 && ix < t.w;
                volatile float prod = w[((o * t.c + ci) * t.k + u) * t.k + v] *
                                      (in ? x[(ci * t.h + iy) * t.w + ix] : 0.0f);
                acc = acc + prod;
              }
          want[(o * oh + yy) * ow + xx] = acc + b[o];
        }
    const ConvGeometry g{t.c, t.h, t.w, t.oc, t.k, t.k, t.s, t.p, t.p, t.p, t.p, oh, ow};
    for (KernelIsa isa : {KernelIsa::kGeneric, KernelIsa::kAvx2, KernelIsa::kAvx512}) {
      if (!isa_available(isa)) continue;
      std::vector<float> y(want.size());
      conv2d_direct(g, x.data(), w.data(), b.data(), y.data(), isa);
      size_t differ = 0;
      for (size_t i = 0; i < y.size(); ++i) differ += y[i] != want[i];
      BOOST_TEST(differ == 0u, "c=" << t.c << " oc=" << t.oc << " k=" << t.k << " s=" << t.s << " "
                                    << isa_name(isa) << ": " << differ << " of " << y.size()
                                    << " outputs differ");
    }
  }
}

BOOST_AUTO_TEST_CASE(pools_match_loops) {
  const Tensor x = rnd.tensor({2, 3, 7, 6}, 7);
  for (bool is_max : {true, false})
    for (bool inc : {false, true})
      for (auto [k, s, p] :
           {std::tuple{2, 2, 0}, std::tuple{3, 2, 1}, std::tuple{3, 1, 1}, std::tuple{3, 2, 0}}) {
        Node n = make(is_max ? OpType::kMaxPool2d : OpType::kAvgPool2d);
        n.attr.kernel = {k, k};
        n.attr.stride = {s, s};
        n.attr.pads = {p, p, p, p};
        n.attr.count_include_pad = inc;
        expect_close(run(n, {&x}), ref_pool(x, is_max, k, s, {p, p, p, p}, inc));
        expect_close(run(n, {&x}, true), ref_pool(x, is_max, k, s, {p, p, p, p}, inc));
      }
}

BOOST_AUTO_TEST_CASE(global_average_pool_matches_loops) {
  const Tensor x = rnd.tensor({2, 3, 4, 5}, 8);
  std::vector<float> want(6);
  for (int p = 0; p < 6; ++p) {
    double s = 0;
    for (int k = 0; k < 20; ++k) s += x.data[p * 20 + k];
    want[p] = static_cast<float>(s / 20);
  }
  const Tensor y = run(make(OpType::kGlobalAveragePool), {&x});
  BOOST_TEST((y.shape == std::vector<int64_t>{2, 3, 1, 1}));
  expect_close(y, want);
}

BOOST_AUTO_TEST_CASE(batchnorm_matches_loops) {
  std::vector<Param> p = {
      rnd.param("s", ParamRole::kBnScale, {3}, 9), rnd.param("b", ParamRole::kBnBias, {3}, 10),
      rnd.param("m", ParamRole::kBnMean, {3}, 11), rnd.param("v", ParamRole::kBnVar, {3}, 12)};
  for (auto& v : p[3].data) v = std::abs(v) + 0.1f;
  const Node n = make(OpType::kBatchNorm, p);
  const Tensor x = rnd.tensor({4, 3, 2, 5}, 13);
  std::vector<float> eval(x.size()), train(x.size());
  for (int c = 0; c < 3; ++c) {
    double mean = 0, var = 0;
    for (int i = 0; i < 4; ++i)
      for (int k = 0; k < 10; ++k) mean += x.data[(i * 3 + c) * 10 + k];
    mean /= 40;
    for (int i = 0; i < 4; ++i)
      for (int k = 0; k < 10; ++k) var += std::pow(x.data[(i * 3 + c) * 10 + k] - mean, 2);
    var /= 40;
    for (int i = 0; i < 4; ++i)
      for (int k = 0; k < 10; ++k) {
        const size_t j = static_cast<size_t>((i * 3 + c) * 10 + k);
        eval[j] = static_cast<float>(p[0].data[c] * (x.data[j] - p[2].data[c]) /
                                         std::sqrt(p[3].data[c] + 1e-5) +
                                     p[1].data[c]);
        train[j] = static_cast<float>(p[0].data[c] * (x.data[j] - mean) / std::sqrt(var + 1e-5) +
                                      p[1].data[c]);
      }
  }
  expect_close(run(n, {&x}, false), eval);
  expect_close(run(n, {&x}, true), train);
}

BOOST_AUTO_TEST_CASE(elementwise_ops_match_loops) {
  const Tensor a = rnd.tensor({2, 3, 2, 2}, 14), b = rnd.tensor({2, 3, 2, 2}, 15);
  std::vector<float> relu(a.size()), sum(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    relu[i] = a.data[i] > 0 ? a.data[i] : 0.0f;
    sum[i] = a.data[i] + b.data[i];
  }
  expect_close(run(make(OpType::kReLU), {&a}), relu);
  expect_close(run(Node{"add", OpType::kAdd, {"a", "b"}, "y", {}, {}}, {&a, &b}), sum);
  const Tensor f = run(make(OpType::kFlatten), {&a});
  BOOST_TEST((f.shape == std::vector<int64_t>{2, 12}));
  expect_close(f, a.data);
  const Tensor z = rnd.tensor({3, 5}, 16);
  std::vector<float> sm(15);
  for (int i = 0; i < 3; ++i) {
    double s = 0;
    for (int j = 0; j < 5; ++j) s += std::exp(static_cast<double>(z.data[i * 5 + j]));
    for (int j = 0; j < 5; ++j)
      sm[i * 5 + j] = static_cast<float>(std::exp(static_cast<double>(z.data[i * 5 + j])) / s);
  }
  expect_close(run(make(OpType::kSoftmax), {&z}), sm);
}

BOOST_AUTO_TEST_CASE(graph_rejects_bad_shapes_and_names) {
  Network net("input", 1, 8, 8);
  Node conv = make(OpType::kConv2d, {rnd.param("c.weight", ParamRole::kWeight, {4, 2, 3, 3}, 1)});
  conv.inputs = {"input"};
  BOOST_CHECK_THROW(net.add(conv), anvil::Error);  // 2 input channels, image has 1
  Node missing = make(OpType::kReLU);
  missing.inputs = {"nope"};
  BOOST_CHECK_THROW(net.add(missing), anvil::Error);
  Node relu = make(OpType::kReLU);
  relu.inputs = {"input"};
  net.add(relu);
  BOOST_CHECK_THROW(net.add(relu), anvil::Error);  // output name "y" already defined
}

BOOST_AUTO_TEST_CASE(copies_are_deep_and_parameters_are_storage) {
  Network a = build_lenet5({1, 28, 28, 10}, 3);
  Network b = a;
  const auto img = rnd.randn(2 * 784, 17);
  const Eigen::MatrixXf ya = a.forward(img.data(), 2);
  auto pb = b.parameters();
  BOOST_TEST(pb[0].name == "conv1.weight");
  BOOST_TEST((pb[0].shape == std::vector<int64_t>{6, 1, 5, 5}));
  for (size_t i = 0; i < pb[0].size; ++i) pb[0].data[i] = 0.0f;
  BOOST_TEST(a.forward(img.data(), 2).isApprox(ya));          // a untouched
  BOOST_TEST(!b.forward(img.data(), 2).isApprox(ya, 1e-3f));  // b changed through the ref
}

BOOST_AUTO_TEST_CASE(forward_is_batch_and_thread_independent) {
  const Network net = build_resnet({1, 28, 28, 10}, 5);
  Dataset d;
  const size_t n = 600;
  d.images = rnd.randn(n * 784, 18);
  for (auto& v : d.images) v = std::clamp(0.5f + 0.25f * v, 0.0f, 1.0f);
  d.labels.resize(n);
  for (size_t i = 0; i < n; ++i) d.labels[i] = static_cast<uint8_t>(i % 10);
  const Eigen::MatrixXf all = net.forward(d.images.data(), 3);
  for (size_t i = 0; i < 3; ++i)
    BOOST_TEST(
        net.forward(d.image(i), 1).row(0).isApprox(all.row(static_cast<Eigen::Index>(i)), 1e-5f));
  BOOST_TEST(net.accuracy(d, 1) == net.accuracy(d, 2));
  BOOST_TEST(net.predict(d.images.data(), n, 1) == net.predict(d.images.data(), n, 3));
}

BOOST_AUTO_TEST_CASE(fold_batchnorm_keeps_outputs) {
  Network net = build_resnet({1, 12, 12, 10}, 6);
  // Non-trivial running statistics, so folding has something to do.
  for (auto& p : net.parameters())
    if (p.role == ParamRole::kBnMean || p.role == ParamRole::kBnVar ||
        p.role == ParamRole::kBnScale)
      for (size_t i = 0; i < p.size; ++i) p.data[i] = 0.5f + 0.1f * static_cast<float>(i % 7);
  const Network folded = net.fold_batchnorm();
  for (const auto& n : folded.nodes()) BOOST_TEST((n.op != OpType::kBatchNorm), n.name);
  const auto img = rnd.randn(4 * 144, 19);
  BOOST_TEST(folded.forward(img.data(), 4).isApprox(net.forward(img.data(), 4), 1e-4f));
}
