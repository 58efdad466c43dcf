// A channel is the physics of one analog cell: a write setting (DAC code) becomes a stored
// state, and a stored state becomes a read value after some elapsed time. Implementations:
// pcm (statistical PCM model), measured (table of measured samples), gaussian, digital.
// Write-and-verify, stuck-at faults and the ADC are not here: see core/cell.hpp, which wraps
// any channel with them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/random.hpp"

namespace anvil::core {

struct LevelStats {
  double mean = 0.0;  // of the read value, in the channel's unit
  double std = 0.0;
};

class Channel {
 public:
  virtual ~Channel() = default;

  virtual std::string kind() const = 0;  // "pcm", "measured", "gaussian", "digital"
  virtual std::string unit() const = 0;  // unit of read values, e.g. "uS", "log10(ohm)"

  // Number of distinct write settings; DAC codes are 0 .. dac_codes()-1.
  virtual uint32_t dac_codes() const = 0;
  // The physical write setting of a DAC code (target conductance, write voltage, ...).
  virtual double write_setting(uint32_t dac) const = 0;
  // Nominal read value the write aims at (what write-verify compares against).
  virtual double target(uint32_t dac) const = 0;

  // Full-scale range of read values, mapped onto the ADC codes.
  virtual double read_min() const = 0;
  virtual double read_max() const = 0;

  // Stored state after programming pulse number `pulse` (0 = first) aimed at `dac`.
  // Noise comes from Draw::kProgram / Draw::kSample with n = pulse.
  virtual double program_pulse(uint32_t dac, const CellNoise& noise, uint32_t pulse) const = 0;
  // Drift exponent of a cell programmed towards `dac` (one Draw::kDrift draw per cell, so
  // the same whichever pulse the verify loop is at); 0 for channels without drift.
  virtual double drift_exponent(uint32_t dac, const CellNoise& noise) const {
    (void)dac, (void)noise;
    return 0.0;
  }
  // Read value of a stored state `t_s` seconds after programming. Noise from `purpose`
  // (Draw::kRead or Draw::kVerify) with draw number n. By default the stored state itself:
  // channels whose whole spread is in the write (digital, measured) read it back unchanged.
  virtual double read(double stored, double nu, double t_s, const CellNoise& noise, Draw purpose,
                      uint32_t n) const {
    (void)nu, (void)t_s, (void)noise, (void)purpose, (void)n;
    return stored;
  }

  // Mean and spread of the read value of a single-pulse write at `dac`, `t_s` after
  // programming (analytic or tabulated; used for plots, level selection and naive decoding).
  virtual LevelStats stats(uint32_t dac, double t_s) const = 0;
};

// A channel whose read range follows from its configuration (gaussian, measured): the
// constructor sets it once.
class RangedChannel : public Channel {
 public:
  double read_min() const final { return lo_; }
  double read_max() const final { return hi_; }

 protected:
  double lo_ = 0.0, hi_ = 1.0;
};

}  // namespace anvil::core
