// A cell: a channel plus what the array periphery adds around it: write-and-verify
// programming with a pulse budget, stuck-at faults, the read time and the ADC. The
// functional model and the SystemC pcm_array both program and read through this class, keyed
// by the linear cell index, so they produce the same ADC codes for the same seed.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/channel.hpp"
#include "core/random.hpp"

namespace anvil::core {

struct WriteVerify {
  bool enabled = false;
  double tolerance = 0.0;   // accept when |verify read - target| <= tolerance (channel unit)
  uint32_t max_pulses = 1;  // pulse budget per cell (>= 1)
};

struct StuckAt {
  double rate = 0.0;          // probability a cell is stuck, in [0, 1]
  double low_fraction = 0.5;  // of stuck cells, the share stuck at read_min (rest read_max)
};

struct CellSpec {
  uint32_t adc_bits = 6;         // ADC codes 0 .. 2^adc_bits-1 over [read_min, read_max]
  double read_time_s = 86400.0;  // elapsed time between programming and read
  double verify_time_s = 1.0;    // elapsed time at the verify read
  WriteVerify verify;
  StuckAt stuck;
};

struct CellState {
  double stored = 0.0;  // state right after programming (channel unit)
  double nu = 0.0;      // drift exponent
  uint32_t pulses = 0;  // programming pulses spent
  int8_t stuck = 0;     // 0 healthy, -1 stuck at read_min, +1 stuck at read_max
};

class Cell {
 public:
  Cell(std::shared_ptr<const Channel> channel, CellSpec spec);

  const Channel& channel() const { return *channel_; }
  std::shared_ptr<const Channel> channel_ptr() const { return channel_; }
  const CellSpec& spec() const { return spec_; }
  uint32_t adc_codes() const { return 1u << spec_.adc_bits; }

  // Programs one cell (write-verify loop when enabled; pulses counted).
  CellState program(uint32_t dac, const CellNoise& noise) const;
  // Analog read value at t_s after programming (read number n of this cell).
  double read_value(const CellState& s, double t_s, const CellNoise& noise, uint32_t n = 0) const;
  // ADC: read value -> code, clamped to the full-scale range.
  uint32_t quantize(double value) const;
  // Centre of an ADC code's bin, in the channel unit.
  double dequantize(uint32_t adc) const;
  // read_value + quantize at the spec's read time.
  uint32_t read(const CellState& s, const CellNoise& noise, uint32_t n = 0) const {
    return quantize(read_value(s, spec_.read_time_s, noise, n));
  }

  // P(adc | dac) for each listed DAC code at t_s, estimated from `draws` simulated cells per
  // code (program + read through this cell, so write-verify, drift and stuck-at are
  // included), with a fixed calibration seed. Row i is a distribution over adc_codes().
  std::vector<std::vector<double>> transition(std::span<const uint32_t> dacs, double t_s,
                                              uint32_t draws, uint64_t seed) const;

 private:
  std::shared_ptr<const Channel> channel_;
  CellSpec spec_;
};

}  // namespace anvil::core
