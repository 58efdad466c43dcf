// pcm channel against the formulas of BRIEF section 2 (IBM statistical PCM model): programming
// sigma, drift exponent statistics and mean drift, 1/f read-noise sigma at several
// conductances and times, each over 1e5 simulated cells; the gT -> 0 limit; stats() against
// simulation.
#define BOOST_TEST_MODULE channel_pcm
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <memory>

#include "core/cell.hpp"
#include "core/device_config.hpp"
#include "core/pcm_channel.hpp"

using namespace anvil::core;
namespace tt = boost::test_tools;

namespace {
const uint64_t kSeed = seed_from_env("ANVIL_TEST_SEED", 20260103);
constexpr uint32_t kN = 100000;

// Plain reference formulas, written out from the brief.
double ref_sigma_prog(double gT) {
  return std::max(-1.1731 * gT * gT + 1.9650 * gT + 0.2635, 0.0);
}
double ref_mu_nu(double gT) {
  return std::clamp(-0.0155 * std::log(gT) + 0.0244, 0.049, 0.1);
}
double ref_sigma_nu(double gT) {
  return std::clamp(-0.0125 * std::log(gT) - 0.0059, 0.008, 0.045);
}
double ref_q_s(double gT) {
  return std::min(0.0088 / std::pow(gT, 0.65), 0.2);
}

struct Moments {
  double mean = 0, std = 0;
  void add(double x) { s += x, s2 += x * x, ++n; }
  Moments done() {
    mean = s / n;
    std = std::sqrt(s2 / n - mean * mean);
    return *this;
  }
  double s = 0, s2 = 0;
  double n = 0;
};
}  // namespace

BOOST_AUTO_TEST_CASE(terms_match_the_formulas) {
  const PcmChannel ch(PcmConfig{});
  for (double gT : {0.05, 0.1, 0.3, 0.5, 0.8, 1.0}) {
    BOOST_TEST(ch.sigma_prog_us(gT) == ref_sigma_prog(gT), tt::tolerance(1e-12));
    BOOST_TEST(ch.mu_nu(gT) == ref_mu_nu(gT), tt::tolerance(1e-12));
    BOOST_TEST(ch.sigma_nu(gT) == ref_sigma_nu(gT), tt::tolerance(1e-12));
    BOOST_TEST(ch.q_s(gT) == ref_q_s(gT), tt::tolerance(1e-12));
  }
  // g_max scales sigma_prog by g_max / 25 uS.
  PcmConfig c;
  c.g_max_us = 50.0;
  BOOST_TEST(PcmChannel(c).sigma_prog_us(0.5) == 2.0 * ref_sigma_prog(0.5), tt::tolerance(1e-12));
  BOOST_TEST(ch.g_target_us(0) == 0.0);
  BOOST_TEST(ch.g_target_us(255) == 25.0);
  BOOST_TEST(ch.g_target_us(51) == 5.0, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(zero_conductance_is_the_clamped_limit) {
  const PcmChannel ch(PcmConfig{});
  BOOST_TEST(ch.mu_nu(0.0) == 0.1);
  BOOST_TEST(ch.sigma_nu(0.0) == 0.045);
  BOOST_TEST(ch.q_s(0.0) == 0.2);
  BOOST_TEST(ch.sigma_prog_us(0.0) == 0.2635, tt::tolerance(1e-12));
  const RandomStream rs(kSeed, 1);
  for (uint32_t k = 0; k < 1000; ++k) {
    const CellNoise n(rs, k);
    const double g = ch.program_pulse(0, n, 0);
    BOOST_TEST_REQUIRE(g >= 0.0);  // clipped, never negative
    const double y = ch.read(g, ch.drift_exponent(0, n), 86400.0, n, Draw::kRead, 0);
    BOOST_TEST_REQUIRE((std::isfinite(y) && y >= 0.0));
  }
  const LevelStats s = ch.stats(0, 86400.0);
  BOOST_TEST(std::isfinite(s.mean));
  BOOST_TEST(std::isfinite(s.std));
}

BOOST_AUTO_TEST_CASE(programming_noise_sigma) {
  const PcmChannel ch(PcmConfig{});
  const RandomStream rs(kSeed, 2);
  for (uint32_t dac : {51u, 128u, 204u, 255u}) {  // gT = 0.2, 0.502, 0.8, 1
    const double g = ch.g_target_us(dac), gT = g / 25.0;
    Moments m;
    for (uint32_t k = 0; k < kN; ++k) m.add(ch.program_pulse(dac, CellNoise(rs, k), 0));
    m.done();
    BOOST_TEST(m.mean == g, tt::tolerance(0.002));
    BOOST_TEST(m.std == ref_sigma_prog(gT), tt::tolerance(0.01));
  }
}

BOOST_AUTO_TEST_CASE(drift_exponent_and_mean_drift) {
  PcmConfig c;
  c.read_noise_scale = 0.0;  // drift alone
  const PcmChannel ch(c);
  const RandomStream rs(kSeed, 3);
  for (uint32_t dac : {13u, 64u, 255u}) {  // gT = 0.051, 0.251, 1
    const double gT = ch.g_target_us(dac) / 25.0;
    const double mu = ref_mu_nu(gT), sd = ref_sigma_nu(gT);
    // nu = |mu + sd N|: folded normal mean and variance.
    const double a = mu / sd;
    const double fold_mean =
        sd * std::sqrt(2.0 / M_PI) * std::exp(-0.5 * a * a) + mu * std::erf(a / std::sqrt(2.0));
    const double fold_var = mu * mu + sd * sd - fold_mean * fold_mean;
    Moments nu;
    for (uint32_t k = 0; k < kN; ++k) nu.add(ch.drift_exponent(dac, CellNoise(rs, k)));
    nu.done();
    BOOST_TEST(nu.mean == fold_mean, tt::tolerance(0.005));
    BOOST_TEST(nu.std == std::sqrt(fold_var), tt::tolerance(0.02));
    // Drift of a fixed g_prog = 10 uS over t = 1e3, 1e6 s: E[(t/t0)^-nu] by quadrature.
    for (double t : {1e3, 1e6}) {
      double expect = 0.0, wsum = 0.0;
      for (int i = -4000; i <= 4000; ++i) {
        const double z = i * 0.002, w = std::exp(-0.5 * z * z);
        expect += w * std::pow(t / 20.0, -std::abs(mu + sd * z));
        wsum += w;
      }
      expect = 10.0 * expect / wsum;
      Moments g;
      for (uint32_t k = 0; k < kN; ++k) {
        const CellNoise n(rs, k);
        g.add(ch.read(10.0, ch.drift_exponent(dac, n), t, n, Draw::kRead, 0));
      }
      g.done();
      BOOST_TEST(g.mean == expect, tt::tolerance(0.002));
    }
  }
  // No drift before t0.
  BOOST_TEST(ch.drift_factor(0.1, 10.0) == 1.0);
  BOOST_TEST(ch.drift_factor(0.1, 200.0) == std::pow(10.0, -0.1), tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(read_noise_sigma) {
  const PcmChannel ch(PcmConfig{});
  const RandomStream rs(kSeed, 4);
  for (double g : {2.0, 10.0, 25.0}) {
    for (double t : {1.0, 3600.0, 86400.0}) {
      const double nu = 0.05;
      const double gd = g * (t > 20.0 ? std::pow(t / 20.0, -nu) : 1.0);
      const double expect =
          gd * ref_q_s(g / 25.0) * std::sqrt(std::log((t + 250e-9) / (2 * 250e-9)));
      Moments m;
      for (uint32_t k = 0; k < kN; ++k) m.add(ch.read(g, nu, t, CellNoise(rs, k), Draw::kRead, 0));
      m.done();
      BOOST_TEST(m.mean == gd, tt::tolerance(0.002));
      BOOST_TEST(m.std == expect, tt::tolerance(0.015));
    }
  }
}

BOOST_AUTO_TEST_CASE(stats_agree_with_simulation) {
  const Cell cell(std::make_shared<PcmChannel>(PcmConfig{}), CellSpec{});
  const RandomStream rs(kSeed, 5);
  for (uint32_t dac : {0u, 10u, 100u, 255u}) {
    for (double t : {1.0, 86400.0}) {
      Moments m;
      for (uint32_t k = 0; k < kN; ++k) {
        const CellNoise n(rs, k);
        m.add(cell.read_value(cell.program(dac, n), t, n));
      }
      m.done();
      const LevelStats s = cell.channel().stats(dac, t);
      BOOST_TEST(s.mean == m.mean, tt::tolerance(0.01));
      BOOST_TEST(s.std == m.std, tt::tolerance(0.02));
    }
  }
}

BOOST_AUTO_TEST_CASE(write_verify_on_pcm_counts_pulses) {
  // Without verify the spread at gT = 0.5 is sigma_prog = 0.95 uS. The verify read at 1 s
  // carries 1/f read noise of 0.66 uS itself, so verify helps less than the tolerance suggests;
  // with read noise off it holds the stored value to +-0.5 uS.
  for (double read_noise : {0.0, 1.0}) {
    PcmConfig c;
    c.read_noise_scale = read_noise;
    CellSpec spec;
    spec.verify = {true, 0.5, 8};
    const Cell cell(std::make_shared<PcmChannel>(c), spec);
    const RandomStream rs(kSeed, 6);
    Moments err, pulses;
    uint32_t within = 0;
    for (uint32_t k = 0; k < kN; ++k) {
      const CellState s = cell.program(128, CellNoise(rs, k));
      const double e = s.stored - cell.channel().target(128);
      err.add(e);
      within += std::abs(e) <= 0.5;
      pulses.add(s.pulses);
    }
    err.done(), pulses.done();
    const double p = std::erf(0.5 / ref_sigma_prog(128.0 / 255.0) /
                              std::sqrt(2.0));  // one pulse within +-0.5 uS
    if (read_noise == 0.0) {
      double expect = 0.0;
      for (int j = 1; j <= 8; ++j) expect += std::pow(1.0 - p, j - 1);
      BOOST_TEST(pulses.mean == expect, tt::tolerance(0.01));
      BOOST_TEST(static_cast<double>(within) / kN == 1.0 - std::pow(1.0 - p, 8),
                 tt::tolerance(0.002));
      BOOST_TEST(err.std < 0.35);
    } else {
      BOOST_TEST(err.std < 0.75);
      BOOST_TEST(pulses.mean > 1.5);
    }
  }
}

BOOST_AUTO_TEST_CASE(shipped_device_file_is_the_default_model) {
  const Cell cell = load_device(ANVIL_SOURCE_DIR "/models/devices/pcm.yaml");
  const auto* ch = dynamic_cast<const PcmChannel*>(&cell.channel());
  BOOST_TEST_REQUIRE(ch != nullptr);
  BOOST_TEST(ch->dac_codes() == 256u);
  const PcmChannel ref(PcmConfig{});
  for (uint32_t d : {0u, 77u, 255u}) {
    BOOST_TEST(ch->stats(d, 86400).mean == ref.stats(d, 86400).mean);
    BOOST_TEST(ch->stats(d, 86400).std == ref.stats(d, 86400).std);
  }
}
