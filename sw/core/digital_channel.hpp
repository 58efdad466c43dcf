// digital: an SLC/MLC cell for the digital baselines. `levels` symbols (2 = SLC, 4 = 2-bit
// MLC, ...); writing symbol i stores symbol j with probability P(j | i). P is given either
//   - directly: `transition` (levels x levels, rows sum to 1), or `error_rate` (one value or one
//     per level: the symbol-error probability, split evenly between the adjacent levels), or
//   - derived from a Gaussian level spread `sigma` (in units of the level spacing): level i
//     reads as i + sigma N and is detected by midpoint thresholds.
// The read value is the stored level index 0 .. levels-1; the read range [-0.5, levels-0.5]
// puts each level in the middle of its own ADC bins (adc_bits >= log2 levels reads exactly).
#pragma once

#include <string>
#include <vector>

#include "core/channel.hpp"

namespace anvil::core {

struct DigitalConfig {
  uint32_t levels = 2;
  double sigma = -1.0;                          // Gaussian level spread (< 0: not given)
  std::vector<double> error_rate;               // per-level symbol error probability
  std::vector<std::vector<double>> transition;  // P(j | i), rows i
};

class DigitalChannel : public Channel {
 public:
  // Exactly one of sigma / error_rate / transition may be given; none = error-free.
  explicit DigitalChannel(DigitalConfig cfg, const std::string& file = "digital");

  const std::vector<std::vector<double>>& symbol_transition() const { return p_; }
  // Raw symbol error rate of level i (1 - P(i | i)), and averaged over equiprobable levels.
  double symbol_error_rate(uint32_t i) const { return 1.0 - p_[i][i]; }
  double mean_symbol_error_rate() const;

  std::string kind() const override { return "digital"; }
  std::string unit() const override { return "level"; }
  uint32_t dac_codes() const override { return static_cast<uint32_t>(p_.size()); }
  double write_setting(uint32_t dac) const override { return static_cast<double>(clamp(dac)); }
  double target(uint32_t dac) const override { return static_cast<double>(clamp(dac)); }
  double read_min() const override { return -0.5; }
  double read_max() const override { return static_cast<double>(p_.size()) - 0.5; }
  double program_pulse(uint32_t dac, const CellNoise& noise, uint32_t pulse) const override;
  LevelStats stats(uint32_t dac, double t_s) const override;

 private:
  uint32_t clamp(uint32_t d) const {
    return d < p_.size() ? d : static_cast<uint32_t>(p_.size() - 1);
  }
  std::vector<std::vector<double>> p_;
};

}  // namespace anvil::core
