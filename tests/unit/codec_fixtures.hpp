// Shared helpers of the codec-side unit tests (codec_tables, redundancy, allocation,
// footprint): cells on a Gaussian channel, and a drifting test channel.
#pragma once

#include <cmath>
#include <memory>

#include "core/cell.hpp"
#include "core/channel.hpp"
#include "core/gaussian_channel.hpp"

namespace anvil::test {

// A Gaussian cell: `dacs` DAC codes over [0, 1], programming sigma `sigma`, `adc_bits` ADC.
inline core::Cell gaussian_cell(double sigma, uint32_t dacs = 256, uint32_t adc_bits = 6) {
  core::GaussianConfig g;
  g.levels = dacs;
  g.sigma = {sigma};
  core::CellSpec spec;
  spec.adc_bits = adc_bits;
  return core::Cell(std::make_shared<core::GaussianChannel>(g), spec);
}

// A channel whose read value drifts multiplicatively: y(t) = (x + sigma N) (t / t0)^-nu for
// t > t0, the shape of PCM conductance drift without its level dependence. The nominal
// (as-programmed) response is the verify-time one, t = t0 = 1 s.
class DriftChannel : public core::Channel {
 public:
  DriftChannel(double sigma, double nu) : sigma_(sigma), nu_(nu) {}
  std::string kind() const override { return "drift-test"; }
  std::string unit() const override { return "1"; }
  uint32_t dac_codes() const override { return 256; }
  double write_setting(uint32_t dac) const override { return dac / 255.0; }
  double target(uint32_t dac) const override { return write_setting(dac); }
  double read_min() const override { return -0.25; }
  double read_max() const override { return 1.25; }
  double program_pulse(uint32_t dac, const core::CellNoise& n, uint32_t pulse) const override {
    return write_setting(dac) + sigma_ * n.normal(core::Draw::kProgram, pulse);
  }
  double drift_exponent(uint32_t, const core::CellNoise&) const override { return nu_; }
  double read(double stored, double nu, double t_s, const core::CellNoise&, core::Draw,
              uint32_t) const override {
    return stored * factor(t_s, nu);
  }
  core::LevelStats stats(uint32_t dac, double t_s) const override {
    const double f = factor(t_s, nu_);
    return {write_setting(dac) * f, sigma_ * f};
  }

 private:
  static double factor(double t_s, double nu) { return std::pow(std::max(t_s, 1.0), -nu); }
  double sigma_, nu_;
};

inline core::Cell drift_cell(double sigma, double nu, double read_time_s = 86400.0) {
  core::CellSpec spec;
  spec.adc_bits = 7;
  spec.read_time_s = read_time_s;
  spec.verify_time_s = 1.0;
  return core::Cell(std::make_shared<DriftChannel>(sigma, nu), spec);
}

}  // namespace anvil::test
