#include "core/gaussian_channel.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace anvil::core {

GaussianChannel::GaussianChannel(GaussianConfig cfg, const std::string& file)
    : cfg_(std::move(cfg)) {
  require(cfg_.levels >= 2, file, "gaussian.levels", "must be >= 2");
  require(!cfg_.sigma.empty(), file, "gaussian.sigma", "must be a number or a non-empty list");
  for (size_t i = 0; i < cfg_.sigma.size(); ++i) {
    std::string field = "gaussian.sigma";
    if (cfg_.sigma.size() > 1) {
      field += '[';
      field += std::to_string(i);
      field += ']';
    }
    require(std::isfinite(cfg_.sigma[i]) && cfg_.sigma[i] >= 0.0, file, field,
            "must be a finite number >= 0");
  }
  require(std::isfinite(cfg_.read_sigma) && cfg_.read_sigma >= 0.0, file, "gaussian.read_sigma",
          "must be a finite number >= 0");
  const double s =
      std::max(*std::max_element(cfg_.sigma.begin(), cfg_.sigma.end()), cfg_.read_sigma);
  lo_ = std::isnan(cfg_.read_min) ? -4.0 * s : cfg_.read_min;
  hi_ = std::isnan(cfg_.read_max) ? 1.0 + 4.0 * s : cfg_.read_max;
  require(std::isfinite(lo_) && std::isfinite(hi_) && hi_ > lo_, file, "gaussian.read_range",
          "must be finite with read_max > read_min");
}

double GaussianChannel::sigma_at(double x) const {
  const auto& s = cfg_.sigma;
  if (s.size() == 1) return s[0];
  const double pos = std::clamp(x, 0.0, 1.0) * static_cast<double>(s.size() - 1);
  const size_t i = std::min(static_cast<size_t>(pos), s.size() - 2);
  const double f = pos - static_cast<double>(i);
  return s[i] + f * (s[i + 1] - s[i]);
}

double GaussianChannel::write_setting(uint32_t dac) const {
  return static_cast<double>(std::min(dac, cfg_.levels - 1)) / static_cast<double>(cfg_.levels - 1);
}

double GaussianChannel::program_pulse(uint32_t dac, const CellNoise& noise, uint32_t pulse) const {
  const double x = write_setting(dac);
  return x + sigma_at(x) * noise.normal(Draw::kProgram, pulse);
}

double GaussianChannel::read(double stored, double nu, double t_s, const CellNoise& noise,
                             Draw purpose, uint32_t n) const {
  (void)nu, (void)t_s;
  if (cfg_.read_sigma == 0.0) return stored;
  return stored + cfg_.read_sigma * noise.normal(purpose, n);
}

LevelStats GaussianChannel::stats(uint32_t dac, double t_s) const {
  (void)t_s;
  const double x = write_setting(dac);
  const double s = sigma_at(x);
  return {x, std::sqrt(s * s + cfg_.read_sigma * cfg_.read_sigma)};
}

}  // namespace anvil::core
