// Equivalence of the co-simulation (Verilated weight_encoder / weight_decoder, TLM bridge,
// SystemC pcm_array) with the golden functional store core::store_and_read: same Cell, same
// CodecParams, same RandomStream and base cells give the same decoded codes, bit for bit, on a
// random tensor of 60,000 weights per scheme. Schemes: naive; sign cell + 3 median replicas;
// 2-cell split with 2 mean replicas; sign repeated 3 times with ML decoding; naive with mean
// decoding; 3 replicas with ML decoding (tables from core::build_codec: naive, ML from the measured
// transition for the ml segments). All run in ONE elaboration (one run_cosim call, five segments).
#define BOOST_TEST_MODULE cosim_equivalence
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include <cstdio>
#include <string>
#include <vector>

#include "core/codec_rtl.hpp"
#include "core/error.hpp"
#include "core/store.hpp"
#include "cosim_test_util.hpp"
#include "systemc/cosim.hpp"

using namespace anvil;
using core::Combine;

namespace {

constexpr size_t kWeights = 60000;

struct Run {
  core::Cell cell = test::noisy_cell();
  core::RandomStream noise{core::seed_from_env("ANVIL_TEST_SEED", 20261128), 3};
  std::vector<core::CodecParams> params;
  std::vector<std::vector<int32_t>> codes;
  std::vector<cosim::CosimSegment> segments;
  cosim::CosimResult result;

  Run() {
    params = {test::codec_for(cell, 16, 1, 1, false, 1, Combine::kMedian),
              test::codec_for(cell, 16, 1, 3, true, 1, Combine::kMedian),
              test::codec_for(cell, 16, 2, 2, false, 1, Combine::kMean),
              test::codec_for(cell, 8, 1, 1, true, 3, Combine::kMl, core::DecodeMode::kMl),
              test::codec_for(cell, 16, 1, 1, false, 1, Combine::kMean),
              test::codec_for(cell, 8, 1, 3, false, 1, Combine::kMl, core::DecodeMode::kMl)};
    const char* names[] = {"naive",    "sign_r3_median", "split2_r2_mean",
                           "sign3_ml", "naive_mean",     "r3_ml"};
    uint64_t base = 1000;  // not at 0: the base cell must be honoured
    for (size_t s = 0; s < params.size(); ++s) {
      codes.push_back(test::random_codes(params[s], kWeights, 17 + s));
      segments.push_back({names[s], params[s], codes[s], base});
      base += core::cells_per_weight(params[s]) * kWeights + 7;
    }
    result = cosim::run_cosim(cell, segments, noise);
    std::printf("cosim: %llu weights, %llu cycles, %.3f s wall\n",
                static_cast<unsigned long long>(result.weights()),
                static_cast<unsigned long long>(result.cycles), result.wall_s);
  }
};

Run& run() {
  static Run r;
  return r;
}

void check_segment(size_t s) {
  Run& r = run();
  BOOST_TEST_REQUIRE(r.result.segments.size() == r.segments.size());
  const auto& seg = r.segments[s];
  std::vector<int32_t> golden(seg.codes.size());
  core::store_and_read(r.cell, seg.params, seg.codes, seg.base_cell, r.noise, golden);
  const auto& got = r.result.segments[s].decoded;
  BOOST_TEST_REQUIRE(got.size() == golden.size());
  size_t mismatches = 0, errors = 0;
  for (size_t i = 0; i < golden.size(); ++i) {
    mismatches += got[i] != golden[i];
    errors += golden[i] != seg.codes[i];
  }
  BOOST_TEST_MESSAGE(seg.name << ": " << errors << " channel errors of " << golden.size());
  BOOST_TEST(mismatches == 0u);
  // The channel is noisy enough for the comparison to mean something (except with heavy
  // protection, where a clean result is the point).
  if (s == 0) BOOST_TEST(errors > 0u);
}

}  // namespace

BOOST_AUTO_TEST_CASE(naive_matches_golden) {
  check_segment(0);
}
BOOST_AUTO_TEST_CASE(sign_cell_with_median_replicas_matches_golden) {
  check_segment(1);
}
BOOST_AUTO_TEST_CASE(split_with_mean_replicas_matches_golden) {
  check_segment(2);
}
BOOST_AUTO_TEST_CASE(repeated_sign_with_ml_decoding_matches_golden) {
  check_segment(3);
}
BOOST_AUTO_TEST_CASE(single_replica_mean_matches_golden) {
  check_segment(4);
}
BOOST_AUTO_TEST_CASE(ml_combined_replicas_match_golden) {
  check_segment(5);
}

BOOST_AUTO_TEST_CASE(variants_and_counters) {
  const Run& r = run();
  BOOST_TEST(r.result.segments[0].variant == "naive_l16");
  BOOST_TEST(r.result.segments[1].variant == "sign_l16_r3");
  BOOST_TEST(r.result.segments[2].variant == "split_l16_k2_r2");
  BOOST_TEST(r.result.segments[3].variant == "sign_l8_s3");
  BOOST_TEST(r.result.segments[4].variant == "naive_l16");
  BOOST_TEST(r.result.segments[5].variant == "ml_l8_r3");
  uint64_t cells = 0;
  for (const auto& p : r.params) cells += core::cells_per_weight(p) * kWeights;
  BOOST_TEST(r.result.array.programmed == cells);
  BOOST_TEST(r.result.array.pulses == cells);  // no write-verify: one pulse per cell
  BOOST_TEST(r.result.array.reads == cells);
  BOOST_TEST(r.result.array_errors == 0u);
  BOOST_TEST(r.result.array.energy_pj() > 0.0);
  // One weight per clock, plus table loading and pipeline drain per segment.
  uint64_t budget = r.result.weights();
  for (const auto& p : r.params)
    budget += std::max(core::encoder_cfg_writes(p).size(), core::decoder_cfg_writes(p).size()) + 64;
  BOOST_TEST(r.result.cycles >= r.result.weights());
  BOOST_TEST(r.result.cycles < budget);
  BOOST_TEST(r.result.simulated_ns >= r.result.logic_ns);
  BOOST_TEST(r.result.array_ns >= r.result.array.busy_ns - 1e-6);
}

BOOST_AUTO_TEST_CASE(second_elaboration_is_refused) {
  run();
  BOOST_CHECK_THROW(cosim::run_cosim(run().cell, run().segments, run().noise), Error);
}

BOOST_AUTO_TEST_CASE(unsupported_shapes_are_named) {
  const core::Cell cell = test::noisy_cell();
  auto ml3 = test::codec_for(cell, 8, 1, 3, false, 1, Combine::kMl);
  BOOST_TEST(cosim::cosim_unsupported(ml3).empty());
  ml3.adc_llr[5] = -40000;  // beyond the RTL's 16-bit log-likelihoods
  BOOST_TEST(cosim::cosim_unsupported(ml3).find("adc_llr") != std::string::npos);
  const auto l4 = test::codec_for(cell, 4, 3, 1, false, 1, Combine::kMedian);
  BOOST_TEST(cosim::cosim_unsupported(l4).find("cosim_variants.cmake") != std::string::npos);
  BOOST_TEST(cosim::cosim_unsupported(run().params[1]).empty());
  BOOST_TEST(cosim::cosim_variants().size() >= 3u);
}
