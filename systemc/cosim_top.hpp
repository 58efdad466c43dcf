// cosim_top: the SystemC top of the co-simulation. One clock, one reset, the pcm_array TLM
// target, one ArrayBridge (cosim_bridge.hpp) and one lane per Verilated codec parameterisation
// that the segments need. A lane is the RTL adapter around a Verilated weight_encoder and
// weight_decoder (configuration ports, valid/ready handshakes); the bridge is the array side:
//
//   driver  -> valid_i/code_i -> weight_encoder -> valid_o/dac_o (all cells of a weight)
//   bridge  -> collects a batch of weights filling one parallel group of the array
//              (parallel_columns cells), then one TLM write burst (DAC codes: program) and
//              one TLM read burst (ADC codes: read back) per batch
//           -> FIFO -> valid_i/adc_i -> weight_decoder -> valid_o/code_o -> collector
//
// All lane logic runs in the top's one SC_METHOD on the rising clock edge (no threads, no
// waits), for the active lane only; idle lanes' models get no clock edges (clock gating). Every
// step reads the values before the edge and writes the values after it, as registers do.
// The bridge's registered ready_i to the encoder keeps room in its FIFO (two batches), so the
// path takes one weight per clock in steady state.
//
// Array timing is loosely timed with temporal decoupling: the bridge issues each transaction
// at max(now, array free) and keeps the annotated delay as the array's own time; the array
// never stalls the RTL clock (see CosimResult::array_ns).
//
// The segments are processed in order; before each, the lane's codec tables are written
// through the RTL configuration ports (one entry per cycle, encoder and decoder in parallel).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include <systemc>

#include "systemc/cosim.hpp"
#include "systemc/cosim_bridge.hpp"
#include "systemc/pcm_array.hpp"

namespace anvil::cosim {

class CosimLane;  // defined in cosim_top.cpp, around the Verilated models

class cosim_top : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(cosim_top);
  // Throws anvil::Error when a segment's shape has no Verilated variant.
  cosim_top(sc_core::sc_module_name name, const core::Cell& cell, const core::RandomStream& noise,
            std::span<const CosimSegment> segments, const CosimOptions& options,
            PcmArrayConfig array_config);
  ~cosim_top() override;

  // Opens the waves; call after the zero-time step (sc_start(SC_ZERO_TIME)).
  void open_trace(const std::string& file);
  // final() of the Verilated models, closes the waves.
  void finish();

  bool done() const { return next_segment_ > segments_.size() && active_ == nullptr; }
  const std::string& error() const { return error_; }
  // Upper bound of the simulated time a correct run needs (watchdog).
  sc_core::sc_time time_budget() const;

  std::vector<CosimSegmentResult>& results() { return results_; }
  const pcm_array& array() const { return array_; }
  sc_core::sc_time array_time() const { return bridge_.array_time(); }
  uint64_t cycles() const { return cycles_; }

  // --- used by the lanes ---
  sc_core::sc_signal<bool> rst_n;
  const CosimSegment& segment(size_t i) const { return segments_[i]; }
  ArrayBridge& bridge() { return bridge_; }
  // Called by the active lane when its segment is fully decoded.
  void segment_done(CosimSegmentResult result);

 private:
  void drive_clock();  // the lanes' gated clocks
  void on_clock();     // rising edge: reset sequencing, segment start, the active lane
  void start_next();
  void fail(std::string msg);

  std::span<const CosimSegment> segments_;
  CosimOptions options_;
  sc_core::sc_time period_, high_;
  bool pulse_;  // no waves: the clock falls one delta cycle after it rises
  bool clk_high_ = false;
  sc_core::sc_event rising_;  // on_clock, in the delta cycle of the models' rising edge
  pcm_array array_;
  ArrayBridge bridge_;
  std::vector<std::unique_ptr<CosimLane>> lanes_;
  std::vector<CosimLane*> lane_of_segment_;
  CosimLane* active_ = nullptr;
  size_t next_segment_ = 0;
  uint64_t cycles_ = 0;
  std::vector<CosimSegmentResult> results_;
  std::string error_;
  struct Trace;
  std::unique_ptr<Trace> trace_;
};

}  // namespace anvil::cosim
