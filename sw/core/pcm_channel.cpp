#include "core/pcm_channel.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "core/error.hpp"

namespace anvil::core {

namespace {
double phi(double z) {
  return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
}
double Phi(double z) {
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

// First and second moment of max(0, X), X ~ N(m, s^2).
void clipped_moments(double m, double s, double& e1, double& e2) {
  if (s <= 0.0) {
    const double v = std::max(0.0, m);
    e1 = v;
    e2 = v * v;
    return;
  }
  const double a = m / s, P = Phi(a), p = phi(a);
  e1 = m * P + s * p;
  e2 = (m * m + s * s) * P + m * s * p;
}

// Nodes and weights of a midpoint rule for E[f(Z)], Z ~ N(0, 1), over [-8, 8].
struct NormalRule {
  std::vector<double> z, w;
  explicit NormalRule(int n) {
    const double h = 16.0 / n;
    double total = 0.0;
    for (int i = 0; i < n; ++i) {
      z.push_back(-8.0 + (i + 0.5) * h);
      w.push_back(phi(z.back()));
      total += w.back();
    }
    for (double& x : w) x /= total;
  }
};
}  // namespace

double ClampedLog::operator()(double gT) const {
  return std::clamp(slope * std::log(gT) + offset, min, max);
}

PcmChannel::PcmChannel(PcmConfig cfg, const std::string& file) : cfg_(cfg) {
  auto positive = [&](double v, const char* field) {
    require(std::isfinite(v) && v > 0.0, file, std::string("pcm.") + field, "must be > 0");
  };
  auto nonneg = [&](double v, const char* field) {
    require(std::isfinite(v) && v >= 0.0, file, std::string("pcm.") + field, "must be >= 0");
  };
  positive(cfg_.g_max_us, "g_max_us");
  require(cfg_.dac_bits >= 1 && cfg_.dac_bits <= 16, file, "pcm.dac_bits", "must be in [1, 16]");
  positive(cfg_.prog_ref_g_max_us, "prog_ref_g_max_us");
  positive(cfg_.t0_s, "t0_s");
  positive(cfg_.t_read_s, "t_read_s");
  nonneg(cfg_.q_s_coeff, "q_s.coeff");
  nonneg(cfg_.q_s_max, "q_s.max");
  require(std::isfinite(cfg_.q_s_exponent), file, "pcm.q_s.exponent", "must be finite");
  require(cfg_.mu_nu.min <= cfg_.mu_nu.max, file, "pcm.mu_nu", "min must be <= max");
  require(cfg_.sigma_nu.min <= cfg_.sigma_nu.max && cfg_.sigma_nu.min >= 0.0, file, "pcm.sigma_nu",
          "need 0 <= min <= max");
  nonneg(cfg_.prog_noise_scale, "prog_noise_scale");
  nonneg(cfg_.drift_scale, "drift_scale");
  nonneg(cfg_.read_noise_scale, "read_noise_scale");
}

double PcmChannel::g_target_us(uint32_t dac) const {
  const uint32_t top = dac_codes() - 1;
  return cfg_.g_max_us * static_cast<double>(std::min(dac, top)) / static_cast<double>(top);
}

double PcmChannel::sigma_prog_us(double gT) const {
  const auto& c = cfg_.prog_coeff;
  const double s = std::max(c[0] + c[1] * gT + c[2] * gT * gT, 0.0);
  return s * cfg_.g_max_us / cfg_.prog_ref_g_max_us;
}

double PcmChannel::q_s(double gT) const {
  return std::min(cfg_.q_s_coeff / std::pow(safe(gT), cfg_.q_s_exponent), cfg_.q_s_max);
}

double PcmChannel::read_noise_time_factor(double t_s) const {
  const double l = std::log((t_s + cfg_.t_read_s) / (2.0 * cfg_.t_read_s));
  return l > 0.0 ? std::sqrt(l) : 0.0;
}

double PcmChannel::drift_factor(double nu, double t_s) const {
  return t_s > cfg_.t0_s ? std::pow(t_s / cfg_.t0_s, -nu) : 1.0;
}

double PcmChannel::program_pulse(uint32_t dac, const CellNoise& noise, uint32_t pulse) const {
  const double g = g_target_us(dac);
  const double s = cfg_.prog_noise_scale * sigma_prog_us(g / cfg_.g_max_us);
  return std::max(0.0, g + s * noise.normal(Draw::kProgram, pulse));
}

double PcmChannel::drift_exponent(uint32_t dac, const CellNoise& noise) const {
  const double gT = g_target_us(dac) / cfg_.g_max_us;
  return cfg_.drift_scale * std::abs(mu_nu(gT) + sigma_nu(gT) * noise.normal(Draw::kDrift));
}

double PcmChannel::read(double stored, double nu, double t_s, const CellNoise& noise, Draw purpose,
                        uint32_t n) const {
  const double g = stored * drift_factor(nu, t_s);
  const double s =
      cfg_.read_noise_scale * g * q_s(stored / cfg_.g_max_us) * read_noise_time_factor(t_s);
  if (s == 0.0) return std::max(0.0, g);
  return std::max(0.0, g + s * noise.normal(purpose, n));
}

LevelStats PcmChannel::stats(uint32_t dac, double t_s) const {
  static const NormalRule rule(161);
  const double g = g_target_us(dac), gT = g / cfg_.g_max_us;
  const double sp = cfg_.prog_noise_scale * sigma_prog_us(gT);
  const double mn = mu_nu(gT), sn = sigma_nu(gT);
  const double tf = read_noise_time_factor(t_s);
  // E over nu of D = (t/t0)^-nu and D^2 (independent of g_prog).
  double d1 = 0.0, d2 = 0.0;
  for (size_t j = 0; j < rule.z.size(); ++j) {
    const double D = drift_factor(cfg_.drift_scale * std::abs(mn + sn * rule.z[j]), t_s);
    d1 += rule.w[j] * D;
    d2 += rule.w[j] * D * D;
  }
  double m1 = 0.0, m2 = 0.0;
  const size_t np = sp > 0.0 ? rule.z.size() : 1;
  for (size_t i = 0; i < np; ++i) {
    const double gp = sp > 0.0 ? std::max(0.0, g + sp * rule.z[i]) : g;
    const double wp = sp > 0.0 ? rule.w[i] : 1.0;
    // Read value given g_prog and D: max(0, gp D (1 + r N)), r = read sigma / g(t).
    const double r = cfg_.read_noise_scale * q_s(gp / cfg_.g_max_us) * tf;
    if (r == 0.0 || gp == 0.0) {
      m1 += wp * gp * d1;
      m2 += wp * gp * gp * d2;
      continue;
    }
    // max(0, a (1 + r N)) = a max(0, 1 + r N) for a >= 0: moments of max(0, N(1, r^2)).
    double e1, e2;
    clipped_moments(1.0, r, e1, e2);
    m1 += wp * gp * d1 * e1;
    m2 += wp * gp * gp * d2 * e2;
  }
  return {m1, std::sqrt(std::max(0.0, m2 - m1 * m1))};
}

}  // namespace anvil::core
