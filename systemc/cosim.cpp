#include "systemc/cosim.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>

#include "core/error.hpp"
#include "systemc/cosim_top.hpp"

#if ANVIL_HAVE_RTL
#include <verilated.h>
#endif

// libsystemc's main() needs this symbol; anvil calls run_cosim from its own main instead, so
// it is never invoked.
int sc_main(int, char*[]) {
  return 1;
}

namespace anvil::cosim {

namespace {

// The array used: as configured, or sized to hold every segment.
PcmArrayConfig array_config(const CosimOptions& o, std::span<const CosimSegment> segments) {
  PcmArrayConfig c = o.array;
  uint64_t need = 0;
  for (const auto& s : segments) {
    const uint64_t cells = uint64_t{core::cells_per_weight(s.params)} * s.codes.size();
    require(s.base_cell <= ~uint64_t{0} - cells, "cosim", "segment '" + s.name + "'.base_cell",
            "cell range overflows 64 bits");
    need = std::max(need, s.base_cell + cells);
    const auto& ref = s.references;
    if (!ref.dacs.empty()) {
      require(static_cast<bool>(ref.tables), "cosim", "segment '" + s.name + "'.references",
              "reference cells need a table builder");
      require(ref.base_cell <= ~uint64_t{0} - ref.dacs.size(), "cosim",
              "segment '" + s.name + "'.references.base_cell", "cell range overflows 64 bits");
      need = std::max(need, ref.base_cell + ref.dacs.size());
    }
  }
  if (c.geometry.banks == 0) {
    const uint64_t per_bank = uint64_t{c.geometry.rows} * c.geometry.columns;
    require(per_bank > 0, "cosim", "pcm_array.geometry", "rows and columns must be >= 1");
    c.geometry.banks =
        static_cast<uint32_t>(std::max<uint64_t>(1, (need + per_bank - 1) / per_bank));
  }
  require(need <= c.geometry.cells(), "cosim", "pcm_array.geometry",
          "the segments need " + std::to_string(need) + " cells, the array has " +
              std::to_string(c.geometry.cells()));
  return c;
}

}  // namespace

CosimResult run_cosim(const core::Cell& cell, std::span<const CosimSegment> segments,
                      const core::RandomStream& noise, const CosimOptions& options) {
  require(cosim_available(), "cosim", "rtl",
          "this build has no Verilated RTL (rtl/weight_encoder.sv, rtl/weight_decoder.sv)");
  require(options.clock_period_ns > 0.0, "cosim", "clock_period_ns", "must be > 0");
  require(options.reset_cycles >= 1, "cosim", "reset_cycles", "must be >= 1");
  for (const auto& s : segments) {
    require(s.params.adc_bits == cell.spec().adc_bits, "cosim", "segment '" + s.name + "'.adc_bits",
            "must equal the cell's adc_bits (" + std::to_string(cell.spec().adc_bits) + ")");
    const std::string why = cosim_unsupported(s.params);
    require(why.empty(), "cosim", "segment '" + s.name + "'", why);
  }
  const PcmArrayConfig array_cfg = array_config(options, segments);

  static std::atomic<bool> elaborated{false};
  require(!elaborated.exchange(true), "cosim", "run_cosim",
          "SystemC elaborates once per process: pass every segment to one run_cosim call");

  const auto t0 = std::chrono::steady_clock::now();
  // No SystemC banner on stdout (reports may be written there).
  setenv("SYSC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
#if ANVIL_HAVE_RTL
  // Before any model: tracing must be known at the first evaluation.
  if (!options.trace_file.empty()) Verilated::traceEverOn(true);
#endif
  // sc_stop() ends every run; its info report is not news.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                          sc_core::SC_DO_NOTHING);
  cosim_top top("top", cell, noise, segments, options, array_cfg);
  // One zero-time step so SystemC binds everything before the waves are opened.
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  if (!options.trace_file.empty()) top.open_trace(options.trace_file);
  sc_core::sc_start(top.time_budget());
  top.finish();
  const bool stalled = !top.done() && top.error().empty();

  CosimResult r;
  r.segments = std::move(top.results());
  r.cycles = top.cycles();
  r.logic_ns = static_cast<double>(r.cycles) * options.clock_period_ns;
  r.array_ns = top.array_time().to_seconds() * 1e9;
  r.simulated_ns = std::max(r.logic_ns, r.array_ns);
  r.geometry = array_cfg.geometry;
  r.array = top.array().counters();
  r.array_errors = top.array().errors();
  r.trace_file = options.trace_file;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  require(top.error().empty(), "cosim", "pcm_array", top.error());
  require(!stalled, "cosim", "run_cosim",
          "simulation stalled after " + std::to_string(r.cycles) + " cycles (" +
              std::to_string(r.segments.size()) + " of " + std::to_string(segments.size()) +
              " segments done)");
  return r;
}

CosimResult run_cosim(const core::Cell& cell, const core::CodecParams& params,
                      std::span<const int32_t> codes, uint64_t base_cell,
                      const core::RandomStream& noise, const CosimOptions& options) {
  const CosimSegment seg{"weights", params, codes, base_cell};
  return run_cosim(cell, std::span<const CosimSegment>(&seg, 1), noise, options);
}

}  // namespace anvil::cosim
