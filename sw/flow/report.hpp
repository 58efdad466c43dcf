// Experiment results: one row per storage scheme (analog schemes and digital baselines
// alike), written as report.json + results.csv and printed as a table. Rows carry an open
// `metrics` map so cost estimators (area, energy, latency) add columns without changing
// the format.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "flow/stats.hpp"

namespace anvil::flow {

struct SchemeResult {
  std::string name;
  std::string kind;             // "analog" or "digital"
  nlohmann::json spec;          // the scheme as configured, echoed for the record
  uint64_t weights = 0;         // stored values (all parameters)
  uint64_t weight_cells = 0;    // cells holding weight codes (incl. sign/replica/parity cells)
  uint64_t metadata_cells = 0;  // scales, codebooks, importance maps, reference cells, biases
  uint64_t cells() const { return weight_cells + metadata_cells; }
  double cells_per_weight() const {
    return weights ? static_cast<double>(cells()) / static_cast<double>(weights) : 0.0;
  }
  std::vector<double> trial_accuracy;  // one per Monte Carlo trial
  std::string trials_stop;             // trials: auto: why Monte Carlo stopped where it did
  Summary accuracy;
  double noise_free_accuracy = 0.0;  // same compressed model, error-free storage
  // Non-finite check (nn::Network::evaluate): the first node whose output held a NaN or Inf,
  // "name (Op)", or "" when every value stayed finite; per trial and for error-free storage.
  std::vector<std::string> trial_nonfinite;
  std::string noise_free_nonfinite;
  size_t nonfinite_trials() const;
  double pulses_per_trial = 0.0;
  double stuck_per_trial = 0.0;
  double seconds = 0.0;
  std::map<std::string, double> metrics;  // extra columns (cost models slot in here)
};

struct Report {
  nlohmann::json header;            // experiment, seed, versions, network, dataset, device
  double reference_accuracy = 0.0;  // uncompressed fp32 network, noise-free
  double accuracy_drop_pp = 0.5;    // budget for "keeps accuracy"
  std::vector<SchemeResult> rows;
};

// One number through printf format `f` (e.g. "%.6f"): the cells of results tables.
std::string fmt_number(const char* f, double v);

// Accuracy drop in percentage points from the uncompressed network.
double drop_pp(const Report& r, const SchemeResult& s);
bool within_budget(const Report& r, const SchemeResult& s);

nlohmann::json to_json(const Report& r);
std::string to_csv(const Report& r);
std::string to_table(const Report& r);

// Writes report.json and results.csv atomically into `dir`, then plots accuracy.png (unless
// `plot` is false).
void write_report(const Report& r, const std::filesystem::path& dir, bool plot = true);

}  // namespace anvil::flow
