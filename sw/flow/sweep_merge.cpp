// `anvil sweep merge`: every point's result gathered into one table (one row per point and
// scheme), its Pareto fronts and the plots. Nothing in the tables depends on which backend,
// host or thread count ran a point: wall times stay in the points' own result.json.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "flow/plot.hpp"
#include "flow/sweep.hpp"

namespace anvil::flow {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* const kSchemeCols[] = {"scheme",
                                   "kind",
                                   "weights",
                                   "cells",
                                   "weight_cells",
                                   "metadata_cells",
                                   "cells_per_weight",
                                   "accuracy_mean",
                                   "accuracy_ci95",
                                   "noise_free_accuracy",
                                   "reference_accuracy",
                                   "drop_pp",
                                   "within_budget",
                                   "pulses_per_trial",
                                   "stuck_cells_per_trial"};

struct Table {
  std::vector<std::string> cols;
  std::vector<json> rows;  // column -> value (absent: empty cell)
  void add_col(const std::string& c) {
    if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
  }
};

// One row per scheme of a done point; one row for a failed or pending point.
void add_point_rows(Table& t, const json& point, const std::vector<std::string>& axes,
                    const std::optional<json>& res) {
  json base = {{"point", point.at("id")}};
  for (size_t k = 0; k < axes.size(); ++k) base[axes[k]] = point.at("values").at(k);
  base["status"] = res ? res->value("status", "failed") : "pending";
  if (!res || base["status"] != "done") {
    if (res) base["error"] = res->value("error", "");
    t.rows.push_back(base);
    return;
  }
  for (const auto& s : res->at("schemes")) {
    json r = base;
    r["scheme"] = s["name"];
    r["kind"] = s["kind"];
    for (const char* c : {"weights", "cells", "weight_cells", "metadata_cells", "cells_per_weight",
                          "noise_free_accuracy", "drop_pp", "within_budget", "pulses_per_trial",
                          "stuck_cells_per_trial"})
      r[c] = s[c];
    r["accuracy_mean"] = s["accuracy"]["mean"];
    r["accuracy_ci95"] = s["accuracy"]["ci95"];
    r["reference_accuracy"] = res->at("reference_accuracy");
    for (const auto& [b, v] : s["reduction"].items()) {
      t.add_col("reduction_vs_" + b);
      r["reduction_vs_" + b] = v;
    }
    for (const auto& [m, v] : s["metrics"].items()) {
      t.add_col(m);
      r[m] = v;
    }
    t.rows.push_back(r);
  }
}

std::string csv_cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
  if (v.is_number()) {
    std::ostringstream o;
    o.precision(10);
    o << v.get<double>();
    return o.str();
  }
  const std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string to_csv(const std::vector<std::string>& cols, const std::vector<const json*>& rows) {
  std::string out;
  for (size_t c = 0; c < cols.size(); ++c) out += (c ? "," : "") + cols[c];
  out += "\n";
  for (const json* r : rows) {
    for (size_t c = 0; c < cols.size(); ++c) {
      if (c) out += ",";
      if (r->contains(cols[c])) out += csv_cell(r->at(cols[c]));
    }
    out += "\n";
  }
  return out;
}

// "path=value; ..." of the condition axes a front is drawn within (sweep.front_within).
std::string group_of(const json& r, const std::vector<std::string>& within) {
  std::string g;
  for (const auto& w : within)
    g += (g.empty() ? "" : "; ") + w + "=" + (r.contains(w) ? csv_cell(r[w]) : std::string());
  return g;
}

// Rows of `group` not dominated in (cost lower, accuracy higher), cheapest first.
std::vector<const json*> pareto(const Table& t, const std::string& cost,
                                const std::vector<std::string>& within, const std::string& group) {
  std::vector<const json*> c;
  for (const auto& r : t.rows)
    if (r.value("status", "") == "done" && r.contains(cost) && r[cost].is_number() &&
        r["accuracy_mean"].is_number() && group_of(r, within) == group)
      c.push_back(&r);
  std::stable_sort(c.begin(), c.end(), [&](const json* a, const json* b) {
    const double ca = (*a)[cost].get<double>(), cb = (*b)[cost].get<double>();
    if (ca != cb) return ca < cb;
    return (*a)["accuracy_mean"].get<double>() > (*b)["accuracy_mean"].get<double>();
  });
  std::vector<const json*> front;
  double best = -1;
  for (const json* r : c) {
    const double acc = (*r)["accuracy_mean"].get<double>();
    if (acc > best) {
      front.push_back(r);
      best = acc;
    }
  }
  return front;
}

// Fronts of accuracy against cells per weight, and against area / energy columns if any, one
// per group of condition values.
std::vector<json> fronts(const Table& t, const std::vector<std::string>& within) {
  std::vector<std::string> costs = {"cells_per_weight"}, groups;
  for (const auto& c : t.cols)
    if (c.find("area") != std::string::npos || c.find("energy") != std::string::npos)
      costs.push_back(c);
  for (const auto& r : t.rows) {
    const std::string g = group_of(r, within);
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
  }
  std::vector<json> out;
  for (const auto& cost : costs)
    for (const auto& g : groups)
      for (const json* r : pareto(t, cost, within, g)) {
        json f = *r;
        f["front"] = cost;
        f["group"] = g;
        f["cost"] = (*r)[cost];
        out.push_back(std::move(f));
      }
  return out;
}

}  // namespace

MergeSummary merge_sweep(const fs::path& dir, bool plots) {
  const json m = read_manifest(dir);
  const auto axes = m.at("axes").get<std::vector<std::string>>();
  Table t;
  t.cols = {"point", "status"};
  for (const auto& a : axes) t.add_col(a);
  for (const char* c : kSchemeCols) t.add_col(c);
  MergeSummary sum;
  for (const auto& p : m.at("points")) {
    const auto res = read_point_result(dir, p.at("id").get<std::string>());
    const std::string st = res ? res->value("status", "failed") : "pending";
    (st == "done" ? sum.done : st == "failed" ? sum.failed : sum.pending)++;
    add_point_rows(t, p, axes, res);
  }
  t.add_col("error");
  sum.rows = t.rows.size();

  std::vector<const json*> all;
  std::string jsonl;
  for (const auto& r : t.rows) {
    all.push_back(&r);
    jsonl += r.dump() + "\n";
  }
  write_file_atomic(dir / "results.csv", to_csv(t.cols, all));
  write_file_atomic(dir / "results.jsonl", jsonl);

  const auto within = m.value("front_within", std::vector<std::string>{});
  const std::vector<json> front_rows = fronts(t, within);
  sum.front = front_rows.size();
  std::vector<std::string> fcols = {"front",         "group",   "cost",  "accuracy_mean",
                                    "accuracy_ci95", "drop_pp", "point", "scheme"};
  fcols.insert(fcols.end(), axes.begin(), axes.end());
  std::vector<const json*> fptr;
  for (const auto& f : front_rows) fptr.push_back(&f);
  write_file_atomic(dir / "pareto.csv", to_csv(fcols, fptr));
  if (plots) run_plot_script("plot_sweep.py", {dir.string()});
  return sum;
}

}  // namespace anvil::flow
