// The storage seam: how the codes of an allocation are stored in cells and read back for one
// Monte Carlo trial. flow's evaluators take a backend; the CLI injects the co-simulation one
// (systemc/cosim_backend.hpp), so that flow never links SystemC or the Verilated RTL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/allocation.hpp"
#include "core/cell.hpp"
#include "core/codec.hpp"
#include "core/random.hpp"
#include "flow/cost.hpp"

namespace anvil::flow {

// What one trial of a backend returns.
struct BackendTrial {
  std::vector<std::vector<int32_t>> decoded;  // per allocation segment, one per code
  uint64_t cycles = 0;                        // RTL clock cycles simulated
  uint64_t pulses = 0;                        // programming pulses the array counted
  uint64_t reads = 0;                         // cells read
  double simulated_ns = 0;                    // latency of the store/read path
  double energy_pj = 0;                       // array energy (programming + reads)
  double program_energy_pj = 0;               // pulses and verify reads, as the array counted
  double wall_s = 0;
};

class StorageBackend {
 public:
  virtual ~StorageBackend() = default;
  // Once per scheme, before its trials: the array the scheme's cells sit in, as flow/cost
  // prices it (pulse and verify-read energy, read latency of one access), so that the
  // co-simulated array and the functional estimate share one model.
  virtual void set_array(const CostTech& tech, const core::ArrayCost& array) = 0;
  // Energy of one programming pulse with its verify read (when the cell verifies), as priced.
  virtual double pulse_energy_pj(const core::Cell& cell) const = 0;
  // "" if the backend can store every segment of `a`, else why not.
  virtual std::string unsupported(const core::Allocation& a) const = 0;
  // Stores and reads back every segment of `a` with this trial's noise (names: the tensor of
  // each segment, for messages and waveforms).
  virtual BackendTrial store_and_read(const core::Cell& cell, const core::Allocation& a,
                                      const std::vector<std::string>& names,
                                      const core::RandomStream& noise,
                                      const std::string& trace_file) = 0;
};

}  // namespace anvil::flow
