// Cost estimators (area, energy, latency), one per component kind, each behind a small
// interface with an accuracy note, so that a table can be replaced by a better model without
// touching the callers (after Accelergy's estimator plug-ins). Each is built from a technology
// file (core/tech.hpp) whose every number has a source and the unit tech_fields() gives it;
// the estimators' own figures carry their unit in their names.
//
// Node scaling (NodeScaling): periphery quantities at node n from node n0 as (n / n0)^e, with
// the exponents of models/tech/scaling.yaml (Dennard et al. 1974 constant-field scaling for
// area and delay; energy linear in n, i.e. supply voltage held, the post-Dennard regime).
// Accuracy: ideal scaling overstates area and energy gains below about 45 nm, where wires,
// fixed voltages and design rules stop scaling (Stillmaker & Baas, Integration 58, 2017, give
// measured factors; not used here). Cells given in F^2 scale exactly with F.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/tech.hpp"

namespace anvil::core {

// Every estimator reads one technology file of its kind; load_tech has checked that the file
// holds every field of that kind with its unit, so value() cannot miss a listed field.
class Estimator {
 public:
  Estimator(TechFile t, std::string_view kind);
  virtual ~Estimator() = default;
  const TechFile& tech() const { return tech_; }
  std::string kind() const { return tech_.kind; }
  // Where the numbers come from and how far to trust them.
  virtual std::string accuracy_note() const = 0;

 protected:
  // The file's value of `field`, in the unit tech_fields() gives it.
  double value(std::string_view field) const { return tech_.at(field); }

 private:
  TechFile tech_;
};

struct NodeScaling {
  double area_exponent = 2.0, delay_exponent = 1.0, energy_exponent = 1.0;
  static NodeScaling from(const TechFile& t);  // kind: scaling
  double area(double v, double from_nm, double to_nm) const;
  double delay(double v, double from_nm, double to_nm) const;
  double energy(double v, double from_nm, double to_nm) const;
};

// Periphery figures given at a technology file's `node`, scaled to the node asked for: the
// base of the estimators that scale (ADC, logic).
class NodeScaled {
 public:
  NodeScaled(const TechFile& t, NodeScaling s) : node_nm_(t.at("node")), scaling_(s) {}

 protected:
  double scaled_area(double v, double node_nm) const { return scaling_.area(v, node_nm_, node_nm); }
  double scaled_delay(double v, double node_nm) const {
    return scaling_.delay(v, node_nm_, node_nm);
  }
  double scaled_energy(double v, double node_nm) const {
    return scaling_.energy(v, node_nm_, node_nm);
  }

 private:
  double node_nm_;
  NodeScaling scaling_;
};

// A memory cell: area from F^2, read and programming energy and time of one cell.
class CellEstimator : public Estimator {
 public:
  using Estimator::Estimator;
  virtual double area_um2(double node_nm) const = 0;
  virtual double read_energy_pj() const = 0;   // one cell read (bit line + cell)
  virtual double reset_energy_pj() const = 0;  // one (partial) RESET pulse
  virtual double set_energy_pj() const = 0;    // one SET pulse
  virtual double reset_ns() const = 0;
  virtual double set_ns() const = 0;
  virtual double reset_current_ua() const = 0;  // sizes the write driver
  virtual double read_current_ua() const = 0;   // drives the bit line during a read
  // Cell pitch along the bit line: sqrt(area_F2 x aspect_ratio) x F.
  virtual double height_um(double node_nm) const = 0;
};

// PCM cell from a `pcm_cell` file: area = area_F2 x F^2; pulse energy = V_write x I x t
// (the write driver's supply); read energy and sensing time as given.
class PcmCellEstimator final : public CellEstimator {
 public:
  explicit PcmCellEstimator(const TechFile& t) : CellEstimator(t, "pcm_cell") {}
  std::string accuracy_note() const override;
  double area_um2(double node_nm) const override;
  double read_energy_pj() const override { return value("read_energy"); }
  double reset_energy_pj() const override;
  double set_energy_pj() const override;
  double reset_ns() const override { return value("reset_pulse"); }
  double set_ns() const override { return value("set_pulse"); }
  double reset_current_ua() const override { return value("reset_current"); }
  double read_current_ua() const override { return value("read_current"); }
  double height_um(double node_nm) const override;
  double node_nm() const { return value("node"); }
};

// Column ADC: energy per conversion, area and conversion time against resolution and node.
class AdcEstimator : public Estimator {
 public:
  using Estimator::Estimator;
  virtual double energy_pj(uint32_t bits, double node_nm) const = 0;
  virtual double area_um2(uint32_t bits, double node_nm) const = 0;
  virtual double conversion_ns(uint32_t bits, double node_nm) const = 0;
};

// SAR ADC from an `adc` file: E(b) = P_ref / f_ref x k_E^(b - b_ref), A(b) = A_ref x
// k_A^(b - b_ref), t(b) = b / (b_ref f_ref); then scaled to the node. 0 bits: no ADC.
class SarAdcEstimator final : public AdcEstimator, private NodeScaled {
 public:
  SarAdcEstimator(const TechFile& t, NodeScaling s) : AdcEstimator(t, "adc"), NodeScaled(t, s) {}
  std::string accuracy_note() const override;
  double energy_pj(uint32_t bits, double node_nm) const override;
  double area_um2(uint32_t bits, double node_nm) const override;
  double conversion_ns(uint32_t bits, double node_nm) const override;
};

// Periphery logic built from standard cells (row decoders, column multiplexers, write
// drivers), from a `logic` file (a standard-cell Liberty library's areas, energy and delay).
struct LogicCost {
  double area_um2 = 0.0, energy_pj = 0.0, delay_ns = 0.0;
};
class LogicEstimator : public Estimator {
 public:
  using Estimator::Estimator;
  // Row decoder of `rows` word lines: two predecoders of log2(rows) / 2 bits, one NAND2 and a
  // 3-inverter driver per row (standard cells, not pitch-matched custom gates).
  virtual LogicCost row_decoder(uint32_t rows, double node_nm) const = 0;
  // Column multiplexer selecting one of `ratio` columns for each of `outputs` outputs.
  virtual LogicCost column_mux(uint32_t outputs, uint32_t ratio, double node_nm) const = 0;
  // Write driver able to source `current_ua` (transistor width = current / drive current).
  virtual LogicCost write_driver(double current_ua, double node_nm) const = 0;
  // `gates` NAND2-equivalent gates (synthesized codec logic, counted by Yosys).
  virtual LogicCost gates(double nand2_equivalents, double node_nm) const = 0;
};

class StdCellLogicEstimator final : public LogicEstimator, private NodeScaled {
 public:
  StdCellLogicEstimator(const TechFile& t, NodeScaling s)
      : LogicEstimator(t, "logic"), NodeScaled(t, s) {}
  std::string accuracy_note() const override;
  LogicCost row_decoder(uint32_t rows, double node_nm) const override;
  LogicCost column_mux(uint32_t outputs, uint32_t ratio, double node_nm) const override;
  LogicCost write_driver(double current_ua, double node_nm) const override;
  LogicCost gates(double nand2_equivalents, double node_nm) const override;
  // Area at `node_nm` of one um^2 of the library's cells (synthesized logic is scaled by it).
  double area_scale(double node_nm) const { return scaled_area(1.0, node_nm); }
};

// The electrical read path (from a `read_path` file): wires (bit lines, global data bus),
// the cell's low-resistance read path (cell + access transistor) and the precharge supply.
// Node scaling from the file's node n0 to n: wire capacitance per um and drain capacitance
// per um of width held (Ho, Mai & Horowitz, "The future of wires", Proc. IEEE 2001: C per
// length roughly constant), wire resistance per um x (n0/n)^2 (cross-section; the scaling
// file's area exponent), supply and on-current per um held (constant-voltage regime). The
// access transistor is access_width x F wide: R = resistance_factor x V / (I_on x W).
class ReadPathEstimator final : public Estimator, private NodeScaled {
 public:
  ReadPathEstimator(const TechFile& t, NodeScaling s)
      : Estimator(t, "read_path"), NodeScaled(t, s) {}
  std::string accuracy_note() const override;
  double wire_cap_ff(double length_um) const { return value("wire_capacitance") * length_um; }
  double wire_res_ohm(double length_um, double node_nm) const;
  // Drain junction of one access transistor (a bit line sees half of it per cell).
  double access_drain_cap_ff(double node_nm) const;
  double access_res_ohm(double node_nm) const;
  // Cell low resistance + access transistor: what drives a bit line during a read.
  double path_res_ohm(double node_nm) const {
    return value("cell_on_resistance") + access_res_ohm(node_nm);
  }
  double supply_v() const { return value("supply_voltage"); }
  double sense_margin_v() const { return value("sense_margin") * 1e-3; }
};

// ceil(log2(n)) for n >= 1 (0 for n = 1).
uint32_t ceil_log2(uint64_t n);

}  // namespace anvil::core
