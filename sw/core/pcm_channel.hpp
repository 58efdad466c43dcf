// pcm: the statistical phase-change-memory model of BRIEF section 2 (the IBM PCM model, as in
// Nandakumar et al. 2019 / Joshi et al. 2020 and IBM aihwkit's PCMLikeNoiseModel).
//
//   DAC code d of 2^dac_bits writes g_target = g_max d / (2^dac_bits - 1), gT = g_target / g_max
//   programming: g_prog = max(0, g_target + sigma_prog N),
//                sigma_prog = max(c2 gT^2 + c1 gT + c0, 0) uS * g_max / prog_ref_g_max
//   drift:       g(t) = g_prog (t / t0)^-nu for t > t0 (g_prog before), nu = |mu_nu + sigma_nu N|
//                mu_nu = clamp(-0.0155 ln gT + 0.0244, 0.049, 0.1)
//                sigma_nu = clamp(-0.0125 ln gT - 0.0059, 0.008, 0.045)
//   read:        y = max(0, g(t) + g(t) Q_s sqrt(ln((t + t_read) / (2 t_read))) N),
//                Q_s = min(0.0088 / gT^0.65, 0.2); the log term is taken as 0 for t < t_read
//
// Every constant is a config field with the published value as default. Where this departs
// from aihwkit: t is the time since programming (aihwkit adds t0 to its t_inference), and Q_s
// is evaluated at the programmed conductance g_prog / g_max (read() sees the stored state, not
// the target; aihwkit does the same). gT -> 0: ln gT and gT^-0.65 are evaluated at
// max(gT, 1e-12); all three clamps saturate long before that (mu_nu = 0.1 below gT = 0.0076,
// sigma_nu = 0.045 below 0.017, Q_s = 0.2 below 0.0083), so the result is the exact limit
// and never NaN. Conductances are clipped at 0 (no negative conductance); read range [0, g_max].
#pragma once

#include <array>
#include <string>

#include "core/channel.hpp"

namespace anvil::core {

struct ClampedLog {  // clamp(slope ln gT + offset, min, max)
  double slope, offset, min, max;
  double operator()(double gT) const;
};

struct PcmConfig {
  double g_max_us = 25.0;
  uint32_t dac_bits = 8;
  // sigma_prog polynomial c0 + c1 gT + c2 gT^2 in uS, fitted at prog_ref_g_max_us.
  std::array<double, 3> prog_coeff{0.2635, 1.9650, -1.1731};
  double prog_ref_g_max_us = 25.0;
  double t0_s = 20.0;
  ClampedLog mu_nu{-0.0155, 0.0244, 0.049, 0.1};
  ClampedLog sigma_nu{-0.0125, -0.0059, 0.008, 0.045};
  double t_read_s = 250e-9;
  double q_s_coeff = 0.0088;
  double q_s_exponent = 0.65;
  double q_s_max = 0.2;
  // Scales of the three noise sources (1 = the published model, 0 = switched off).
  double prog_noise_scale = 1.0;
  double drift_scale = 1.0;
  double read_noise_scale = 1.0;
};

class PcmChannel : public Channel {
 public:
  explicit PcmChannel(PcmConfig cfg, const std::string& file = "pcm");

  const PcmConfig& config() const { return cfg_; }
  // The model's terms, for tests and plots (gT = g / g_max).
  double g_target_us(uint32_t dac) const;
  double sigma_prog_us(double gT) const;
  double mu_nu(double gT) const { return cfg_.mu_nu(safe(gT)); }
  double sigma_nu(double gT) const { return cfg_.sigma_nu(safe(gT)); }
  double q_s(double gT) const;
  // sqrt(ln((t + t_read) / (2 t_read))), 0 for t < t_read.
  double read_noise_time_factor(double t_s) const;
  // (t / t0)^-nu for t > t0, else 1.
  double drift_factor(double nu, double t_s) const;

  std::string kind() const override { return "pcm"; }
  std::string unit() const override { return "uS"; }
  uint32_t dac_codes() const override { return 1u << cfg_.dac_bits; }
  double write_setting(uint32_t dac) const override { return g_target_us(dac); }
  double target(uint32_t dac) const override { return g_target_us(dac); }
  double read_min() const override { return 0.0; }
  double read_max() const override { return cfg_.g_max_us; }
  double program_pulse(uint32_t dac, const CellNoise& noise, uint32_t pulse) const override;
  double drift_exponent(uint32_t dac, const CellNoise& noise) const override;
  double read(double stored, double nu, double t_s, const CellNoise& noise, Draw purpose,
              uint32_t n) const override;
  // Numeric: quadrature over the programming and drift normals, exact truncated moments of
  // the read noise (including both clips at 0).
  LevelStats stats(uint32_t dac, double t_s) const override;

 private:
  static double safe(double gT) { return gT > 1e-12 ? gT : 1e-12; }
  PcmConfig cfg_;
};

}  // namespace anvil::core
