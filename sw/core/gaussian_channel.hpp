// gaussian: the textbook analog channel. DAC code d of `levels` codes writes x = d / (levels-1)
// in [0, 1]; the stored value is y = x + sigma(x) N(0, 1) (programming noise, one draw per
// pulse, so write-verify can tighten it), and a read adds read_sigma N(0, 1). sigma is either
// one constant or a list of values at equally spaced x in [0, 1], linearly interpolated (a list
// of `levels` values gives one sigma per DAC code). No drift.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "core/channel.hpp"

namespace anvil::core {

struct GaussianConfig {
  uint32_t levels = 256;            // DAC codes (>= 2)
  std::vector<double> sigma{0.05};  // programming sigma, constant or level-dependent (>= 0)
  double read_sigma = 0.0;          // read noise sigma (>= 0)
  // Full-scale read range of the ADC. Unset (NaN): [-4 s, 1 + 4 s] with s the largest sigma.
  double read_min = std::numeric_limits<double>::quiet_NaN();
  double read_max = std::numeric_limits<double>::quiet_NaN();
};

class GaussianChannel : public RangedChannel {
 public:
  // Validates `cfg`; errors name `file` and the field (e.g. "gaussian.sigma").
  explicit GaussianChannel(GaussianConfig cfg, const std::string& file = "gaussian");

  const GaussianConfig& config() const { return cfg_; }
  // Programming sigma at x in [0, 1].
  double sigma_at(double x) const;

  std::string kind() const override { return "gaussian"; }
  std::string unit() const override { return "1"; }
  uint32_t dac_codes() const override { return cfg_.levels; }
  double write_setting(uint32_t dac) const override;
  double target(uint32_t dac) const override { return write_setting(dac); }
  double program_pulse(uint32_t dac, const CellNoise& noise, uint32_t pulse) const override;
  double read(double stored, double nu, double t_s, const CellNoise& noise, Draw purpose,
              uint32_t n) const override;
  LevelStats stats(uint32_t dac, double t_s) const override;

 private:
  GaussianConfig cfg_;
};

}  // namespace anvil::core
