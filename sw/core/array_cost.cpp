#include "core/array_cost.hpp"

#include <algorithm>
#include <cmath>

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

// Bit lines and the global data bus: Elmore delay of the cell's low-resistance path (cell +
// access transistor, R_p) driving the bit line (C_bl, R_bl) and then the bus (C_g, R_g):
// t = ln 2 x [R_p (C_bl + C_g) + R_bl (C_bl / 2 + C_g) + R_g C_g / 2], split as the bit line's
// share (terms in C_bl) and the bus's. Energy: every bit line of the active subarrays and
// every data line of the bus moves between the precharge level V and the level the read
// current develops on the low-resistance path, V_on = I_read R_p: C (V^2 - V_on^2) each (as
// NVSim's SubArray.cpp counts it); the address lines of the bus swing fully, C V^2.
void add_read_path(const ArraySpec& s, const CostModels& m, double side_um, ArrayCost& c,
                   ComponentCost& bitlines, ComponentCost& bus) {
  const ReadPathEstimator& p = m.path;
  const double bl_um = s.rows * m.cell.height_um(s.node_nm);
  c.bitline_cap_ff = p.wire_cap_ff(bl_um) + s.rows * 0.5 * p.access_drain_cap_ff(s.node_nm);
  const double r_bl = p.wire_res_ohm(bl_um, s.node_nm);
  c.bus_length_um = side_um;
  c.bus_cap_ff = p.wire_cap_ff(side_um);
  const double r_g = p.wire_res_ohm(side_um, s.node_nm);
  c.path_res_ohm = p.path_res_ohm(s.node_nm);
  const double v = p.supply_v();
  c.bitline_low_v = m.cell.read_current_ua() * 1e-6 * c.path_res_ohm;
  require(v - c.bitline_low_v >= p.sense_margin_v(), "<array>", "node",
          "read current x (cell + access transistor) resistance leaves less than the sense "
          "margin below the supply at this node (NVSim: no valid solution)");
  const double ln2 = std::log(2.0), ff_ohm_to_ns = 1e-6;
  bitlines.read_latency_ns = ln2 * (c.path_res_ohm + 0.5 * r_bl) * c.bitline_cap_ff * ff_ohm_to_ns;
  bus.read_latency_ns = ln2 * (c.path_res_ohm + r_bl + 0.5 * r_g) * c.bus_cap_ff * ff_ohm_to_ns;
  const double swing_v2 = v * v - c.bitline_low_v * c.bitline_low_v;
  const double columns = static_cast<double>(c.active_subarrays) * s.cols;
  bitlines.count = static_cast<double>(c.subarrays) * s.cols;
  bitlines.read_energy_pj = columns * c.bitline_cap_ff * swing_v2 * 1e-3;
  const uint64_t words = (s.cells + s.word_cells - 1) / s.word_cells;
  const double address_bits = ceil_log2(words);
  bus.count = s.word_cells + address_bits;
  bus.read_energy_pj = (s.word_cells * swing_v2 + address_bits * v * v) * c.bus_cap_ff * 1e-3;
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

  // The bus runs over the array on upper metal (no silicon area, as in NVSim): its length is
  // the side of the square the cells and periphery occupy, the farthest subarray's distance
  // to the column circuits at the edge.
  const double silicon_um2 =
      cells.area_um2 + decoder.area_um2 + mux.area_um2 + adc.area_um2 + driver.area_um2;
  ComponentCost bitlines{"bitlines", 0.0, 0.0, 0.0, 0.0};
  ComponentCost bus{"global_bus", 0.0, 0.0, 0.0, 0.0};
  add_read_path(s, m, std::sqrt(silicon_um2), c, bitlines, bus);

  c.parts = {cells, bitlines, bus, decoder, mux, adc, driver};
  c.cell_area_um2 = cells.area_um2;
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

double ArrayCost::part(const std::string& component, double ComponentCost::*field) const {
  double v = 0.0;
  for (const auto& p : parts)
    if (p.component == component) v += p.*field;
  return v;
}

// The members written under their own names (nlohmann::json sorts its keys, so the order of
// the lists is free). Defined here only: to_json(const ArrayCost&) adds the other keys.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ComponentCost, component, count, area_um2, read_energy_pj,
                                   read_latency_ns)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ArraySpec, word_cells, rows, cols, mux, adc_bits, node_nm)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ArrayCost, subarrays, active_subarrays, efficiency,
                                   read_energy_pj, read_latency_ns, pulse_energy_pj, bitline_cap_ff,
                                   bus_length_um, bus_cap_ff, bitline_low_v, pulse_ns)

nlohmann::json to_json(const ArrayCost& c) {
  nlohmann::json j = c;
  j.update(c.spec);
  j.update({{"capacity_cells", c.spec.cells},
            {"area_mm2", c.area_um2 * 1e-6},
            {"cell_area_mm2", c.cell_area_um2 * 1e-6},
            {"read_path_res_ohm", c.path_res_ohm},
            {"components", c.parts}});
  return j;
}

}  // namespace anvil::core
