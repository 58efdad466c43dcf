#include "core/cell.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include "core/error.hpp"

namespace anvil::core {

namespace {
// Stream id of the calibration cells used by Cell::transition ("calib" in ASCII), so they
// never share draws with the cells of a store.
constexpr uint64_t kCalibrationStream = 0x63616c6962ull;
}  // namespace

Cell::Cell(std::shared_ptr<const Channel> channel, CellSpec spec)
    : channel_(std::move(channel)), spec_(spec) {
  require(channel_ != nullptr, "cell", "channel", "a cell needs a channel");
  require(spec_.adc_bits >= 1 && spec_.adc_bits <= 16, "cell", "adc_bits", "must be in [1, 16]");
  require(spec_.read_time_s >= 0.0, "cell", "read_time_s", "must be >= 0");
  require(spec_.verify_time_s >= 0.0, "cell", "verify_time_s", "must be >= 0");
  require(spec_.verify.max_pulses >= 1, "cell", "write_verify.max_pulses", "must be >= 1");
  require(spec_.verify.tolerance >= 0.0, "cell", "write_verify.tolerance", "must be >= 0");
  require(spec_.stuck.rate >= 0.0 && spec_.stuck.rate <= 1.0, "cell", "stuck_at.rate",
          "must be in [0, 1]");
  require(spec_.stuck.low_fraction >= 0.0 && spec_.stuck.low_fraction <= 1.0, "cell",
          "stuck_at.low_fraction", "must be in [0, 1]");
  require(channel_->read_max() > channel_->read_min(), "cell", "read range",
          "read_max must exceed read_min");
}

CellState Cell::program(uint32_t dac, const CellNoise& noise) const {
  CellState s;
  // Stuck-at: first kStuck draw decides whether the cell is stuck, the second where.
  if (spec_.stuck.rate > 0.0 && noise.uniform(Draw::kStuck, 0) < spec_.stuck.rate) {
    s.stuck = noise.uniform(Draw::kStuck, 1) < spec_.stuck.low_fraction ? int8_t{-1} : int8_t{1};
  }
  const Channel& ch = *channel_;
  const double target = ch.target(dac);
  const uint32_t budget = spec_.verify.enabled ? std::max(1u, spec_.verify.max_pulses) : 1u;
  // One drift draw per cell, whichever pulse the verify loop stops at.
  s.nu = ch.drift_exponent(dac, noise);
  for (uint32_t p = 0; p < budget; ++p) {
    s.stored = ch.program_pulse(dac, noise, p);
    s.pulses = p + 1;
    if (!spec_.verify.enabled || p + 1 == budget) break;
    // The verify read sees what a later read would see at verify_time_s: drift and read noise
    // (its own draw per pulse). A stuck cell verifies as its stuck value and so spends the
    // whole pulse budget, as a real array would.
    double v;
    if (s.stuck != 0) {
      v = s.stuck < 0 ? ch.read_min() : ch.read_max();
    } else {
      v = ch.read(s.stored, s.nu, spec_.verify_time_s, noise, Draw::kVerify, p);
    }
    if (std::abs(v - target) <= spec_.verify.tolerance) break;
  }
  return s;
}

double Cell::read_value(const CellState& s, double t_s, const CellNoise& noise, uint32_t n) const {
  if (s.stuck < 0) return channel_->read_min();
  if (s.stuck > 0) return channel_->read_max();
  return channel_->read(s.stored, s.nu, t_s, noise, Draw::kRead, n);
}

uint32_t Cell::quantize(double value) const {
  const double lo = channel_->read_min(), hi = channel_->read_max();
  const uint32_t codes = adc_codes();
  if (std::isnan(value)) return 0;
  const double x = (value - lo) / (hi - lo) * static_cast<double>(codes);
  if (x <= 0.0) return 0;
  if (x >= static_cast<double>(codes - 1)) return codes - 1;
  return static_cast<uint32_t>(x);
}

double Cell::dequantize(uint32_t adc) const {
  const double lo = channel_->read_min(), hi = channel_->read_max();
  const uint32_t a = std::min(adc, adc_codes() - 1);
  return lo + (static_cast<double>(a) + 0.5) * (hi - lo) / static_cast<double>(adc_codes());
}

std::vector<std::vector<double>> Cell::transition(std::span<const uint32_t> dacs, double t_s,
                                                  uint32_t draws, uint64_t seed) const {
  require(draws >= 1, "cell", "transition.draws", "must be >= 1");
  const RandomStream calib(seed, kCalibrationStream);
  const uint32_t codes = adc_codes();
  std::vector<std::vector<double>> rows(dacs.size(), std::vector<double>(codes, 0.0));
  // Each row depends only on (seed, DAC code): cell k of code d is index (d << 32) | k, so a
  // row is the same whichever thread computes it and whichever other codes are listed.
  auto fill = [&](size_t i) {
    std::vector<uint64_t> count(codes, 0);
    const uint64_t base = static_cast<uint64_t>(dacs[i]) << 32;
    for (uint32_t k = 0; k < draws; ++k) {
      const CellNoise n(calib, base | k);
      const CellState s = program(dacs[i], n);
      ++count[quantize(read_value(s, t_s, n, 0))];
    }
    for (uint32_t a = 0; a < codes; ++a) {
      rows[i][a] = static_cast<double>(count[a]) / static_cast<double>(draws);
    }
  };
  const size_t work = dacs.size() * static_cast<size_t>(draws);
  const size_t threads = std::min<size_t>(
      {std::max(1u, std::thread::hardware_concurrency()), dacs.size(), work / 20000 + 1});
  if (threads <= 1) {
    for (size_t i = 0; i < dacs.size(); ++i) fill(i);
    return rows;
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = t; i < dacs.size(); i += threads) fill(i);
    });
  }
  for (auto& th : pool) th.join();
  return rows;
}

}  // namespace anvil::core
