// Cost estimators (core/cost) and the array model (core/array_cost) against hand-computed
// values. Logic uses a synthetic library with round numbers so every figure below can be
// checked with a pocket calculator; the cell and ADC use the shipped files (NVSim's sample
// PCRAM cell; the ISAAC / Kull et al. 8-bit SAR ADC).
#define BOOST_TEST_MODULE cost_estimators
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>

#include "core/array_cost.hpp"
#include "core/cost.hpp"
#include "core/error.hpp"
#include "core/tech.hpp"

namespace tt = boost::test_tools;
using namespace anvil::core;

namespace {

const std::string kDir = std::string(ANVIL_SOURCE_DIR) + "/models/tech/";

const char* const kLogic = R"(tech:
  kind: logic
  values:
    node:          {value: 180, unit: nm,    source: test}
    nand2_area:    {value: 10,  unit: um2,   source: test}
    inv_area:      {value: 5,   unit: um2,   source: test}
    dff_area:      {value: 20,  unit: um2,   source: test}
    gate_energy:   {value: 10,  unit: fJ,    source: test}
    gate_delay:    {value: 100, unit: ps,    source: test}
    drive_current: {value: 500, unit: uA/um, source: test}
)";

// Read path with round numbers: at 100 nm a 2F access transistor is 0.2 um wide, R = 2 x 1 V
// / (500 uA/um x 0.2 um) = 20 kOhm, its drain 1 fF/um x 0.2 um = 0.2 fF.
const char* const kPath = R"(tech:
  kind: read_path
  values:
    node:               {value: 100,  unit: nm,     source: test}
    wire_capacitance:   {value: 0.2,  unit: fF/um,  source: test}
    wire_resistance:    {value: 1,    unit: ohm/um, source: test}
    drain_capacitance:  {value: 1,    unit: fF/um,  source: test}
    supply_voltage:     {value: 1,    unit: V,      source: test}
    on_current:         {value: 500,  unit: uA/um,  source: test}
    resistance_factor:  {value: 2,    unit: "1",    source: test}
    cell_on_resistance: {value: 1000, unit: ohm,    source: test}
    access_width:       {value: 2,    unit: F,      source: test}
    sense_margin:       {value: 100,  unit: mV,     source: test}
)";

struct Fixture {
  NodeScaling scaling = NodeScaling::from(load_tech(kDir + "scaling.yaml", "scaling"));
  PcmCellEstimator cell{load_tech(kDir + "pcm_cell.yaml", "pcm_cell")};
  SarAdcEstimator adc{load_tech(kDir + "adc.yaml", "adc"), scaling};
  StdCellLogicEstimator logic{parse_tech_text(kLogic, "logic.yaml", "logic"), scaling};
  ReadPathEstimator path{parse_tech_text(kPath, "read_path.yaml", "read_path"), scaling};
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(estimators, Fixture)

BOOST_AUTO_TEST_CASE(node_scaling_is_dennard_area_delay_and_linear_energy) {
  BOOST_TEST(scaling.area(100.0, 180.0, 90.0) == 25.0, tt::tolerance(1e-12));
  BOOST_TEST(scaling.delay(100.0, 180.0, 90.0) == 50.0, tt::tolerance(1e-12));
  BOOST_TEST(scaling.energy(100.0, 180.0, 90.0) == 50.0, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(pcm_cell_area_and_pulse_energy) {
  BOOST_TEST(cell.area_um2(90.0) == 9 * 0.09 * 0.09, tt::tolerance(1e-12));  // 0.0729
  BOOST_TEST(cell.area_um2(45.0) == 0.018225, tt::tolerance(1e-12));
  BOOST_TEST(cell.reset_energy_pj() == 21.6, tt::tolerance(1e-12));  // 1.8 V x 300 uA x 40 ns
  BOOST_TEST(cell.set_energy_pj() == 40.5, tt::tolerance(1e-12));    // 1.8 V x 150 uA x 150 ns
  BOOST_TEST(cell.read_energy_pj() == 2.0);
  BOOST_TEST(cell.reset_ns() == 40.0);
  BOOST_TEST(!cell.accuracy_note().empty());
}

BOOST_AUTO_TEST_CASE(sar_adc_against_resolution_and_node) {
  // 2 mW / 1.28 GS/s = 1.5625 pJ at 8 bits, 32 nm.
  BOOST_TEST(adc.energy_pj(8, 32.0) == 1.5625, tt::tolerance(1e-12));
  BOOST_TEST(adc.energy_pj(6, 32.0) == 0.390625, tt::tolerance(1e-12));
  BOOST_TEST(adc.energy_pj(6, 90.0) == 0.390625 * 90.0 / 32.0, tt::tolerance(1e-12));
  BOOST_TEST(adc.area_um2(8, 32.0) == 1200.0, tt::tolerance(1e-12));
  BOOST_TEST(adc.area_um2(6, 90.0) == 300.0 * (90.0 / 32.0) * (90.0 / 32.0), tt::tolerance(1e-12));
  BOOST_TEST(adc.conversion_ns(8, 32.0) == 0.78125, tt::tolerance(1e-12));
  BOOST_TEST(adc.conversion_ns(4, 64.0) == 0.78125,
             tt::tolerance(1e-12));  // half the bits, 2x node
  BOOST_TEST(adc.energy_pj(0, 90.0) == 0.0);
  BOOST_TEST(!adc.accuracy_note().empty());
}

BOOST_AUTO_TEST_CASE(row_decoder_column_mux_driver_gates) {
  // 512 rows: 9 address bits, 2 predecoders of 5 bits (64 lines of 5 NAND2 each); per row
  // one NAND2 + 3 INV = 25 um^2: 512 x 25 + 64 x 5 x 10 = 12800 + 3200 um^2.
  const LogicCost d = logic.row_decoder(512, 180.0);
  BOOST_TEST(d.area_um2 == 16000.0, tt::tolerance(1e-12));
  // 8 + 2 x 2 x 5 + 2 x 2 x (512 / 32) / 4 = 8 + 20 + 16 = 44 gate energies of 10 fJ.
  BOOST_TEST(d.energy_pj == 0.44, tt::tolerance(1e-12));
  BOOST_TEST(d.delay_ns == 0.8, tt::tolerance(1e-12));  // (ceil(log2 5) + 5) x 100 ps
  const LogicCost d90 = logic.row_decoder(512, 90.0);
  BOOST_TEST(d90.area_um2 == 4000.0, tt::tolerance(1e-12));
  BOOST_TEST(d90.energy_pj == 0.22, tt::tolerance(1e-12));
  const LogicCost m = logic.column_mux(64, 8, 180.0);
  BOOST_TEST(m.area_um2 == 64 * 8 * 2.5 + 24 * 10.0, tt::tolerance(1e-12));  // 1520
  BOOST_TEST(m.energy_pj == 0.7, tt::tolerance(1e-12));
  BOOST_TEST(logic.column_mux(64, 1, 180.0).area_um2 == 0.0);
  // 300 uA / 500 uA/um = 0.6 um; 3 x 0.6 x 4F at 90 nm.
  BOOST_TEST(logic.write_driver(300.0, 90.0).area_um2 == 3 * 0.6 * 4 * 0.09, tt::tolerance(1e-12));
  const LogicCost g = logic.gates(100.0, 90.0);
  BOOST_TEST(g.area_um2 == 250.0, tt::tolerance(1e-12));
  BOOST_TEST(g.energy_pj == 0.5, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(read_path_wires_and_access_device) {
  BOOST_TEST(path.wire_cap_ff(100.0) == 20.0, tt::tolerance(1e-12));
  BOOST_TEST(path.wire_res_ohm(100.0, 100.0) == 100.0, tt::tolerance(1e-12));
  BOOST_TEST(path.wire_res_ohm(100.0, 50.0) == 400.0, tt::tolerance(1e-12));  // x (100/50)^2
  BOOST_TEST(path.access_drain_cap_ff(100.0) == 0.2, tt::tolerance(1e-12));
  BOOST_TEST(path.access_res_ohm(100.0) == 20000.0, tt::tolerance(1e-12));
  BOOST_TEST(path.access_res_ohm(50.0) == 40000.0, tt::tolerance(1e-12));  // half as wide
  BOOST_TEST(path.path_res_ohm(100.0) == 21000.0, tt::tolerance(1e-12));
  BOOST_TEST(path.sense_margin_v() == 0.1, tt::tolerance(1e-12));
  BOOST_TEST(cell.height_um(100.0) == 0.3, tt::tolerance(1e-12));  // sqrt(9 x 1) F
  BOOST_TEST(cell.read_current_ua() == 40.0);
  BOOST_TEST(!path.accuracy_note().empty());
}

BOOST_AUTO_TEST_CASE(array_composition) {
  ArraySpec s;
  s.cells = 4ull * 512 * 512;
  s.word_cells = 128;
  s.adc_bits = 1;
  s.node_nm = 100.0;
  const ArrayCost c = cost_array(s, {cell, adc, logic, path});
  BOOST_TEST(c.subarrays == 4u);
  BOOST_TEST(c.active_subarrays == 2u);  // 64 column circuits per subarray
  BOOST_TEST(c.cell_area_um2 == 1048576 * 0.09, tt::tolerance(1e-9));
  double sum = 0.0, energy = 0.0, latency = 0.0;
  for (const auto& p : c.parts) {
    sum += p.area_um2;
    energy += p.read_energy_pj;
    latency += p.read_latency_ns;
  }
  BOOST_TEST(c.area_um2 == sum, tt::tolerance(1e-12));
  BOOST_TEST(c.read_energy_pj == energy, tt::tolerance(1e-12));
  BOOST_TEST(c.read_latency_ns == latency, tt::tolerance(1e-12));
  BOOST_TEST(c.efficiency == c.cell_area_um2 / c.area_um2, tt::tolerance(1e-12));
  // Bit line: 512 cells of 0.3 um = 153.6 um: 30.72 fF of wire + 512 x 0.1 fF of drains.
  BOOST_TEST(c.bitline_cap_ff == 81.92, tt::tolerance(1e-12));
  // V_on = 40 uA x 21 kOhm = 0.84 V; V^2 - V_on^2 = 1 - 0.7056 = 0.2944 V^2.
  BOOST_TEST(c.bitline_low_v == 0.84, tt::tolerance(1e-12));
  const auto e = &ComponentCost::read_energy_pj;
  const auto t = &ComponentCost::read_latency_ns;
  // 2 active subarrays x 512 bit lines x 81.92 fF x 0.2944 V^2.
  BOOST_TEST(c.part("bitlines", e) == 1024 * 81.92 * 0.2944 * 1e-3, tt::tolerance(1e-12));
  // ln 2 x (21000 + 153.6 / 2) ohm x 81.92 fF.
  BOOST_TEST(c.part("bitlines", t) == std::log(2.0) * 21076.8 * 81.92e-6, tt::tolerance(1e-12));
  // Bus: the side of the silicon area (every part but the bus and bit lines, which have none).
  BOOST_TEST(c.bus_length_um == std::sqrt(c.area_um2), tt::tolerance(1e-12));
  const double side = c.bus_length_um, cg = 0.2 * side;
  BOOST_TEST(c.bus_cap_ff == cg, tt::tolerance(1e-12));
  BOOST_TEST(c.part("global_bus", t) == std::log(2.0) * (21000.0 + 153.6 + 0.5 * side) * cg * 1e-6,
             tt::tolerance(1e-12));
  // 128 data lines at 0.2944 V^2, 13 address lines (8192 words) at 1 V^2.
  BOOST_TEST(c.part("global_bus", e) == (128 * 0.2944 + 13.0) * cg * 1e-3, tt::tolerance(1e-12));
  BOOST_TEST(c.part("cells", e) == 128 * 2.0, tt::tolerance(1e-12));
  BOOST_TEST(c.part("sense_amp", e) == 128 * adc.energy_pj(1, 100.0), tt::tolerance(1e-12));
  BOOST_TEST(c.part("sense_amp", &ComponentCost::count) == 256.0);  // 4 x 64
  BOOST_TEST(c.part("cells", t) == 0.0);  // no fixed sensing time: the RC above instead
  BOOST_TEST(c.pulse_energy_pj == 21.6, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(array_without_sense_margin_is_an_error) {
  ArraySpec s;
  s.cells = 4ull * 512 * 512;
  s.node_nm = 50.0;  // 40 uA x (1 k + 40 k) = 1.64 V > 1 V - 0.1 V
  BOOST_CHECK_THROW(cost_array(s, {cell, adc, logic, path}), anvil::Error);
}

BOOST_AUTO_TEST_CASE(array_rejects_bad_geometry) {
  ArraySpec s;
  s.cells = 0;
  BOOST_CHECK_THROW(cost_array(s, {cell, adc, logic, path}), anvil::Error);
  s.cells = 1000;
  s.mux = 7;
  BOOST_CHECK_THROW(cost_array(s, {cell, adc, logic, path}), anvil::Error);
}

// An estimator built on another kind's file is refused where it is built, naming the file.
BOOST_AUTO_TEST_CASE(estimator_refuses_another_kinds_file) {
  try {
    PcmCellEstimator wrong{load_tech(kDir + "adc.yaml", "adc")};
    BOOST_FAIL("a pcm_cell estimator took an adc file");
  } catch (const anvil::Error& e) {
    BOOST_TEST(e.field() == "tech.kind");
    BOOST_TEST(e.rule() == "must be 'pcm_cell' here (got 'adc')");
  }
  BOOST_CHECK_THROW((ReadPathEstimator{load_tech(kDir + "adc.yaml", "adc"), scaling}),
                    anvil::Error);
  BOOST_TEST(cell.kind() == "pcm_cell");
  BOOST_TEST(path.tech().file == "read_path.yaml");
}

BOOST_AUTO_TEST_SUITE_END()
