// Cost of a memory array organisation (area, read energy and latency per access, programming
// energy and time per pulse), from the component estimators of core/cost.hpp.
//
// Organisation (NVSim-like, fixed, no search): subarrays of rows x cols cells; each subarray
// has a row decoder, a column multiplexer of ratio `mux` and cols / mux column circuits (one
// ADC or sense amplifier and one write driver each). An access reads `word_cells` cells in
// parallel, spread over ceil(word_cells / (cols / mux)) active subarrays. Area = cells +
// periphery of every subarray, plus (optionally) synthesized codec logic; efficiency = cell
// area / total. Not modelled: global H-tree / bus wires, bank-level routing, I/O, charge
// pumps, redundancy rows; bit-line RC (the cell's sensing time is a fixed figure).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/cost.hpp"

namespace anvil::core {

struct ArraySpec {
  uint64_t cells = 0;        // capacity in cells
  uint32_t word_cells = 64;  // cells read or written per access
  uint32_t rows = 512;       // subarray rows
  uint32_t cols = 512;       // subarray columns
  uint32_t mux = 8;          // columns per column circuit
  uint32_t adc_bits = 1;     // bits per conversion of the column circuit (1: a sense amp)
  double node_nm = 90.0;
};

struct ComponentCost {
  std::string component;
  double count = 0.0;            // instances in the array
  double area_um2 = 0.0;         // all instances
  double read_energy_pj = 0.0;   // per access
  double read_latency_ns = 0.0;  // on the read path of one access
};

struct ArrayCost {
  ArraySpec spec;
  uint64_t subarrays = 0;
  uint32_t active_subarrays = 0;
  std::vector<ComponentCost> parts;
  double area_um2 = 0.0;
  double cell_area_um2 = 0.0;
  double efficiency = 0.0;        // cell area / total area
  double read_energy_pj = 0.0;    // one access of word_cells cells
  double read_latency_ns = 0.0;   // one access
  double cell_read_pj = 0.0;      // one cell: cell read + conversion (no decoder)
  double pulse_energy_pj = 0.0;   // one programming (partial RESET) pulse in one cell
  double verify_energy_pj = 0.0;  // one verify read of one cell (cell read + conversion)
  double pulse_ns = 0.0;          // one pulse + verify read of a group of word_cells
};

struct CostModels {
  const CellEstimator& cell;
  const AdcEstimator& adc;
  const LogicEstimator& logic;
};

// Throws anvil::Error (file "<array>") for zero sizes or word_cells beyond the array.
ArrayCost cost_array(const ArraySpec& spec, const CostModels& m);

nlohmann::json to_json(const ArrayCost& c);

}  // namespace anvil::core
