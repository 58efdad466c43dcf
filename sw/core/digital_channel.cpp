#include "core/digital_channel.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.hpp"

namespace anvil::core {

DigitalChannel::DigitalChannel(DigitalConfig cfg, const std::string& file) {
  const uint32_t L = cfg.levels;
  require(L >= 2, file, "digital.levels", "must be >= 2");
  const int given = (cfg.sigma >= 0.0) + !cfg.error_rate.empty() + !cfg.transition.empty();
  require(given <= 1, file, "digital", "give only one of sigma, error_rate and transition");
  p_.assign(L, std::vector<double>(L, 0.0));
  if (cfg.sigma > 0.0) {
    require(std::isfinite(cfg.sigma), file, "digital.sigma", "must be finite and >= 0");
    auto Phi = [](double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); };
    for (uint32_t i = 0; i < L; ++i) {
      for (uint32_t j = 0; j < L; ++j) {
        const double lo = j == 0 ? -HUGE_VAL : (j - 0.5 - i) / cfg.sigma;
        const double hi = j + 1 == L ? HUGE_VAL : (j + 0.5 - i) / cfg.sigma;
        p_[i][j] = Phi(hi) - Phi(lo);
      }
    }
  } else if (!cfg.error_rate.empty()) {
    require(cfg.error_rate.size() == 1 || cfg.error_rate.size() == L, file, "digital.error_rate",
            "must be one value or one per level (" + std::to_string(L) + ")");
    for (uint32_t i = 0; i < L; ++i) {
      const double e = cfg.error_rate[cfg.error_rate.size() == 1 ? 0 : i];
      require(e >= 0.0 && e <= 1.0, file, "digital.error_rate", "must be in [0, 1]");
      p_[i][i] = 1.0 - e;
      if (i == 0) {
        p_[i][1] += e;
      } else if (i + 1 == L) {
        p_[i][i - 1] += e;
      } else {
        p_[i][i - 1] += e / 2;
        p_[i][i + 1] += e / 2;
      }
    }
  } else if (!cfg.transition.empty()) {
    require(cfg.transition.size() == L, file, "digital.transition",
            "must have one row per level (" + std::to_string(L) + ")");
    for (uint32_t i = 0; i < L; ++i) {
      const std::string f = "digital.transition[" + std::to_string(i) + "]";
      require(cfg.transition[i].size() == L, file, f, "must have one entry per level");
      double sum = 0.0;
      for (double p : cfg.transition[i]) {
        require(p >= 0.0 && p <= 1.0, file, f, "probabilities must be in [0, 1]");
        sum += p;
      }
      require(std::abs(sum - 1.0) <= 1e-6, file, f, "row must sum to 1");
      for (uint32_t j = 0; j < L; ++j) p_[i][j] = cfg.transition[i][j] / sum;
    }
  } else {
    for (uint32_t i = 0; i < L; ++i) p_[i][i] = 1.0;
  }
}

double DigitalChannel::mean_symbol_error_rate() const {
  double s = 0.0;
  for (uint32_t i = 0; i < p_.size(); ++i) s += symbol_error_rate(i);
  return s / static_cast<double>(p_.size());
}

double DigitalChannel::program_pulse(uint32_t dac, const CellNoise& noise, uint32_t pulse) const {
  const auto& row = p_[clamp(dac)];
  const double u = noise.uniform(Draw::kProgram, pulse);
  double acc = 0.0;
  for (size_t j = 0; j < row.size(); ++j) {
    acc += row[j];
    if (u < acc) return static_cast<double>(j);
  }
  // Rounding left u above the last partial sum: the last level with non-zero probability.
  for (size_t j = row.size(); j-- > 0;) {
    if (row[j] > 0.0) return static_cast<double>(j);
  }
  return static_cast<double>(clamp(dac));
}

LevelStats DigitalChannel::stats(uint32_t dac, double t_s) const {
  (void)t_s;
  const auto& row = p_[clamp(dac)];
  double m = 0.0, m2 = 0.0;
  for (size_t j = 0; j < row.size(); ++j) {
    m += row[j] * static_cast<double>(j);
    m2 += row[j] * static_cast<double>(j * j);
  }
  return {m, std::sqrt(std::max(0.0, m2 - m * m))};
}

}  // namespace anvil::core
