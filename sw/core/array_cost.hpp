// Cost of a memory array organisation (area, read energy and latency per access, programming
// energy and time per pulse), from the component estimators of core/cost.hpp.
//
// Organisation (NVSim-like, fixed, no search): subarrays of rows x cols cells; each subarray
// has a row decoder, a column multiplexer of ratio `mux` and cols / mux column circuits (one
// ADC or sense amplifier and one write driver each). An access reads `word_cells` cells in
// parallel, spread over ceil(word_cells / (cols / mux)) active subarrays. Area = cells +
// periphery of every subarray; efficiency = cell area / total. Read path: the cell's
// low-resistance path (cell + access transistor) drives its bit line and a global data bus
// as long as the side of the array (Elmore RC delay; C (V^2 - V_on^2) energy per bit line of
// the active subarrays and per data line, full swing on the address lines), then the
// column circuit converts. Not modelled: mats/banks and their predecoders, bus repeaters,
// I/O, charge pumps, redundancy rows, leakage.
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
  double bitline_cap_ff = 0.0;    // one bit line: wire + half an access drain per cell
  double bus_length_um = 0.0;     // global data bus: the side of the array
  double bus_cap_ff = 0.0;        // one bus line
  double path_res_ohm = 0.0;      // cell on-resistance + access transistor
  double bitline_low_v = 0.0;     // read current x path resistance
  // Sum of `field` over the parts named `component` (0 if none).
  double part(const std::string& component, double ComponentCost::*field) const;
};

struct CostModels {
  const CellEstimator& cell;
  const AdcEstimator& adc;
  const LogicEstimator& logic;
  const ReadPathEstimator& path;
};

// Throws anvil::Error (file "<array>") for zero sizes, word_cells beyond the array, or a read
// path with no sense margin at the node.
ArrayCost cost_array(const ArraySpec& spec, const CostModels& m);

nlohmann::json to_json(const ArrayCost& c);

}  // namespace anvil::core
