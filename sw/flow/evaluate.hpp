// The one evaluator of flow: a scheme's allocation of a model, stored and read back through a
// storage backend trial by trial, and the network's accuracy on what came back. `anvil run`
// (functional backend, cached trials, trials: auto, drift sweep) and `anvil cosim`
// (co-simulation backend, every code checked against the functional backend) both call it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/cell.hpp"
#include "core/scheme.hpp"
#include "flow/experiment.hpp"
#include "flow/progress.hpp"
#include "flow/report.hpp"
#include "flow/storage_backend.hpp"
#include "nn/dataset.hpp"

namespace anvil::flow {

// Per-trial results of the functional backend, cached under a folder so that a killed run
// resumes where it stopped; valid for one `context` (experiment, network content, seed).
class TrialCache {
 public:
  TrialCache(std::filesystem::path dir, std::string context)
      : dir_(std::move(dir)), context_(std::move(context)) {}
  struct Entry {
    double accuracy = 0;
    core::StoreStats stats;
    std::string nonfinite;  // first node with a NaN/Inf output ("" = finite)
  };
  std::optional<Entry> get(const std::string& scheme, double t_s, uint32_t trial) const;
  void put(const std::string& scheme, double t_s, uint32_t trial, const Entry& e) const;

 private:
  std::filesystem::path path(const std::string& scheme, double t_s, uint32_t trial) const;
  std::filesystem::path dir_;
  std::string context_;
};

struct EvaluateOptions {
  uint64_t seed = 0;  // trial t draws from RandomStream(seed, t)
  int threads = 1;
  uint32_t trials = 1;  // with `policy`, the cap
  std::optional<ExperimentConfig::AutoTrials> policy;
  Progress* progress = nullptr;
  const TrialCache* cache = nullptr;  // functional backend only
  // Holds the backend to this one (the functional golden path): every decoded code of every
  // trial is compared; the row gets decoded_mismatches_vs_functional.
  StorageBackend* golden = nullptr;
  std::string trace;  // waveform file of the first trial ("" = none)
};

// A scheme's allocation of a model on a cell, with its footprint: what evaluate stores trial
// by trial, and what a backend is asked about before (StorageBackend::unsupported).
struct SchemePlan {
  core::Allocation alloc;          // alloc.scheme: the scheme
  SchemeResult row;                // the footprint, before any trial
  std::vector<std::string> names;  // the tensor of each segment
  double seconds = 0;              // planning time (counted in the row's seconds)
};
SchemePlan plan_scheme(const StoredModel& model, const core::SchemeSpec& s, const core::Cell& cell);

// One planned scheme on `cell`: footprint (row.cells() == the allocation's Footprint::total() with
// the model's digital parameters), noise-free accuracy, and the Monte Carlo accuracy of every
// trial through `backend`. Digital baselines are error-free: one deterministic trial, no
// backend. A simulated backend adds its cycles, simulated time and array energy per trial.
SchemeResult evaluate(const StoredModel& model, const SchemePlan& plan, const core::Cell& cell,
                      const nn::Dataset& test, StorageBackend& backend, const EvaluateOptions& o);
// plan_scheme, then evaluate.
SchemeResult evaluate(const StoredModel& model, const core::SchemeSpec& s, const core::Cell& cell,
                      const nn::Dataset& test, StorageBackend& backend, const EvaluateOptions& o);

}  // namespace anvil::flow
