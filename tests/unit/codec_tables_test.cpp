// Codec tables built from a Cell (core/codec_tables): exact round trips of every codec
// configuration on a noise-free Gaussian channel, ML and reference-cell decoding against
// naive decoding on a drifting channel, the MMSE table, sign levels and the LLR floor.
#define BOOST_TEST_MODULE codec_tables
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <vector>

#include "codec_fixtures.hpp"
#include "core/codec_tables.hpp"
#include "core/device_config.hpp"
#include "core/error.hpp"
#include "core/level_select.hpp"
#include "core/random.hpp"
#include "core/store.hpp"

using namespace anvil::core;
using anvil::test::drift_cell;
using anvil::test::gaussian_cell;

namespace {
const uint64_t kSeed = seed_from_env("ANVIL_TEST_SEED", 20260101);

// Fraction of weight codes decoded wrongly over `n` weights spread over the code range.
double code_error_rate(const Cell& cell, const CodecParams& p, uint32_t n, uint64_t stream) {
  std::vector<int32_t> codes(n), out(n);
  const int32_t span = code_max(p) - code_min(p) + 1;
  for (uint32_t i = 0; i < n; ++i) codes[i] = code_min(p) + static_cast<int32_t>(i % span);
  store_and_read(cell, p, codes, 0, RandomStream(kSeed, stream), out);
  uint32_t bad = 0;
  for (uint32_t i = 0; i < n; ++i) bad += codes[i] != out[i];
  return static_cast<double>(bad) / n;
}

// The same over 8000 weights for the codec of `shape` at `dacs`, its tables from `draws`
// simulated cells per level, decoding by `mode`.
double decode_error_rate(const Cell& cell, const CodecShape& shape,
                         const std::vector<uint32_t>& dacs, DecodeMode mode, uint32_t draws,
                         uint64_t stream) {
  TableOptions opt;
  opt.draws = draws;
  opt.decode = mode;
  return code_error_rate(cell, build_codec(cell, shape, dacs, opt), 8000, stream);
}
}  // namespace

BOOST_AUTO_TEST_CASE(noise_free_round_trip_every_configuration) {
  const Cell cell = gaussian_cell(0.0);
  const RandomStream rs(kSeed, 1);
  for (DecodeMode mode : {DecodeMode::kNaive, DecodeMode::kMl, DecodeMode::kMmse, DecodeMode::kRef})
    for (bool sign : {false, true})
      for (uint32_t levels : {2u, 3u, 4u, 16u})
        for (uint32_t split : {1u, 2u})
          for (uint32_t r : {1u, 2u, 3u})
            for (Combine c : {Combine::kMean, Combine::kMedian, Combine::kMl}) {
              const CodecShape shape{levels, split, r, sign, sign ? 3u : 1u, c};
              TableOptions opt;
              opt.decode = mode;
              opt.draws = 20;
              const CodecParams p =
                  build_codec(cell, shape, uniform_level_dacs(cell.channel(), levels), opt);
              std::vector<int32_t> codes, out;
              for (int32_t v = code_min(p); v <= code_max(p); ++v) codes.push_back(v);
              out.resize(codes.size());
              store_and_read(cell, p, codes, 0, rs, out);
              BOOST_TEST_INFO("decode " << to_string(mode) << " sign " << sign << " L " << levels
                                        << " k " << split << " r " << r << " combine "
                                        << to_string(c));
              BOOST_TEST_REQUIRE(out == codes);
            }
}

BOOST_AUTO_TEST_CASE(uniform_levels_and_sign_extremes) {
  const Cell cell = gaussian_cell(0.05);
  const std::vector<uint32_t> l4 = uniform_level_dacs(cell.channel(), 4);
  BOOST_TEST(l4 == (std::vector<uint32_t>{0, 85, 170, 255}), boost::test_tools::per_element());
  const auto s = sign_level_dacs(cell.channel(), cell.spec().read_time_s);
  BOOST_TEST(s[0] == 0u);
  BOOST_TEST(s[1] == 255u);
  BOOST_TEST(dac_bits_for(cell.channel()) == 8u);
  BOOST_CHECK_THROW(uniform_level_dacs(cell.channel(), 1), anvil::Error);
  BOOST_CHECK_THROW(uniform_level_dacs(cell.channel(), 257), anvil::Error);
}

BOOST_AUTO_TEST_CASE(ml_beats_naive_on_drifting_channel) {
  // nu = 0.05 over one day: reads shrink to 86400^-0.05 = 0.566 of the programmed value.
  const Cell cell = drift_cell(0.01, 0.05);
  const CodecShape shape{8, 1, 1, false, 1, Combine::kMedian};
  const auto dacs = uniform_level_dacs(cell.channel(), 8);
  const double naive = decode_error_rate(cell, shape, dacs, DecodeMode::kNaive, 2000, 2);
  const double ml = decode_error_rate(cell, shape, dacs, DecodeMode::kMl, 2000, 2);
  const double mmse = decode_error_rate(cell, shape, dacs, DecodeMode::kMmse, 2000, 2);
  BOOST_TEST_MESSAGE("code error rate: naive " << naive << ", ml " << ml << ", mmse " << mmse);
  BOOST_TEST(naive > 0.5);  // the upper levels all read as lower ones
  BOOST_TEST(ml < 0.01);
  BOOST_TEST(mmse < 0.01);
}

BOOST_AUTO_TEST_CASE(reference_fit_recovers_drift) {
  const Cell cell = drift_cell(0.0, 0.05);
  const double g = std::pow(86400.0, -0.05);
  const std::vector<double> nominal{0.0, 0.25, 0.5, 1.0},
      observed{0.01, 0.25 * g + 0.01, 0.5 * g + 0.01, g + 0.01};
  const DriftFit f = fit_drift(nominal, observed);
  BOOST_TEST(f.gain == g, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(f.offset == 0.01, boost::test_tools::tolerance(1e-9));
  // Corrected naive decoding of the drifted cell is exact again.
  const CodecShape shape{8, 1, 1, false, 1, Combine::kMedian};
  TableOptions opt;
  opt.decode = DecodeMode::kRef;
  const CodecParams p =
      build_codec(cell, shape, uniform_level_dacs(cell.channel(), 8), opt, DriftFit{g, 0.0});
  BOOST_TEST(code_error_rate(cell, p, 800, 3) == 0.0);
  // One distinct level: a pure scale.
  const std::vector<double> n1{0.5, 0.5}, o1{0.25, 0.25};
  BOOST_TEST(fit_drift(n1, o1).gain == 0.5, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(mmse_table_is_posterior_mean) {
  const Cell cell = gaussian_cell(0.08);
  const CodecShape shape{4, 1, 1, false, 1, Combine::kMean};
  const auto dacs = uniform_level_dacs(cell.channel(), 4);
  TableOptions opt;
  opt.decode = DecodeMode::kMmse;
  opt.draws = 3000;
  const CodecParams p = build_codec(cell, shape, dacs, opt);
  const auto P = cell.transition(dacs, cell.spec().read_time_s, opt.draws, opt.seed);
  for (uint32_t a = 0; a < cell.adc_codes(); ++a) {
    double m = 0, s = 0;
    for (uint32_t d = 0; d < 4; ++d) m += P[d][a], s += P[d][a] * d;
    if (m == 0) continue;
    BOOST_TEST(p.adc_soft[a] == static_cast<uint32_t>(std::llround(s / m * 256)));
    BOOST_TEST(p.adc_digit[a] == static_cast<uint32_t>(std::llround(s / m)));
    // Monotone up to Monte Carlo noise in sparsely populated tail bins.
    if (a > 0) BOOST_TEST(p.adc_soft[a] + 16 >= p.adc_soft[a - 1]);
  }
}

BOOST_AUTO_TEST_CASE(llr_floor_for_empty_bins_and_sign_decision) {
  const Cell cell = gaussian_cell(0.0);
  const CodecShape shape{4, 1, 1, true, 3, Combine::kMl};
  TableOptions opt;
  opt.draws = 100;
  opt.llr_frac_bits = 6;
  const CodecParams p = build_codec(cell, shape, uniform_level_dacs(cell.channel(), 4), opt);
  const int32_t floor_llr = static_cast<int32_t>(std::llround(std::log(0.5 / 100) * 64));
  const uint32_t a0 = cell.quantize(0.0);  // where level 0 reads
  BOOST_TEST(p.adc_llr[a0 * 4 + 0] == 0);  // log 1
  for (uint32_t d = 1; d < 4; ++d) BOOST_TEST(p.adc_llr[a0 * 4 + d] == floor_llr);
  BOOST_TEST(p.sign_dac[0] == 0u);
  BOOST_TEST(p.sign_dac[1] == 255u);
  BOOST_TEST(p.adc_sign[cell.quantize(0.0)] == 0);
  BOOST_TEST(p.adc_sign[cell.quantize(1.0)] == 1);
}

BOOST_AUTO_TEST_CASE(bad_level_tables_rejected) {
  const Cell cell = gaussian_cell(0.0, 16);
  const CodecShape shape{4, 1, 1, false, 1, Combine::kMedian};
  const std::vector<uint32_t> three{0, 5, 10}, beyond{0, 5, 10, 16};
  try {
    build_codec(cell, shape, three, {});
    BOOST_FAIL("no throw");
  } catch (const anvil::Error& e) {
    BOOST_TEST(e.field() == "level_dac");
  }
  BOOST_CHECK_THROW(build_codec(cell, shape, beyond, {}), anvil::Error);
  BOOST_CHECK_THROW(decode_from_string("fancy", "s.yaml", "decode"), anvil::Error);
}

// Measured partial-reset PCM (../shared/data/pcm, through models/devices/measured_pcm.yaml):
// its response has a plateau from about 1.45 V to 2.40 V, so levels spread uniformly over the
// write voltages collide there, while level selection spreads them over the read range.
BOOST_AUTO_TEST_CASE(level_selection_beats_uniform_levels_on_measured_pcm) {
  const Cell cell =
      load_device(std::string(ANVIL_SOURCE_DIR) + "/models/devices/measured_pcm.yaml");
  const CodecShape shape{8, 1, 1, false, 1, Combine::kMedian};
  const auto uniform = uniform_level_dacs(cell.channel(), 8);
  const auto selected =
      select_levels(cell, 8, cell.spec().read_time_s, LevelObjective::kMinSeparation).dacs;
  const double e_uni = decode_error_rate(cell, shape, uniform, DecodeMode::kMl, 2000, 11);
  const double e_sel = decode_error_rate(cell, shape, selected, DecodeMode::kMl, 2000, 11);
  BOOST_TEST_MESSAGE("measured PCM, 8 levels, ML: code error rate uniform "
                     << e_uni << ", selected " << e_sel);
  BOOST_TEST(e_sel < 0.7 * e_uni);
}

// Statistical PCM model (BRIEF 2) read one day after programming: conductance drift shrinks
// the reads, which naive decoding (nominal response) misreads and ML / reference cells fix.
BOOST_AUTO_TEST_CASE(ml_and_reference_decoding_beat_naive_on_pcm_drift) {
  const Cell cell = load_device(std::string(ANVIL_SOURCE_DIR) + "/models/devices/pcm.yaml");
  const CodecShape shape{4, 1, 1, false, 1, Combine::kMedian};
  const auto dacs = uniform_level_dacs(cell.channel(), 4);
  const double naive = decode_error_rate(cell, shape, dacs, DecodeMode::kNaive, 4000, 12);
  const double ml = decode_error_rate(cell, shape, dacs, DecodeMode::kMl, 4000, 12);
  BOOST_TEST_MESSAGE("PCM 4 levels after 1 day: code error rate naive " << naive << ", ml " << ml);
  BOOST_TEST(ml < naive);
}
