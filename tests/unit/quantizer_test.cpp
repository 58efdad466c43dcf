// Quantizer (BRIEF 1, items 1 and 2): per-tensor and per-output-channel scales, clipping at a
// quantile of |w|, mu-law and Lloyd-Max companding codebooks, metadata sizes, NaN/Inf input.
#define BOOST_TEST_MODULE quantizer
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "core/error.hpp"
#include "core/quantizer.hpp"
#include "core/random.hpp"

using namespace anvil::core;
namespace tt = boost::test_tools;

namespace {
const uint64_t kSeed = seed_from_env("ANVIL_TEST_SEED", 20260101);

std::vector<float> laplacian(size_t n, uint64_t stream, float b = 0.05f) {
  const RandomStream rs(kSeed, stream);
  std::vector<float> w(n);
  for (size_t i = 0; i < n; ++i) {
    const double u = rs.uniform(i, Draw::kUser) - 0.5;
    w[i] = static_cast<float>(-b * std::copysign(std::log(1 - 2 * std::abs(u)), u));
  }
  return w;
}

double mse(const QuantMeta& q, const std::vector<float>& w) {
  std::vector<int32_t> c(w.size());
  std::vector<float> r(w.size());
  quantize(q, w, {}, c);
  dequantize(q, c, {}, r);
  double s = 0;
  for (size_t i = 0; i < w.size(); ++i) s += double(r[i] - w[i]) * (r[i] - w[i]);
  return s / w.size();
}
}  // namespace

BOOST_AUTO_TEST_CASE(per_tensor_scale_is_max_abs_and_codes_round) {
  const std::vector<float> w{0.51f, -1.0f, 0.25f, 0.0f, 0.74f, -0.1f};
  const QuantMeta q = fit_quantizer(w, 1, -8, 7, {}, "fc1.weight");
  BOOST_TEST(q.scales.size() == 1u);
  BOOST_TEST(q.scales[0] == 1.0f);
  std::vector<int32_t> c(w.size());
  quantize(q, w, {}, c);
  // code = round(w / scale * 7)
  BOOST_TEST(c == (std::vector<int32_t>{4, -7, 2, 0, 5, -1}), tt::per_element());
  BOOST_TEST(code_value(q, 7, 0) == 1.0f);
  BOOST_TEST(code_value(q, 0, 0) == 0.0f);  // zero is exact (pruned weights stay zero)
  BOOST_TEST(q.metadata_bits() == 32u);
}

BOOST_AUTO_TEST_CASE(per_channel_scales_follow_each_row) {
  // Two output channels of 4 weights each, ranges 1 and 0.01.
  const std::vector<float> w{1.0f, -0.5f, 0.25f, 0.0f, 0.01f, -0.005f, 0.0025f, 0.0f};
  MappingSpec m;
  m.granularity = Granularity::kPerChannel;
  const QuantMeta q = fit_quantizer(w, 2, -127, 127, m, "conv1.weight");
  BOOST_TEST(q.scales.size() == 2u);
  BOOST_TEST(q.scales[0] == 1.0f);
  BOOST_TEST(q.scales[1] == 0.01f);
  std::vector<int32_t> c(w.size());
  std::vector<float> r(w.size());
  quantize(q, w, {}, c);
  dequantize(q, c, {}, r);
  for (size_t i = 0; i < w.size(); ++i)
    BOOST_TEST(std::abs(r[i] - w[i]) <= 0.5 * q.scales[i / 4] / 127 + 1e-9);
  BOOST_TEST(c[4] == 127);  // the small row uses the full code range
  BOOST_TEST(q.metadata_bits() == 64u);
  // Per-tensor, the small row would collapse to codes near 0.
  const QuantMeta qt = fit_quantizer(w, 2, -127, 127, {}, "conv1.weight");
  BOOST_TEST(qt.scales.size() == 1u);
  BOOST_CHECK_THROW(fit_quantizer(std::vector<float>(7, 1.0f), 2, -127, 127, m, "bad"),
                    anvil::Error);
}

BOOST_AUTO_TEST_CASE(clip_quantile_sets_scale_and_saturates) {
  std::vector<float> w(1000);
  for (size_t i = 0; i < w.size(); ++i) w[i] = (i % 2 ? -1.0f : 1.0f) * (i + 1) / 1000.0f;
  MappingSpec m;
  m.clip_quantile = 0.999;
  const QuantMeta q = fit_quantizer(w, 1, -15, 15, m, "t");
  // |w| = 0.001 .. 1.000: the 999th smallest is 0.999.
  BOOST_TEST(q.scales[0] == 0.999f);
  std::vector<int32_t> c(w.size());
  quantize(q, w, {}, c);
  BOOST_TEST(c[999] == -15);  // |w| = 1.0 > clip: saturates at the outermost code
  m.clip_quantile = 0.5;
  BOOST_TEST(fit_quantizer(w, 1, -15, 15, m, "t").scales[0] == 0.5f);
  m.clip_quantile = 0.0;
  BOOST_CHECK_THROW(fit_quantizer(w, 1, -15, 15, m, "t"), anvil::Error);
}

BOOST_AUTO_TEST_CASE(mulaw_codebook) {
  MappingSpec m;
  m.companding = Companding::kMulaw;
  m.mu = 255;
  const QuantMeta q = fit_quantizer(laplacian(1000, 1), 1, -7, 7, m, "t");
  BOOST_TEST(q.codebook.size() == 15u);
  for (int c = -7; c <= 7; ++c) {
    const double u = c / 7.0;
    const double v = std::copysign((std::pow(256.0, std::abs(u)) - 1) / 255.0, u);
    BOOST_TEST(q.codebook[c + 7] == v, tt::tolerance(1e-6));
  }
  BOOST_TEST(q.codebook.front() == -1.0f);
  BOOST_TEST(q.codebook.back() == 1.0f);
  BOOST_TEST(q.metadata_bits() == 64u);  // scale + mu
}

BOOST_AUTO_TEST_CASE(lloyd_codebook_fits_the_distribution) {
  const std::vector<float> w = laplacian(20000, 2);
  MappingSpec uni, lloyd;
  lloyd.companding = Companding::kLloyd;
  const QuantMeta qu = fit_quantizer(w, 1, -7, 7, uni, "t");
  const QuantMeta ql = fit_quantizer(w, 1, -7, 7, lloyd, "t");
  BOOST_TEST(ql.codebook.size() == 15u);
  BOOST_TEST(ql.codebook[7] == 0.0f);  // sign-magnitude codebooks keep zero exact
  for (size_t i = 1; i < ql.codebook.size(); ++i) BOOST_TEST(ql.codebook[i] > ql.codebook[i - 1]);
  for (int c = 1; c <= 7; ++c) BOOST_TEST(ql.codebook[7 + c] == -ql.codebook[7 - c]);
  BOOST_TEST_MESSAGE("MSE uniform " << mse(qu, w) << ", lloyd " << mse(ql, w));
  BOOST_TEST(mse(ql, w) < 0.7 * mse(qu, w));
  BOOST_TEST(ql.metadata_bits() == 32u + 15u * 32u);
  // Deterministic.
  BOOST_TEST(fit_quantizer(w, 1, -7, 7, lloyd, "t").codebook == ql.codebook, tt::per_element());
  // Data with as many distinct values as codes is reproduced exactly (asymmetric range).
  std::vector<float> d;
  for (int k = 0; k < 400; ++k) d.push_back(std::vector<float>{-1.0f, -0.3f, 0.1f, 1.0f}[k % 4]);
  const QuantMeta q4 = fit_quantizer(d, 1, -2, 1, lloyd, "t");
  BOOST_TEST(mse(q4, d) < 1e-12);
}

BOOST_AUTO_TEST_CASE(index_subset_and_binary_range) {
  const std::vector<float> w{0.1f, -2.0f, 0.3f, 4.0f};
  const std::vector<uint32_t> idx{0, 2};
  const QuantMeta q = fit_quantizer(w, 1, -3, 3, {}, "t", idx);
  BOOST_TEST(q.scales[0] == 0.3f);  // only the listed weights count
  std::vector<int32_t> c(2);
  quantize(q, w, idx, c);
  BOOST_TEST(c[0] == 1);
  BOOST_TEST(c[1] == 3);
  // Two codes without a positive one (one 2-level cell, no sign cell): values -s, +s.
  const QuantMeta b = fit_quantizer(w, 1, -1, 0, {}, "t");
  BOOST_TEST(code_value(b, -1, 0) == -4.0f);
  BOOST_TEST(code_value(b, 0, 0) == 4.0f);
}

BOOST_AUTO_TEST_CASE(nan_and_inf_weights_name_the_tensor) {
  std::vector<float> w{0.1f, std::numeric_limits<float>::quiet_NaN()};
  try {
    fit_quantizer(w, 1, -7, 7, {}, "layer3.weight");
    BOOST_FAIL("no throw");
  } catch (const anvil::Error& e) {
    BOOST_TEST(e.file() == "layer3.weight");
    BOOST_TEST(e.field() == "weights");
    BOOST_TEST(std::string(e.what()).find("NaN at index 1") != std::string::npos);
  }
  w[1] = std::numeric_limits<float>::infinity();
  BOOST_CHECK_THROW(check_finite(w, "x"), anvil::Error);
}
