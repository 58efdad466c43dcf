#include "flow/report.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/atomic_file.hpp"
#include "flow/plot.hpp"

namespace anvil::flow {

namespace {
// Footprint of a baseline row divided by the row's, keyed by baseline name.
std::map<std::string, double> reductions(const Report& r, const SchemeResult& s) {
  std::map<std::string, double> out;
  for (const auto& b : r.rows) {
    if (b.kind != "digital" || s.cells() == 0) continue;
    out[b.name] = static_cast<double>(b.cells()) / static_cast<double>(s.cells());
  }
  return out;
}

// The flagged trials: [{"trial": t, "node": "name (Op)"}] for each trial whose inference
// produced a NaN or Inf.
nlohmann::json nonfinite_json(const SchemeResult& s) {
  nlohmann::json a = nlohmann::json::array();
  for (size_t t = 0; t < s.trial_nonfinite.size(); ++t)
    if (!s.trial_nonfinite[t].empty()) a.push_back({{"trial", t}, {"node", s.trial_nonfinite[t]}});
  return a;
}
}  // namespace

std::string fmt_number(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

size_t SchemeResult::nonfinite_trials() const {
  return static_cast<size_t>(std::count_if(trial_nonfinite.begin(), trial_nonfinite.end(),
                                           [](const std::string& n) { return !n.empty(); }));
}

double drop_pp(const Report& r, const SchemeResult& s) {
  return (r.reference_accuracy - s.accuracy.mean) * 100.0;
}

bool within_budget(const Report& r, const SchemeResult& s) {
  return drop_pp(r, s) <= r.accuracy_drop_pp + 1e-9;
}

nlohmann::json to_json(const Report& r) {
  nlohmann::json j = r.header;
  j["reference"] = {{"accuracy", r.reference_accuracy}, {"what", "uncompressed fp32, noise-free"}};
  j["experiment"]["accuracy_drop_pp"] = r.accuracy_drop_pp;
  auto& rows = j["schemes"] = nlohmann::json::array();
  for (const auto& s : r.rows) {
    nlohmann::json row = {
        {"name", s.name},
        {"kind", s.kind},
        {"spec", s.spec},
        {"weights", s.weights},
        {"cells", s.cells()},
        {"weight_cells", s.weight_cells},
        {"metadata_cells", s.metadata_cells},
        {"cells_per_weight", s.cells_per_weight()},
        {"accuracy",
         {{"mean", s.accuracy.mean},
          {"ci95", s.accuracy.ci95},
          {"stddev", s.accuracy.stddev},
          {"min", s.accuracy.min},
          {"max", s.accuracy.max},
          {"trials", s.trial_accuracy},
          {"nonfinite_trials", nonfinite_json(s)}}},
        {"noise_free_accuracy", s.noise_free_accuracy},
        {"noise_free_nonfinite", s.noise_free_nonfinite.empty()
                                     ? nlohmann::json(nullptr)
                                     : nlohmann::json(s.noise_free_nonfinite)},
        {"drop_pp", drop_pp(r, s)},
        {"within_budget", within_budget(r, s)},
        {"reduction", reductions(r, s)},
        {"pulses_per_trial", s.pulses_per_trial},
        {"stuck_cells_per_trial", s.stuck_per_trial},
        {"seconds", s.seconds},
        {"metrics", s.metrics},
    };
    if (!s.trials_stop.empty()) {
      row["trials_used"] = s.trial_accuracy.size();
      row["trials_stop"] = s.trials_stop;
    }
    rows.push_back(std::move(row));
  }
  return j;
}

std::string to_csv(const Report& r) {
  std::vector<std::string> baselines, metrics;
  for (const auto& b : r.rows)
    if (b.kind == "digital") baselines.push_back(b.name);
  for (const auto& s : r.rows)
    for (const auto& [k, v] : s.metrics)
      if (std::find(metrics.begin(), metrics.end(), k) == metrics.end()) metrics.push_back(k);
  std::ostringstream o;
  o << "scheme,kind,weights,cells,weight_cells,metadata_cells,cells_per_weight,accuracy_mean,"
       "accuracy_ci95,noise_free_accuracy,drop_pp,within_budget,pulses_per_trial,seconds";
  for (const auto& b : baselines) o << ",reduction_vs_" << b;
  for (const auto& m : metrics) o << "," << m;
  o << ",nonfinite_trials\n";
  o.precision(10);
  for (const auto& s : r.rows) {
    o << s.name << "," << s.kind << "," << s.weights << "," << s.cells() << "," << s.weight_cells
      << "," << s.metadata_cells << "," << s.cells_per_weight() << "," << s.accuracy.mean << ","
      << s.accuracy.ci95 << "," << s.noise_free_accuracy << "," << drop_pp(r, s) << ","
      << (within_budget(r, s) ? 1 : 0) << "," << s.pulses_per_trial << "," << s.seconds;
    const auto red = reductions(r, s);
    for (const auto& b : baselines) o << "," << red.at(b);
    for (const auto& m : metrics) {
      auto it = s.metrics.find(m);
      o << ",";
      if (it != s.metrics.end()) o << it->second;
    }
    o << "," << s.nonfinite_trials() << "\n";
  }
  return o.str();
}

namespace {

bool has_cost(const Report& r) {
  for (const auto& s : r.rows)
    if (s.metrics.count("area_mm2")) return true;
  return false;
}

// Area, energy and latency of every row (flow/cost metrics), one line each.
std::string cost_columns(const Report& r) {
  std::ostringstream o;
  o << "\n| scheme | area mm^2 | program energy uJ | read energy nJ (all weights) | read latency "
       "us |\n|---|---:|---:|---:|---:|\n";
  const auto get = [](const SchemeResult& s, const char* k) {
    const auto it = s.metrics.find(k);
    return it == s.metrics.end() ? std::string("-") : fmt_number("%.4g", it->second);
  };
  for (const auto& s : r.rows)
    o << "| " << s.name << " | " << get(s, "area_mm2") << " | " << get(s, "program_energy_uj")
      << " | " << get(s, "read_energy_nj") << " | " << get(s, "read_latency_us") << " |\n";
  return o.str();
}

}  // namespace

std::string to_table(const Report& r) {
  std::ostringstream o;
  const std::string conv = "fp32-slc-secded";
  o << "| scheme | cells | cells/weight | accuracy % (95% CI) | noise-free % | drop pp | "
       "reduction vs "
    << conv << " |\n|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& s : r.rows) {
    const auto red = reductions(r, s);
    auto it = red.find(conv);
    o << "| " << s.name << (within_budget(r, s) ? " ✓" : "") << " | " << s.cells() << " | "
      << fmt_number("%.3f", s.cells_per_weight()) << " | "
      << fmt_number("%.2f", s.accuracy.mean * 100) << " ± "
      << fmt_number("%.2f", s.accuracy.ci95 * 100) << " | "
      << fmt_number("%.2f", s.noise_free_accuracy * 100) << " | "
      << fmt_number("%+.2f", drop_pp(r, s)) << " | "
      << (it != red.end() ? fmt_number("%.2fx", it->second) : std::string("-")) << " |\n";
  }
  o << "\nuncompressed fp32 reference: " << fmt_number("%.2f", r.reference_accuracy * 100)
    << " %; ✓ = within " << fmt_number("%g", r.accuracy_drop_pp) << " pp\n";
  // Screening runs and trials: auto say so under the table (a default run adds nothing).
  const auto split = r.header.find("dataset");
  if (split != r.header.end() && split->contains("split") &&
      (*split)["split"].value("kind", "") != "full test split")
    o << "test images: " << (*split)["split"].value("kind", "") << ", "
      << (*split)["split"].value("images", size_t{0}) << " images\n";
  for (const auto& s : r.rows)
    if (!s.trials_stop.empty())
      o << "trials " << s.name << ": " << s.trial_accuracy.size() << " (" << s.trials_stop << ")\n";
  if (has_cost(r)) o << cost_columns(r);
  return o.str();
}

void write_report(const Report& r, const std::filesystem::path& dir, bool plot) {
  write_file_atomic(dir / "report.json", to_json(r).dump(2) + "\n");
  write_file_atomic(dir / "results.csv", to_csv(r));
  write_file_atomic(dir / "table.md", to_table(r));
  if (plot)
    run_plot_script("plot_report.py",
                    {(dir / "report.json").string(), (dir / "accuracy.png").string()});
  if (plot && has_cost(r))  // accuracy against area and against read energy
    run_plot_script("plot_cost.py", {(dir / "report.json").string(), (dir / "cost.png").string()});
}

}  // namespace anvil::flow
