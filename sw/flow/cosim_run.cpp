#include "flow/cosim_run.hpp"

#include <cstdio>
#include <utility>

#include "core/error.hpp"
#include "flow/cost.hpp"
#include "flow/evaluate.hpp"
#include "flow/experiment.hpp"
#include "flow/progress.hpp"
#include "flow/report.hpp"

namespace anvil::flow {

void run_cosim(const CosimRunOptions& o, StorageBackend& backend) {
  std::filesystem::create_directories(o.out);
  const auto cfg = load_experiment(o.config);
  const int threads = o.threads > 0 ? o.threads : cfg.threads;
  ExperimentSetup x = prepare_experiment(cfg);
  const core::Cell& cell = x.cell;
  const std::filesystem::path tech_dir = resolve_tech_dir("", o.config);
  const CostTech tech = load_cost_tech(tech_dir);

  // The analog schemes the backend can store (every one asked for by --scheme must be), with
  // the array their cells need (its organisation depends on the cell count only).
  std::vector<std::pair<SchemePlan, core::ArrayCost>> schemes;
  for (const auto& s : cfg.schemes) {
    if (s.is_digital || (!o.scheme.empty() && s.name != o.scheme)) continue;
    SchemePlan plan = plan_scheme(x.model, s, cell);
    const std::string why = backend.unsupported(plan.alloc);
    if (why.empty()) {
      const bool verify = cell.spec().verify.enabled;
      const auto array = cost_scheme(s, plan.row, cell.spec().adc_bits, verify, 0.0, tech).array;
      schemes.emplace_back(std::move(plan), array);
    } else if (!o.scheme.empty()) {
      throw Error(o.config, "schemes." + s.name, why);
    } else {
      std::fprintf(stderr, "anvil cosim: skipping %s: %s\n", s.name.c_str(), why.c_str());
    }
  }
  if (schemes.empty()) throw Error(o.config, "schemes", "no co-simulable analog scheme");

  Report rep;
  rep.accuracy_drop_pp = cfg.accuracy_drop_pp;
  rep.reference_accuracy = reference_accuracy(cfg, x.model, x.test, threads);
  rep.header = report_header(cfg, x, cfg.seed, o.trials, threads, std::nullopt);
  rep.header["mode"] = "cosim";
  FunctionalBackend golden(threads);
  Progress progress("cosim", schemes.size() * o.trials);
  EvaluateOptions eo;
  eo.seed = cfg.seed;
  eo.threads = threads;
  eo.trials = o.trials;
  eo.progress = &progress;
  eo.golden = &golden;
  eo.trace = o.trace;  // the first co-simulated trial only
  for (const auto& [plan, array] : schemes) {
    backend.set_array(tech, array);
    rep.rows.push_back(evaluate(x.model, plan, cell, x.test, backend, eo));
    eo.trace.clear();
  }
  add_experiment_cost(cfg, cell, tech, tech_dir, rep);  // area, energy, latency per row
  bool all_identical = true;
  for (const auto& r : rep.rows)
    all_identical = all_identical && r.metrics.at("decoded_mismatches_vs_functional") == 0;
  rep.header["bit_identical_to_functional"] = all_identical;
  write_report(rep, o.out);
  std::printf("%s", to_table(rep).c_str());
  std::printf("cosim vs functional decoded weights: %s\n",
              all_identical ? "bit-identical" : "DIFFERENT");
  if (!all_identical) throw Error(o.config, "cosim", "decoded weights differ from functional");
}

}  // namespace anvil::flow
