// Timing and energy of the analog array's operations, behind one small interface so that a
// proper area/energy model (a later issue) can replace the table without touching the array.
//
// Accuracy note: the default table holds order-of-magnitude figures for a PCM array, not a
// calibrated model of any device. They follow the per-bit PCM array figures used by Lee,
// Ipek, Mutlu and Burger, "Architecting phase change memory as a scalable DRAM alternative"
// (ISCA 2009): array read about 48 ns and 2.5 pJ, array write 40 ns (RESET) to 150 ns (SET) and
// about 17 pJ. One multi-level partial-reset pulse is taken as 100 ns and 10 pJ per cell (the
// brief's figures), a read (sense + ADC) as 50 ns for a group of parallel columns and 2.5 pJ per
// cell. Wong et al., "Phase change memory", Proc. IEEE 98(12), 2010, gives the same ranges.
// tech_pcm_array_cost() takes the figures from the technology files instead (models/tech/, the
// estimators of core/cost.hpp); `anvil cosim` uses it.
#pragma once

#include <memory>
#include <string>

#include "core/array_cost.hpp"
#include "core/cost.hpp"

namespace anvil::cosim {

class PcmArrayCost {
 public:
  virtual ~PcmArrayCost() = default;
  virtual std::string name() const = 0;
  // One programming pulse applied to a group of columns in parallel.
  virtual double pulse_time_ns() const = 0;
  // Energy of one pulse in one cell.
  virtual double pulse_energy_pj() const = 0;
  // One read (sense + ADC conversion) of a group of columns in parallel; also the verify read
  // after each pulse when write-verify is enabled.
  virtual double read_time_ns() const = 0;
  // Energy of one read of one cell.
  virtual double read_energy_pj() const = 0;
};

// Fixed figures (see the accuracy note above for where the defaults come from).
struct PcmArrayCostTable final : PcmArrayCost {
  double pulse_ns = 100.0;
  double pulse_pj = 10.0;
  double read_ns = 50.0;
  double read_pj = 2.5;

  std::string name() const override { return "table"; }
  double pulse_time_ns() const override { return pulse_ns; }
  double pulse_energy_pj() const override { return pulse_pj; }
  double read_time_ns() const override { return read_ns; }
  double read_energy_pj() const override { return read_pj; }
};

inline std::shared_ptr<const PcmArrayCost> default_pcm_array_cost() {
  return std::make_shared<const PcmArrayCostTable>();
}

// The figures of the array model (core::cost_array, as flow/cost prices a scheme): a pulse is
// one partial-RESET pulse (V_write x I_reset x t_reset), a read one access of the array (bit
// line, bus, decoders, conversion: its read latency) and, per cell, the cell read plus one
// conversion. Program energy then equals the functional estimate pulses x (pulse + verify
// read) of flow/cost exactly for the same pulses, and the verify reads take the time the
// functional program time counts.
inline std::shared_ptr<const PcmArrayCost> tech_pcm_array_cost(const core::ArrayCost& array,
                                                               const core::CellEstimator& cell) {
  auto t = std::make_shared<PcmArrayCostTable>();
  t->pulse_ns = cell.reset_ns();
  t->pulse_pj = array.pulse_energy_pj;
  t->read_ns = array.read_latency_ns;
  t->read_pj = array.verify_energy_pj;
  return t;
}

}  // namespace anvil::cosim
