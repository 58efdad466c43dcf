#include "flow/evaluate.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>

#include "core/allocation.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/random.hpp"

namespace anvil::flow {

namespace fs = std::filesystem;

BackendTrial& BackendTrial::operator+=(const BackendTrial& o) {
  cycles += o.cycles;
  pulses += o.pulses;
  stuck += o.stuck;
  reads += o.reads;
  simulated_ns += o.simulated_ns;
  energy_pj += o.energy_pj;
  program_energy_pj += o.program_energy_pj;
  wall_s += o.wall_s;
  return *this;
}

BackendTrial FunctionalBackend::store_and_read(const core::Cell& cell, const core::Allocation& a,
                                               const std::vector<std::string>&,
                                               const core::RandomStream& noise,
                                               const std::string&) {
  const auto t0 = std::chrono::steady_clock::now();
  core::Readback rb = core::read_back(a, cell, noise, threads_);
  BackendTrial r;
  r.decoded = std::move(rb.decoded);
  r.pulses = rb.stats.pulses;
  r.stuck = rb.stats.stuck;
  r.reads = rb.stats.cells;  // every programmed cell is read once
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

fs::path TrialCache::path(const std::string& scheme, double t_s, uint32_t trial) const {
  const std::string h = content_hash(context_ + "|" + scheme + "|" + std::to_string(t_s));
  return dir_ / (h + "-t" + std::to_string(trial) + ".json");
}

std::optional<TrialCache::Entry> TrialCache::get(const std::string& scheme, double t_s,
                                                 uint32_t trial) const {
  std::ifstream in(path(scheme, t_s, trial));
  if (!in) return std::nullopt;
  try {
    const auto j = nlohmann::json::parse(in);
    Entry r;
    r.accuracy = j.at("accuracy").get<double>();
    r.stats.cells = j.at("cells").get<uint64_t>();
    r.stats.pulses = j.at("pulses").get<uint64_t>();
    r.stats.stuck = j.at("stuck").get<uint64_t>();
    r.nonfinite = j.value("nonfinite", std::string());
    return r;
  } catch (...) {
    return std::nullopt;  // a damaged cache entry is recomputed
  }
}

void TrialCache::put(const std::string& scheme, double t_s, uint32_t trial, const Entry& r) const {
  const nlohmann::json j = {{"accuracy", r.accuracy},
                            {"cells", r.stats.cells},
                            {"pulses", r.stats.pulses},
                            {"stuck", r.stats.stuck},
                            {"nonfinite", r.nonfinite}};
  write_file_atomic(path(scheme, t_s, trial), j.dump() + "\n");
}

namespace {

// A scheme's trials through one backend: the totals a simulated backend and the golden
// comparison report.
struct Totals {
  BackendTrial backend;
  uint64_t mismatches = 0;     // decoded codes that differ from the golden backend's
  uint64_t golden_pulses = 0;  // programming pulses of the golden (functional) model
};

// One stored-and-read trial: the accuracy of what `backend` gave back, its counters added to
// `sum`; `detail` gets what the progress line says beyond the accuracy.
TrialCache::Entry backend_trial(const StoredModel& model, const core::Allocation& alloc,
                                const core::Cell& cell, const nn::Dataset& test,
                                StorageBackend& backend, const EvaluateOptions& o,
                                const std::vector<std::string>& names, uint64_t cells, uint32_t t,
                                Totals& sum, std::string& detail) {
  const core::RandomStream noise(o.seed, t);
  const BackendTrial b =
      backend.store_and_read(cell, alloc, names, noise, t == 0 ? o.trace : std::string());
  // Every cell the scheme stores (`cells`: weight and reference cells) is read once.
  if (b.reads != cells)
    throw Error("", "schemes." + alloc.scheme.name,
                "the storage backend read " + std::to_string(b.reads) +
                    " cells, the scheme stores " + std::to_string(cells));
  char buf[200];
  if (o.golden) {
    const BackendTrial g = o.golden->store_and_read(cell, alloc, names, noise, "");
    uint64_t m = 0;
    for (size_t i = 0; i < alloc.segments.size(); ++i)
      for (size_t k = 0; k < alloc.segments[i].count; ++k) m += b.decoded[i][k] != g.decoded[i][k];
    sum.mismatches += m;
    sum.golden_pulses += g.pulses;
    detail = m == 0 ? ", bit-identical to functional" : ", MISMATCH";
  }
  if (backend.simulated()) {
    std::snprintf(buf, sizeof buf, ", %llu cycles, %.3f ms simulated, %.1f s wall",
                  static_cast<unsigned long long>(b.cycles), b.simulated_ns * 1e-6, b.wall_s);
    detail = buf + detail;
  }
  sum.backend += b;
  nn::Network net = model.net;
  load_stored(model, net, core::dequantize(alloc, b.decoded));
  const nn::Evaluation e = net.evaluate(test, o.threads);
  return {e.accuracy, {b.reads, b.pulses, b.stuck}, e.nonfinite};
}

// The per-trial means of a simulated backend, and the golden comparison.
void add_backend_metrics(const StorageBackend& backend, const core::Cell& cell,
                         const EvaluateOptions& o, const Totals& sum, uint64_t weights,
                         double trials, SchemeResult& r) {
  if (backend.simulated()) {
    const BackendTrial& b = sum.backend;
    r.metrics["cycles"] = static_cast<double>(b.cycles) / trials;
    r.metrics["simulated_ns"] = b.simulated_ns / trials;
    r.metrics["array_energy_pj"] = b.energy_pj / trials;
    r.metrics["weights_per_s_wall"] = static_cast<double>(weights) * trials / b.wall_s;
    // Programming energy as the array counted it.
    r.metrics["array_program_energy_uj"] = b.program_energy_pj / trials * 1e-6;
  }
  if (o.golden) {
    r.metrics["decoded_mismatches_vs_functional"] = static_cast<double>(sum.mismatches);
    // The functional estimate: the functional model's pulses priced as the array prices one.
    if (const auto pulse_pj = backend.pulse_energy_pj(cell))
      r.metrics["array_program_energy_uj_functional"] =
          static_cast<double>(sum.golden_pulses) * *pulse_pj / trials * 1e-6;
  }
}

}  // namespace

SchemePlan plan_scheme(const StoredModel& model, const core::SchemeSpec& s,
                       const core::Cell& cell) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto views = stored_views(model);
  SchemePlan p{core::allocate(views, s, cell), {}, {}, 0.0};
  p.row = footprint_row(p.alloc, model);
  for (const auto& seg : p.alloc.segments) p.names.push_back(views[seg.tensor].name);
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return p;
}

SchemeResult evaluate(const StoredModel& model, const core::SchemeSpec& s, const core::Cell& cell,
                      const nn::Dataset& test, StorageBackend& backend, const EvaluateOptions& o) {
  return evaluate(model, plan_scheme(model, s, cell), cell, test, backend, o);
}

SchemeResult evaluate(const StoredModel& model, const SchemePlan& plan, const core::Cell& cell,
                      const nn::Dataset& test, StorageBackend& backend, const EvaluateOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const core::Allocation& alloc = plan.alloc;
  const core::SchemeSpec& s = alloc.scheme;
  SchemeResult r = plan.row;
  r.metrics["read_time_s"] = cell.spec().read_time_s;

  nn::Network net = model.net;
  load_stored(model, net, core::error_free(alloc));
  const nn::Evaluation clean = net.evaluate(test, o.threads);
  r.noise_free_accuracy = clean.accuracy;
  r.noise_free_nonfinite = clean.nonfinite;

  // Digital baselines are error-free by construction: one deterministic trial.
  const uint32_t n = s.is_digital ? 1 : o.trials;
  const auto stop = s.is_digital ? std::nullopt : o.policy;
  const double t_s = cell.spec().read_time_s;
  const TrialCache* cache = backend.simulated() ? nullptr : o.cache;
  core::StoreStats total;
  Totals sum;
  for (uint32_t t = 0; t == 0 || !trials_done(r.trial_accuracy, n, stop, &r.trials_stop); ++t) {
    TrialCache::Entry tr;
    std::string detail;
    if (auto hit = cache ? cache->get(s.name, t_s, t) : std::nullopt) {
      tr = *hit;
    } else if (s.is_digital) {
      tr.accuracy = r.noise_free_accuracy;
      tr.nonfinite = r.noise_free_nonfinite;
    } else {
      // footprint_row's weight_cells: the weight cells and the reference cells.
      tr = backend_trial(model, alloc, cell, test, backend, o, plan.names, r.weight_cells, t, sum,
                         detail);
      if (cache) cache->put(s.name, t_s, t, tr);
    }
    r.trial_accuracy.push_back(tr.accuracy);
    r.trial_nonfinite.push_back(tr.nonfinite);
    total += tr.stats;
    if (o.progress) {
      char buf[240];
      std::snprintf(buf, sizeof buf, "%s trial %u/%u: %.2f %%%s%s", s.name.c_str(), t + 1, n,
                    tr.accuracy * 100, tr.nonfinite.empty() ? "" : " NON-FINITE at ",
                    tr.nonfinite.c_str());
      o.progress->step(buf + detail);
    }
  }
  r.accuracy = summarize(r.trial_accuracy);
  const double used = static_cast<double>(r.trial_accuracy.size());
  r.pulses_per_trial = static_cast<double>(total.pulses) / used;
  r.stuck_per_trial = static_cast<double>(total.stuck) / used;
  if (!s.is_digital)
    add_backend_metrics(backend, cell, o, sum, r.weights - model.digital_floats, used, r);
  r.seconds =
      plan.seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace anvil::flow
