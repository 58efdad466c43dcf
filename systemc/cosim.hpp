// run_cosim: the co-simulation of the whole store/read path, from plain C++ (this header
// includes no SystemC or Verilator header, so the CLI and sw/flow need nothing else).
//
//   weight codes -> Verilated weight_encoder (RTL) -> bridge: one TLM write burst per weight
//   (program) and one TLM read burst (read back) -> pcm_array (SystemC TLM-2.0 target, the
//   core::Cell inside) -> bridge -> Verilated weight_decoder (RTL) -> decoded codes
//
// Given the same Cell, CodecParams, base cell and RandomStream, the decoded codes equal
// core::store_and_read's bit for bit (the array keys a cell's noise by its linear index and
// reads each cell once, read number 0, at the cell spec's read time).
//
// SystemC elaborates once per process: run_cosim may be called ONCE per process. Give it every
// segment (tensor, layer, weight group) of the run: one elaboration processes them in order,
// reloading the codec tables through the RTL configuration ports between segments. A second
// call throws anvil::Error.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/cell.hpp"
#include "core/codec.hpp"
#include "core/random.hpp"
#include "systemc/pcm_array_storage.hpp"

namespace anvil::cosim {

// The one name of the waveform option, for every front end (CLI, benches, tests).
inline constexpr const char* kTraceFlag = "--trace";

// Reference cells of a drift-tracking decoder (decode: ref): programmed and read through the
// array before the segment streams, and the decoder tables fitted from their ADC codes by
// `tables` (core::params_from_references), as the controller's firmware would.
struct CosimReferences {
  uint64_t base_cell = 0;      // reference cell j at base_cell + j
  std::vector<uint16_t> dacs;  // DAC code of each; empty = no reference cells
  std::function<core::CodecParams(std::span<const uint32_t> adc)> tables;
};

struct CosimSegment {
  std::string name;                 // for messages and reports (e.g. the tensor name)
  core::CodecParams params;         // validated, shape supported by a built variant
  std::span<const int32_t> codes;   // weight codes; must stay alive during run_cosim
  uint64_t base_cell = 0;           // weight i occupies [base_cell + i * cpw, + cpw)
  CosimReferences references = {};  // with references, their tables replace params' tables
};

struct CosimOptions {
  std::string trace_file;        // "" = no waves; else VCD or FST (cosim_trace_format())
  double clock_period_ns = 2.0;  // RTL clock (500 MHz)
  uint32_t reset_cycles = 2;     // rst_ni low at the start
  // The array; geometry.banks == 0 sizes it to hold every segment (1024 x 1024 cells per
  // bank). Its timing/energy model and drift clock are used as given.
  PcmArrayConfig array = auto_geometry();

  static PcmArrayConfig auto_geometry() {
    PcmArrayConfig c;
    c.geometry.banks = 0;
    return c;
  }
};

struct CosimSegmentResult {
  std::string name;
  std::string variant;                  // Verilated parameterisation used
  std::vector<int32_t> decoded;         // one per input code
  std::vector<uint32_t> reference_adc;  // ADC codes of the reference cells, as read
  uint64_t start_cycle = 0;             // first configuration cycle
  uint64_t cycles = 0;                  // configuration + streaming + pipeline drain
};

struct CosimResult {
  std::vector<CosimSegmentResult> segments;
  uint64_t cycles = 0;        // RTL clock cycles simulated
  double logic_ns = 0.0;      // simulated time of the RTL side (cycles * clock period)
  double array_ns = 0.0;      // simulated time at which the array finished its last operation
  double simulated_ns = 0.0;  // max(logic_ns, array_ns): the store/read path's latency
  PcmArrayGeometry geometry;  // of the array used
  PcmArrayCounters array;     // pulses, reads, energy, busy time
  uint64_t array_errors = 0;  // TLM error responses (0 in a correct run)
  double wall_s = 0.0;        // wall-clock time of the simulation (elaboration included)
  std::string trace_file;     // written waves, "" when none

  uint64_t weights() const {
    uint64_t n = 0;
    for (const auto& s : segments) n += s.decoded.size();
    return n;
  }
};

// Runs every segment in one elaboration. Throws anvil::Error on unsupported shapes, bad
// options, a second call in the same process, a stalled simulation or a TLM error response.
CosimResult run_cosim(const core::Cell& cell, std::span<const CosimSegment> segments,
                      const core::RandomStream& noise, const CosimOptions& options = {});

// One segment (same rules: once per process).
CosimResult run_cosim(const core::Cell& cell, const core::CodecParams& params,
                      std::span<const int32_t> codes, uint64_t base_cell,
                      const core::RandomStream& noise, const CosimOptions& options = {});

// "" when `p` can be co-simulated, else the reason (one line).
std::string cosim_unsupported(const core::CodecParams& p);
// The built parameterisations, one line each ("name: L=16 k=1 r=1 ...").
std::vector<std::string> cosim_variants();
// "vcd" or "fst": what a trace file will contain (fixed at build time, ANVIL_COSIM_TRACE).
const char* cosim_trace_format();
// Whether this build has the Verilated RTL (false: run_cosim throws).
bool cosim_available();

}  // namespace anvil::cosim
