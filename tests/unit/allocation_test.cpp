// Allocation and reconstruction (core/allocation): segment layout in the cell index space,
// noise-free reconstruction equal to the quantized model for every scheme kind, determinism
// across thread counts, reference-cell drift compensation, digital baselines, bad input.
#define BOOST_TEST_MODULE allocation
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "codec_fixtures.hpp"
#include "core/allocation.hpp"
#include "core/device_config.hpp"
#include "core/error.hpp"
#include "core/scheme.hpp"
#include "test_util.hpp"

using namespace anvil::core;

namespace {
const uint64_t kSeed = seed_from_env("ANVIL_TEST_SEED", 20260101);

SchemeSpec scheme(const std::string& yaml) {
  return parse_schemes_text(yaml).at(0);
}

std::vector<float> weights(size_t n, uint64_t stream) {
  const RandomStream rs(kSeed, stream);
  std::vector<float> w(n);
  for (size_t i = 0; i < n; ++i) w[i] = static_cast<float>(0.1 * rs.normal(i, Draw::kUser));
  return w;
}

// The quantized model the allocation stores: what a noise-free read must return.
std::vector<std::vector<float>> quantized(const Allocation& a) {
  std::vector<std::vector<float>> out;
  for (const TensorShape& t : a.tensors) out.emplace_back(t.size, 0.0f);
  for (const Segment& s : a.segments) dequantize(s.quant, s.codes, s.index, out[s.tensor]);
  return out;
}

double mse(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += double(a[i] - b[i]) * (a[i] - b[i]);
  return s / a.size();
}

const char* kSchemes[] = {
    "- {name: naive, levels: 16, decode: naive}",
    "- {name: ml, levels: 8, replicas: 3, combine: ml, decode: ml}",
    "- {name: mmse, levels: 4, split: 2, replicas: 2, combine: mean, decode: mmse}",
    "- {name: sign, levels: 16, sign: {cell: true, replicas: 3}, combine: median}",
    "- {name: ref, levels: 8, decode: ref, reference: {per_level: 2}}",
    "- {name: pc, levels: 16, mapping: {granularity: per_channel, clip_quantile: 0.99, "
    "companding: lloyd}}",
    "- {name: mu, levels: 16, sign: {cell: true}, mapping: {companding: mulaw, mu: 50}}",
    "- {name: imp, levels: 8, importance: {fraction: 0.2, group: 16, protect: {split: 2, "
    "replicas: 3}}}",
};
}  // namespace

BOOST_AUTO_TEST_CASE(noise_free_reconstruction_is_the_quantized_model) {
  const Cell cell = anvil::test::gaussian_cell(0.0);
  const std::vector<float> w1 = weights(600, 1), w2 = weights(250, 2);
  const std::vector<TensorView> views{{"fc1.weight", w1, 6, {}}, {"fc2.weight", w2, 5, {}}};
  for (const char* y : kSchemes) {
    const SchemeSpec s = scheme(y);
    const Allocation a = allocate(views, s, cell, {1000});
    const Reconstruction r = reconstruct(a, cell, RandomStream(kSeed, 3), 1);
    BOOST_TEST_INFO("scheme " << s.name);
    const auto q = quantized(a);
    BOOST_TEST_REQUIRE(r.tensors.size() == 2u);
    BOOST_TEST(r.tensors[0] == q[0], boost::test_tools::per_element());
    BOOST_TEST(r.tensors[1] == q[1], boost::test_tools::per_element());
    // Layout: consecutive segments from the base cell; the footprint counts the same cells.
    uint64_t next = 1000;
    for (const Segment& seg : a.segments) {
      BOOST_TEST(seg.base_cell == next);
      next = seg.base_cell + seg.weight_cells();
      if (seg.ref_cells) {
        BOOST_TEST(seg.ref_base == next);
        next += seg.ref_cells;
      }
    }
    BOOST_TEST(a.end_cell == next);
    const Footprint f = footprint(a);
    BOOST_TEST(f.weight_cells + f.reference_cells == a.end_cell - 1000);
    BOOST_TEST(r.stats.cells == a.end_cell - 1000);
    BOOST_TEST(f.weights == 850u);
  }
}

BOOST_AUTO_TEST_CASE(deterministic_for_any_thread_count) {
  const Cell cell = anvil::test::gaussian_cell(0.04);
  const std::vector<float> w = weights(20000, 4);
  const std::vector<TensorView> views{{"w", w, 1, {}}};
  const Allocation a = allocate(views,
                                scheme("- {name: s, levels: 16, replicas: 2, combine: mean, "
                                       "decode: mmse}"),
                                cell);
  const Reconstruction r1 = reconstruct(a, cell, RandomStream(kSeed, 5), 1);
  const Reconstruction r2 = reconstruct(a, cell, RandomStream(kSeed, 5), 2);
  const Reconstruction r3 = reconstruct(a, cell, RandomStream(kSeed, 5), 3);
  BOOST_TEST(r1.tensors[0] == r2.tensors[0], boost::test_tools::per_element());
  BOOST_TEST(r1.tensors[0] == r3.tensors[0], boost::test_tools::per_element());
  BOOST_TEST(r1.stats.pulses == r2.stats.pulses);
  // A different trial stream gives different noise.
  const Reconstruction o = reconstruct(a, cell, RandomStream(kSeed, 6), 2);
  BOOST_TEST(mse(o.tensors[0], r1.tensors[0]) > 0.0);
}

BOOST_AUTO_TEST_CASE(reference_cells_compensate_drift) {
  const Cell cell = anvil::test::drift_cell(0.01, 0.05);
  const std::vector<float> w = weights(4000, 7);
  const std::vector<TensorView> views{{"w", w, 1, {}}};
  const RandomStream rs(kSeed, 8);
  const Allocation naive = allocate(views, scheme("- {name: n, levels: 8, decode: naive}"), cell);
  const Allocation ref = allocate(views, scheme("- {name: r, levels: 8, decode: ref}"), cell);
  const Allocation ml = allocate(views, scheme("- {name: m, levels: 8, decode: ml}"), cell);
  const auto q = quantized(naive);
  const double e_naive = mse(reconstruct(naive, cell, rs).tensors[0], q[0]);
  const double e_ref = mse(reconstruct(ref, cell, rs).tensors[0], q[0]);
  const double e_ml = mse(reconstruct(ml, cell, rs).tensors[0], q[0]);
  BOOST_TEST_MESSAGE("MSE vs quantized: naive " << e_naive << ", ref " << e_ref << ", ml " << e_ml);
  BOOST_TEST(e_ref < 0.05 * e_naive);
  BOOST_TEST(e_ml < 0.05 * e_naive);
  BOOST_TEST(footprint(ref).reference_cells == 32u);

  // The halves a co-simulation uses: the reference cells' DACs (level j % L), and the tables
  // fitted from their reads, which move with the drift away from the allocation's tables.
  const Segment& seg = ref.segments[0];
  const std::vector<uint32_t> dacs = reference_dacs(ref, seg);
  BOOST_TEST_REQUIRE(dacs.size() == 32u);
  for (size_t j = 0; j < dacs.size(); ++j) BOOST_TEST(dacs[j] == seg.params.level_dac[j % 8]);
  BOOST_TEST(reference_dacs(naive, naive.segments[0]).empty());
  std::vector<uint32_t> adc;
  for (size_t j = 0; j < dacs.size(); ++j) {
    const CellNoise n(rs, seg.ref_base + j);
    adc.push_back(cell.read(cell.program(dacs[j], n), n));
  }
  const CodecParams fitted = params_from_references(ref, seg, cell, adc);
  BOOST_TEST(fitted.adc_digit == segment_params(ref, seg, cell, rs).adc_digit,
             boost::test_tools::per_element());
  BOOST_TEST(fitted.adc_digit != seg.params.adc_digit);
  adc.pop_back();
  BOOST_CHECK_THROW(params_from_references(ref, seg, cell, adc), anvil::Error);
}

BOOST_AUTO_TEST_CASE(digital_baselines_store_the_quantized_model) {
  const Cell cell = anvil::test::gaussian_cell(0.05);
  const std::vector<float> w = weights(1000, 9);
  const std::vector<TensorView> views{{"w", w, 10, {}}};
  const Allocation fp = allocate(views, scheme("- {name: f, digital: {format: fp32}}"), cell);
  BOOST_TEST(reconstruct(fp, cell, RandomStream(kSeed, 1)).tensors[0] == w,
             boost::test_tools::per_element());
  BOOST_TEST(footprint(fp).total() == 36000u);
  const Allocation i4 =
      allocate(views, scheme("- {name: i, digital: {format: int4, cell: mlc2, ecc: auto}}"), cell);
  const auto r = reconstruct(i4, cell, RandomStream(kSeed, 1));
  BOOST_TEST(r.tensors[0] == quantized(i4)[0], boost::test_tools::per_element());
  BOOST_TEST(i4.segments[0].quant.code_min == -8);
  BOOST_TEST(r.stats.cells == 0u);
}

BOOST_AUTO_TEST_CASE(importance_by_score) {
  const Cell cell = anvil::test::gaussian_cell(0.0);
  const std::vector<float> w = weights(64, 10);
  std::vector<float> score(64, 0.0f);
  for (size_t i = 16; i < 24; ++i) score[i] = 1.0f;  // group 2 of 8 matters
  const std::vector<TensorView> views{{"w", w, 1, score}};
  const Allocation a =
      allocate(views,
               scheme("- {name: s, importance: {metric: score, fraction: 0.125, group: 8, protect: "
                      "{replicas: 2}}}"),
               cell);
  BOOST_TEST_REQUIRE(a.segments.size() == 2u);
  BOOST_TEST(a.segments[1].index == (std::vector<uint32_t>{16, 17, 18, 19, 20, 21, 22, 23}),
             boost::test_tools::per_element());
  BOOST_TEST(a.importance_groups[0] == 8u);
  const std::vector<TensorView> no_score{{"w", w, 1, {}}};
  BOOST_TEST(
      anvil::test::error_field_of(
          [&] { allocate(no_score, scheme("- {name: s, importance: {metric: score}}"), cell); },
          "w") == "score");
}

BOOST_AUTO_TEST_CASE(nan_weights_name_the_tensor) {
  const Cell cell = anvil::test::gaussian_cell(0.0);
  std::vector<float> w = weights(10, 11);
  w[3] = std::numeric_limits<float>::quiet_NaN();
  const std::vector<TensorView> views{{"conv2.weight", w, 1, {}}};
  BOOST_TEST(anvil::test::error_field_of([&] { allocate(views, scheme("- {name: s}"), cell); },
                                         "conv2.weight") == "weights");
}

// Statistical PCM (BRIEF 2), read after one day: reference cells (8 per level) written with
// each segment give the drift correction naive decoding lacks. PCM drift is level-dependent
// and varies per cell, so a global affine correction recovers much, not all, of ML decoding.
BOOST_AUTO_TEST_CASE(reference_cells_on_pcm_drift) {
  const Cell cell = load_device(std::string(ANVIL_SOURCE_DIR) + "/models/devices/pcm.yaml");
  const std::vector<float> w = weights(8000, 12);
  const std::vector<TensorView> views{{"w", w, 1, {}}};
  const RandomStream rs(kSeed, 13);
  auto err = [&](const std::string& y) {
    const Allocation a = allocate(views, scheme(y), cell);
    return mse(reconstruct(a, cell, rs, 2).tensors[0], quantized(a)[0]);
  };
  const double naive = err("- {name: n, levels: 4, decode: naive}");
  const double ref = err("- {name: r, levels: 4, decode: ref, reference: {per_level: 8}}");
  const double ml = err("- {name: m, levels: 4, decode: ml}");
  BOOST_TEST_MESSAGE("PCM 4 levels after 1 day, MSE vs quantized: naive " << naive << ", ref "
                                                                          << ref << ", ml " << ml);
  BOOST_TEST(ref < 0.5 * naive);
  BOOST_TEST(ml < naive);
}

BOOST_AUTO_TEST_CASE(selected_levels_are_used_and_ordered) {
  const Cell cell = anvil::test::gaussian_cell(0.0, 32);
  const std::vector<float> w = weights(200, 14);
  const std::vector<TensorView> views{{"w", w, 1, {}}};
  for (const char* y :
       {"- {name: s, levels: 4, levels_from: select}",
        "- {name: m, levels: 4, levels_from: select_mi, calibration: {draws: 200}}"}) {
    const Allocation a = allocate(views, scheme(y), cell);
    const auto& dacs = a.segments.at(0).params.level_dac;
    BOOST_TEST_REQUIRE(dacs.size() == 4u);
    for (size_t i = 1; i < dacs.size(); ++i) BOOST_TEST(dacs[i] > dacs[i - 1]);
    const Reconstruction r = reconstruct(a, cell, RandomStream(kSeed, 15));
    BOOST_TEST(r.tensors[0] == quantized(a)[0], boost::test_tools::per_element());
  }
}

// Pruned tensors: zeros are not stored (fewer cells), come back as exact zeros, and the
// index joins the metadata; per-tensor overrides give each tensor its own codec.
BOOST_AUTO_TEST_CASE(sparse_and_per_tensor_schemes) {
  const Cell cell = anvil::test::gaussian_cell(0.0);
  std::vector<float> w1 = weights(600, 11), w2 = weights(250, 12);
  for (size_t i = 0; i < w1.size(); ++i)
    if (i % 4 != 1) w1[i] = 0.0f;  // 150 nonzeros
  const std::vector<TensorView> views{{"a.weight", w1, 6, {}}, {"b.weight", w2, 5, {}}};
  const SchemeSpec s = scheme(
      "- {name: d, levels: 8, sparse: {format: relative, index_bits: 2}, "
      "per_tensor: {b.weight: {levels: 4, split: 2, sparse: {format: none}}}}");
  BOOST_TEST(s.for_tensor("b.weight").shape.split == 2u);
  BOOST_TEST(s.for_tensor("a.weight").shape.levels == 8u);
  const Allocation a = allocate(views, s, cell);
  BOOST_TEST(a.tensors[0].stored == 150u);
  BOOST_TEST(a.tensors[1].stored == 250u);
  // Relative 2-bit index (escape E = 3): the first nonzero follows a gap of 1 (one entry),
  // every other a gap of 3 (an escape, then the entry): (1 + 149 * 2) entries of 2 bits.
  BOOST_TEST(a.tensors[0].index_bits == (1u + 149u * 2) * 2);
  BOOST_TEST(a.tensors[1].index_bits == 0u);
  const Footprint f = footprint(a, 1000);
  BOOST_TEST(f.weight_cells == 150u * 1 + 250u * 2);
  // Index, the model's own 1000 bits, one fp32 scale per tensor (per-tensor mapping).
  BOOST_TEST(f.metadata_bits == 598u + 1000u + 32u * 2);
  BOOST_TEST(f.total() == f.weight_cells + secded_cells(f.metadata_bits));
  const Reconstruction r = reconstruct(a, cell, RandomStream(kSeed, 13), 2);
  const auto clean = error_free(a);
  BOOST_TEST(r.tensors[0] == clean[0], boost::test_tools::per_element());
  BOOST_TEST(r.tensors[1] == clean[1], boost::test_tools::per_element());
  for (size_t i = 0; i < w1.size(); ++i)
    if (w1[i] == 0.0f) BOOST_TEST(clean[0][i] == 0.0f);
  // An override naming a tensor the network does not store is an error naming it.
  const SchemeSpec bad = scheme("- {name: x, levels: 8, per_tensor: {c.weight: {levels: 4}}}");
  BOOST_CHECK_EXCEPTION(allocate(views, bad, cell), anvil::Error, [](const anvil::Error& e) {
    return std::string(e.what()).find("per_tensor.c.weight") != std::string::npos;
  });
}

// Digital baselines of a pruned network store the nonzeros and their index behind one ECC.
BOOST_AUTO_TEST_CASE(sparse_digital_baseline) {
  const Cell cell = anvil::test::gaussian_cell(0.0);
  std::vector<float> w = weights(1024, 14);
  for (size_t i = 0; i < w.size(); ++i)
    if (i % 2) w[i] = 0.0f;
  const std::vector<TensorView> views{{"w", w, 1, {}}};
  const Allocation a = allocate(
      views,
      scheme("- {name: d, digital: {format: int4, cell: slc, ecc: secded}, sparse: {format: "
             "bitmap}}"),
      cell);
  BOOST_TEST(a.tensors[0].stored == 512u);
  BOOST_TEST(a.tensors[0].index_bits == 1024u);
  const Footprint f = footprint(a);
  BOOST_TEST(f.weight_cells == ecc_cells(512 * 4 + 1024, secded_72_64(), 1));
  const auto clean = error_free(a);
  for (size_t i = 1; i < w.size(); i += 2) BOOST_TEST(clean[0][i] == 0.0f);
  BOOST_TEST(clean[0][0] != 0.0f);
}
