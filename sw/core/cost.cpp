#include "core/cost.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/error.hpp"

namespace anvil::core {

uint32_t ceil_log2(uint64_t n) {
  uint32_t b = 0;
  while ((uint64_t{1} << b) < n) ++b;
  return b;
}

Estimator::Estimator(TechFile t, std::string_view kind) : tech_(std::move(t)) {
  require(tech_.kind == kind, tech_.file, "tech.kind",
          "must be '" + std::string(kind) + "' here (got '" + tech_.kind + "')");
}

NodeScaling NodeScaling::from(const TechFile& t) {
  NodeScaling s;
  s.area_exponent = t.at("area_exponent");
  s.delay_exponent = t.at("delay_exponent");
  s.energy_exponent = t.at("energy_exponent");
  return s;
}

double NodeScaling::area(double v, double from_nm, double to_nm) const {
  return v * std::pow(to_nm / from_nm, area_exponent);
}
double NodeScaling::delay(double v, double from_nm, double to_nm) const {
  return v * std::pow(to_nm / from_nm, delay_exponent);
}
double NodeScaling::energy(double v, double from_nm, double to_nm) const {
  return v * std::pow(to_nm / from_nm, energy_exponent);
}

// ---- PCM cell ---------------------------------------------------------------------------

std::string PcmCellEstimator::accuracy_note() const {
  return "cell area exact for the given F^2 (access transistor included, as NVSim counts it); "
         "pulse energy V_write x I x t is what the drivers draw from the supply, an upper bound "
         "on the energy in the cell (NVSim uses I^2 R t) and a lower bound on the chip's (no "
         "charge pump loss); read energy is the sample cell's fixed figure (the bit-line charge "
         "is added by the array model); no fixed sensing time: the array model computes "
         "bit-line and bus delay";
}

double PcmCellEstimator::area_um2(double node_nm) const {
  const double f_um = node_nm * 1e-3;
  return value("area") * f_um * f_um;
}
double PcmCellEstimator::height_um(double node_nm) const {
  return std::sqrt(value("area") * value("aspect_ratio")) * node_nm * 1e-3;
}
// V x uA x ns = fJ; / 1000 = pJ.
double PcmCellEstimator::reset_energy_pj() const {
  return value("write_voltage") * reset_current_ua() * reset_ns() * 1e-3;
}
double PcmCellEstimator::set_energy_pj() const {
  return value("write_voltage") * value("set_current") * set_ns() * 1e-3;
}

// ---- read path --------------------------------------------------------------------------

std::string ReadPathEstimator::accuracy_note() const {
  return "lumped Elmore RC of the cell's low-resistance path driving its bit line and the "
         "global data bus, with NVSim's wire and device numbers at the file's node: within "
         "about 2x of NVSim's bit-line and global-bit-line delay (NVSim adds half the bus RC "
         "again and uses the bank height, not the array side, as the bus length); wire "
         "resistance x (n0/n)^2 and constant C per um ignore the thicker upper metals a real "
         "bus would use";
}

double ReadPathEstimator::wire_res_ohm(double length_um, double node_nm) const {
  // Resistance per um grows as the cross-section shrinks: x (n0 / n)^2 = 1 / area scale.
  return value("wire_resistance") * length_um / scaled_area(1.0, node_nm);
}

double ReadPathEstimator::access_drain_cap_ff(double node_nm) const {
  return value("drain_capacitance") * value("access_width") * node_nm * 1e-3;
}

double ReadPathEstimator::access_res_ohm(double node_nm) const {
  // V / (uA/um x um) = MOhm.
  return value("resistance_factor") * supply_v() /
         (value("on_current") * value("access_width") * node_nm * 1e-3) * 1e6;
}

// ---- SAR ADC ----------------------------------------------------------------------------

std::string SarAdcEstimator::accuracy_note() const {
  return "one published 8-bit SAR design scaled by a constant Walden FOM (x2 energy per bit): "
         "within about 2x of the Murmann survey's envelope from 4 to 10 bits; below 4 bits "
         "comparator and logic overheads dominate and the model is optimistic; area x2 per bit "
         "overstates small-resolution SAR area, which a fixed comparator/logic share bounds";
}

double SarAdcEstimator::energy_pj(uint32_t bits, double node_nm) const {
  if (bits == 0) return 0.0;
  // mW / (GS/s) = pJ per conversion.
  const double e = value("ref_power") / value("ref_rate") *
                   std::pow(value("energy_per_bit_factor"), bits - value("ref_bits"));
  return scaled_energy(e, node_nm);
}

double SarAdcEstimator::area_um2(uint32_t bits, double node_nm) const {
  if (bits == 0) return 0.0;
  const double a =
      value("ref_area") * std::pow(value("area_per_bit_factor"), bits - value("ref_bits"));
  return scaled_area(a, node_nm);
}

double SarAdcEstimator::conversion_ns(uint32_t bits, double node_nm) const {
  if (bits == 0) return 0.0;
  const double t = bits / (value("ref_bits") * value("ref_rate"));
  return scaled_delay(t, node_nm);
}

// ---- standard-cell logic ----------------------------------------------------------------

std::string StdCellLogicEstimator::accuracy_note() const {
  return "gate counts of textbook decoder/mux/driver structures times Liberty cell areas, "
         "energies and delays (no wires, no placement utilisation, no predecoder sharing "
         "across mats): expect decoders within about 2x of a circuit-level model such as "
         "NVSim's; codec logic from synthesized NAND2 equivalents with every gate switching "
         "once per operation (an upper bound on dynamic energy)";
}

LogicCost StdCellLogicEstimator::row_decoder(uint32_t rows, double node_nm) const {
  // Two-level decoder: the n address bits in `groups` predecoders of p bits (2^p lines each, a
  // line an AND of p inputs, taken as p NAND2 equivalents); per row one NAND2 of two
  // predecoded lines and a 3-inverter word-line driver.
  const uint32_t n = std::max<uint32_t>(1, ceil_log2(rows));
  const uint32_t groups = n >= 2 ? 2 : 1;
  const uint32_t p = (n + groups - 1) / groups;
  const double r = rows, lines = groups * std::pow(2.0, p);
  LogicCost c;
  c.area_um2 = scaled_area(
      r * (value("nand2_area") + 3.0 * value("inv_area")) + lines * p * value("nand2_area"),
      node_nm);
  // Per access one row rises and one falls (4 gates each), one predecoded line per group
  // rises and one falls (p gates each), and each switching line loads rows / 2^p row gates at
  // a quarter of a gate's switching energy.
  const double gates = 2.0 * 4.0 + 2.0 * groups * p + 2.0 * groups * (r / std::pow(2.0, p)) / 4.0;
  c.energy_pj = scaled_energy(gates * value("gate_energy") * 1e-3, node_nm);
  const double stages = ceil_log2(p) + 1.0 + 1.0 + 3.0;
  c.delay_ns = scaled_delay(stages * value("gate_delay") * 1e-3, node_nm);
  return c;
}

LogicCost StdCellLogicEstimator::column_mux(uint32_t outputs, uint32_t ratio,
                                            double node_nm) const {
  const double o = outputs, k = ratio;
  LogicCost c;
  if (ratio <= 1) return c;
  const double sel_gates = k * std::max<double>(1.0, ceil_log2(ratio));
  c.area_um2 =
      scaled_area(o * k * 0.5 * value("inv_area") + sel_gates * value("nand2_area"), node_nm);
  c.energy_pj = scaled_energy(
      (o + 2.0 * std::max<double>(1.0, ceil_log2(ratio))) * value("gate_energy") * 1e-3, node_nm);
  c.delay_ns = scaled_delay(2.0 * value("gate_delay") * 1e-3, node_nm);
  return c;
}

LogicCost StdCellLogicEstimator::write_driver(double current_ua, double node_nm) const {
  // An inverter: NMOS width W = I / drive current, PMOS 2W, each W x 4F of layout.
  const double w_um = current_ua / value("drive_current");
  LogicCost c;
  c.area_um2 = 3.0 * w_um * 4.0 * node_nm * 1e-3;
  c.delay_ns = scaled_delay(value("gate_delay") * 1e-3, node_nm);
  return c;
}

LogicCost StdCellLogicEstimator::gates(double nand2_equivalents, double node_nm) const {
  LogicCost c;
  c.area_um2 = scaled_area(nand2_equivalents * value("nand2_area"), node_nm);
  c.energy_pj = scaled_energy(nand2_equivalents * value("gate_energy") * 1e-3, node_nm);
  return c;
}

}  // namespace anvil::core
