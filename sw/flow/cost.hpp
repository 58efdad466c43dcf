// Area, energy and latency of a storage scheme (issue 11), from the technology files in
// models/tech/ through the estimators of core/cost.hpp and the array model of
// core/array_cost.hpp. One array model for every row, analog schemes and digital baselines
// alike (same cell, same periphery, same node); only what a row stores differs:
//
// - area: one array holding every cell of the row (weights, sign, replicas, splits, reference
//   cells, metadata, ECC parity), its column circuits an ADC of the experiment's adc_bits
//   (analog), or a 1-bit (SLC) / 2-bit (MLC) sense;
// - read energy per full weight fetch: every cell read once (cell read + one conversion at its
//   own resolution: analog cells at adc_bits, SLC metadata at 1 bit, MLC at 2 bits) plus the
//   decoders and multiplexers of ceil(cells / word_cells) accesses;
// - read latency: those accesses one after another;
// - programming energy: pulses x (partial-RESET pulse energy + verify read when write-verify is
//   on); analog pulses are the ones the channel library counted (pulses_per_trial), digital
//   cells one SET or RESET each (their mean energy), MLC likewise (a lower bound: no
//   program-and-verify modelled for the baselines). Programming time: the pulses of
//   word_cells cells in parallel.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/array_cost.hpp"
#include "core/cost.hpp"
#include "core/scheme.hpp"
#include "core/tech.hpp"
#include "flow/codec_logic.hpp"
#include "flow/experiment.hpp"
#include "flow/report.hpp"

namespace anvil::flow {

// The technology set of one evaluation: pcm_cell.yaml, adc.yaml, logic.yaml, scaling.yaml,
// read_path.yaml of a directory (the cell file can be replaced).
struct CostTech {
  core::TechFile scaling;
  core::PcmCellEstimator cell;
  core::SarAdcEstimator adc;
  core::StdCellLogicEstimator logic;
  core::ReadPathEstimator path;
  // Codec and ECC logic synthesized on the logic library (synth/osu018/report.csv of the
  // repository the technology folder sits in, else of the source tree); may be empty.
  std::filesystem::path synth_file;
  std::vector<SynthConfig> synth;
  core::CostModels models() const { return {cell, adc, logic, path}; }
  // Each estimator under the component name reports give it.
  struct Part {
    const char* component;
    const core::Estimator* estimator;
  };
  std::array<Part, 4> estimators() const {
    return {{{"cell", &cell}, {"adc", &adc}, {"logic", &logic}, {"read_path", &path}}};
  }
};
CostTech load_cost_tech(const std::filesystem::path& dir, const std::string& cell_file = {});
// What reports record of a technology set: its folder, each file's `name` and each
// estimator's accuracy note (under "accuracy", by component).
nlohmann::json tech_json(const CostTech& tech, const std::filesystem::path& dir);
// The same for a person: one line per component, its file and how far to trust it.
std::string tech_notes(const CostTech& tech);
// models/tech found from `from` (a file or folder) or its parents (up to 4 levels); empty if
// there is none.
std::filesystem::path find_tech_dir(const std::filesystem::path& from);

struct CostOptions {
  std::optional<double> node_nm;  // default: the cell file's node
  uint32_t word_cells = 64;
  uint32_t rows = 512, cols = 512, mux = 8;
};

// What a row stores, by how it is read.
struct CellClasses {
  uint64_t analog = 0;  // read by the ADC at adc_bits (weights, sign, replicas, references)
  uint64_t slc = 0;     // 1-bit sense
  uint64_t mlc2 = 0;    // 2-bit sense
  uint64_t total() const { return analog + slc + mlc2; }
};
CellClasses cell_classes(const core::SchemeSpec& s, const SchemeResult& row);

struct SchemeCost {
  std::string scheme;
  CellClasses cells;
  core::ArrayCost array;  // organisation holding every cell
  CodecLogic codec;       // encoder + decoder + ECC logic at the array's node
  double area_um2() const { return array.area_um2 + codec.area_um2; }
  double program_pulses = 0.0;
  double program_energy_uj = 0.0;
  double program_time_ms = 0.0;
  double read_energy_nj = 0.0;  // one fetch of every weight
  double read_latency_us = 0.0;
  uint64_t read_accesses = 0;
};

// `pulses`: analog programming pulses (as counted by the channel library); ignored for digital.
SchemeCost cost_scheme(const core::SchemeSpec& s, const SchemeResult& row, uint32_t adc_bits,
                       bool write_verify, double pulses, const CostTech& tech,
                       const CostOptions& opt = {});

// area_mm2, program_energy_uj, read_energy_nj, read_latency_us (+ array efficiency) into the
// row's metrics.
void add_cost_metrics(SchemeResult& row, const SchemeCost& c);

nlohmann::json to_json(const SchemeCost& c);
// A table: one line per scheme, cells, area, program energy, read energy, latency, then the
// component breakdown of each.
std::string cost_table(const std::vector<SchemeCost>& costs);

// The technology folder for an experiment: --tech if given, else models/tech found from the
// experiment file, else the source tree's.
std::filesystem::path resolve_tech_dir(const std::string& tech_dir,
                                       const std::filesystem::path& near);

// `anvil cost EXPERIMENT.yaml`: every scheme allocated (no inference), its analog pulses
// counted by one storage pass of the channel library (trial 0 of the experiment's seed), then
// costed. Rows carry the footprint and the cost metrics.
struct ExperimentCost {
  std::vector<SchemeResult> rows;
  std::vector<SchemeCost> costs;
};
ExperimentCost cost_experiment(const ExperimentConfig& cfg, const CostTech& tech,
                               const CostOptions& opt, int threads);

// Adds the cost metrics to every row of a report whose scheme cfg names (matched by name: a
// co-simulation reports only some schemes) and the technology files to the header.
void add_experiment_cost(const ExperimentConfig& cfg, const core::Cell& cell, const CostTech& tech,
                         const std::filesystem::path& tech_dir, Report& rep);
// The same with the technology folder found near the experiment file; nothing when none is.
void add_experiment_cost(const ExperimentConfig& cfg, const core::Cell& cell, Report& rep);

}  // namespace anvil::flow
