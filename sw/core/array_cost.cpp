#include "core/array_cost.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace anvil::core {

namespace {

void check(const ArraySpec& s) {
  require(s.cells > 0, "<array>", "capacity", "must be > 0 cells");
  require(s.rows > 0 && s.cols > 0, "<array>", "rows/cols", "must be > 0");
  require(s.mux >= 1 && s.cols % s.mux == 0, "<array>", "mux", "must divide cols");
  require(s.word_cells >= 1, "<array>", "word_width", "must be >= 1");
  require(s.node_nm > 0.0, "<array>", "node", "must be > 0 nm");
}

}  // namespace

ArrayCost cost_array(const ArraySpec& s, const CostModels& m) {
  check(s);
  ArrayCost c;
  c.spec = s;
  const uint64_t per_sub = uint64_t{s.rows} * s.cols;
  c.subarrays = (s.cells + per_sub - 1) / per_sub;
  const uint32_t circuits = s.cols / s.mux;  // column circuits per subarray
  c.active_subarrays = (s.word_cells + circuits - 1) / circuits;
  require(c.active_subarrays <= c.subarrays, "<array>", "word_width",
          "needs more subarrays than the capacity gives");
  const double subs = static_cast<double>(c.subarrays);
  const double active = c.active_subarrays;
  const double words = s.word_cells;

  ComponentCost cells{"cells", static_cast<double>(s.cells), 0.0, 0.0, 0.0};
  // Whole subarrays are built: the array holds subarrays x rows x cols cells.
  cells.area_um2 = subs * static_cast<double>(per_sub) * m.cell.area_um2(s.node_nm);
  cells.read_energy_pj = words * m.cell.read_energy_pj();
  cells.read_latency_ns = m.cell.sense_ns();

  const LogicCost dec = m.logic.row_decoder(s.rows, s.node_nm);
  ComponentCost decoder{"row_decoder", subs, subs * dec.area_um2, active * dec.energy_pj,
                        dec.delay_ns};
  const LogicCost mx = m.logic.column_mux(circuits, s.mux, s.node_nm);
  ComponentCost mux{"column_mux", subs, subs * mx.area_um2, active * mx.energy_pj, mx.delay_ns};

  ComponentCost adc{s.adc_bits > 1 ? "adc" : "sense_amp", subs * circuits, 0.0, 0.0, 0.0};
  adc.area_um2 = adc.count * m.adc.area_um2(s.adc_bits, s.node_nm);
  adc.read_energy_pj = words * m.adc.energy_pj(s.adc_bits, s.node_nm);
  adc.read_latency_ns = m.adc.conversion_ns(s.adc_bits, s.node_nm);

  // Write drivers sit on the write path only: area here, energy in the pulse.
  const LogicCost drv = m.logic.write_driver(m.cell.reset_current_ua(), s.node_nm);
  ComponentCost driver{"write_driver", subs * circuits, 0.0, 0.0, 0.0};
  driver.area_um2 = driver.count * drv.area_um2;

  c.parts = {cells, decoder, mux, adc, driver};
  c.cell_area_um2 = subs * static_cast<double>(per_sub) * m.cell.area_um2(s.node_nm);
  for (const auto& p : c.parts) {
    c.area_um2 += p.area_um2;
    c.read_energy_pj += p.read_energy_pj;
    c.read_latency_ns += p.read_latency_ns;
  }
  c.efficiency = c.cell_area_um2 / c.area_um2;
  c.cell_read_pj = m.cell.read_energy_pj() + m.adc.energy_pj(s.adc_bits, s.node_nm);
  c.pulse_energy_pj = m.cell.reset_energy_pj();
  c.verify_energy_pj = c.cell_read_pj;
  c.pulse_ns = m.cell.reset_ns() + c.read_latency_ns;
  return c;
}

nlohmann::json to_json(const ArrayCost& c) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : c.parts)
    parts.push_back({{"component", p.component},
                     {"count", p.count},
                     {"area_um2", p.area_um2},
                     {"read_energy_pj", p.read_energy_pj},
                     {"read_latency_ns", p.read_latency_ns}});
  return {{"capacity_cells", c.spec.cells},
          {"word_cells", c.spec.word_cells},
          {"rows", c.spec.rows},
          {"cols", c.spec.cols},
          {"mux", c.spec.mux},
          {"adc_bits", c.spec.adc_bits},
          {"node_nm", c.spec.node_nm},
          {"subarrays", c.subarrays},
          {"active_subarrays", c.active_subarrays},
          {"area_mm2", c.area_um2 * 1e-6},
          {"cell_area_mm2", c.cell_area_um2 * 1e-6},
          {"efficiency", c.efficiency},
          {"read_energy_pj", c.read_energy_pj},
          {"read_latency_ns", c.read_latency_ns},
          {"pulse_energy_pj", c.pulse_energy_pj},
          {"pulse_ns", c.pulse_ns},
          {"components", parts}};
}

}  // namespace anvil::core
