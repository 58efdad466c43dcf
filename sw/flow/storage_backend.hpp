// The storage seam: how the codes of an allocation are stored in cells and read back for one
// Monte Carlo trial. flow's evaluator (flow/evaluate.hpp) takes a backend: the functional one
// below (core::read_back), or the co-simulation one the CLI injects
// (systemc/cosim_backend.hpp), so that flow never links SystemC or the Verilated RTL.
#pragma once

#include <cstdint>
#include <optional>
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
  uint64_t stuck = 0;                         // cells found stuck (functional model only)
  uint64_t reads = 0;                         // cells read
  double simulated_ns = 0;                    // latency of the store/read path
  double energy_pj = 0;                       // array energy (programming + reads)
  double program_energy_pj = 0;               // pulses and verify reads, as the array counted
  double wall_s = 0;
  // Adds the counters (not the codes): a scheme's totals over its trials.
  BackendTrial& operator+=(const BackendTrial& o);
};

class StorageBackend {
 public:
  virtual ~StorageBackend() = default;
  // Whether trials are simulated hardware (cycles, simulated time, array energy to report).
  virtual bool simulated() const = 0;
  // Once per scheme, before its trials: the array the scheme's cells sit in, as flow/cost
  // prices it (pulse and verify-read energy, read latency of one access), so that the
  // co-simulated array and the functional estimate share one model.
  virtual void set_array(const CostTech& tech, const core::ArrayCost& array) = 0;
  // Energy of one programming pulse with its verify read (when the cell verifies), as the
  // backend's array prices it; none for a backend without an array model.
  virtual std::optional<double> pulse_energy_pj(const core::Cell& cell) const = 0;
  // "" if the backend can store every segment of `a`, else why not.
  virtual std::string unsupported(const core::Allocation& a) const = 0;
  // Stores and reads back every segment of `a` with this trial's noise (names: the tensor of
  // each segment, for messages and waveforms).
  virtual BackendTrial store_and_read(const core::Cell& cell, const core::Allocation& a,
                                      const std::vector<std::string>& names,
                                      const core::RandomStream& noise,
                                      const std::string& trace_file) = 0;
};

// The functional model: core::read_back, the golden path every other backend is held to.
class FunctionalBackend final : public StorageBackend {
 public:
  explicit FunctionalBackend(int threads) : threads_(threads) {}
  bool simulated() const override { return false; }
  void set_array(const CostTech&, const core::ArrayCost&) override {}
  std::optional<double> pulse_energy_pj(const core::Cell&) const override { return {}; }
  std::string unsupported(const core::Allocation&) const override { return ""; }
  BackendTrial store_and_read(const core::Cell& cell, const core::Allocation& a,
                              const std::vector<std::string>& names,
                              const core::RandomStream& noise,
                              const std::string& trace_file) override;

 private:
  int threads_;
};

}  // namespace anvil::flow
