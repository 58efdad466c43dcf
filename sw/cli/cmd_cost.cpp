#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "flow/cost.hpp"
#include "flow/experiment.hpp"

namespace anvil::cli {

namespace {

struct CostArgs {
  std::string config, tech, cell, out;
  bool array = false;
  double capacity_mb = 16.0;
  uint32_t word_width = 64, bits_per_cell = 1, rows = 512, cols = 512, mux = 8;
  double node_nm = 0.0;
  int threads = 2;
};

void write_outputs(const std::string& out, const nlohmann::json& j, const std::string& table) {
  if (out.empty()) return;
  std::filesystem::create_directories(out);
  write_file_atomic(std::filesystem::path(out) / "cost.json", j.dump(2) + "\n");
  write_file_atomic(std::filesystem::path(out) / "cost.md", table);
}

void run_array(const CostArgs& a) {
  const auto dir = flow::resolve_tech_dir(a.tech, std::filesystem::current_path());
  const flow::CostTech tech = flow::load_cost_tech(dir, a.cell);
  require(a.capacity_mb > 0.0, "<args>", "--capacity-mb", "must be > 0");
  require(a.bits_per_cell >= 1 && a.bits_per_cell <= 16, "<args>", "--bits-per-cell",
          "must be in [1, 16]");
  require(a.word_width % a.bits_per_cell == 0, "<args>", "--word-width",
          "must be a multiple of --bits-per-cell");
  core::ArraySpec s;
  const double bits = a.capacity_mb * 1024.0 * 1024.0 * 8.0;
  s.cells = static_cast<uint64_t>(std::ceil(bits / a.bits_per_cell));
  s.word_cells = a.word_width / a.bits_per_cell;
  s.rows = a.rows;
  s.cols = a.cols;
  s.mux = a.mux;
  s.adc_bits = a.bits_per_cell;
  s.node_nm = a.node_nm > 0.0 ? a.node_nm : tech.cell.node_nm();
  const core::ArrayCost c = core::cost_array(s, tech.models());
  char buf[1024];
  std::string t;
  std::snprintf(buf, sizeof buf,
                "array: %.6g MB, %u-bit words, %u bit(s)/cell, %.0f nm, cell %s; %llu subarrays of "
                "%ux%u, mux %u, %u active\n",
                a.capacity_mb, a.word_width, a.bits_per_cell, s.node_nm,
                tech.cell.tech().name.c_str(), static_cast<unsigned long long>(c.subarrays), s.rows,
                s.cols, s.mux, c.active_subarrays);
  t += buf;
  std::snprintf(buf, sizeof buf,
                "area %.3f mm^2 (cells %.3f mm^2, efficiency %.1f %%); read latency %.2f ns; read "
                "energy %.2f pJ per access; write: RESET %.1f pJ / %.0f ns, SET %.1f pJ / %.0f ns "
                "per cell\n",
                c.area_um2 * 1e-6, c.cell_area_um2 * 1e-6, 100.0 * c.efficiency, c.read_latency_ns,
                c.read_energy_pj, tech.cell.reset_energy_pj(), tech.cell.reset_ns(),
                tech.cell.set_energy_pj(), tech.cell.set_ns());
  t += buf;
  t += "| component | count | area mm^2 | read energy pJ / access | read latency ns |\n"
       "|---|---:|---:|---:|---:|\n";
  for (const auto& p : c.parts) {
    std::snprintf(buf, sizeof buf, "| %s | %.0f | %.4f | %.3f | %.3f |\n", p.component.c_str(),
                  p.count, p.area_um2 * 1e-6, p.read_energy_pj, p.read_latency_ns);
    t += buf;
  }
  t += flow::tech_notes(tech);
  std::printf("%s", t.c_str());
  nlohmann::json j = core::to_json(c);
  j.update(flow::tech_json(tech, dir));
  write_outputs(a.out, j, t);
}

void run_experiment_cost(const CostArgs& a) {
  require(!a.config.empty(), "<args>", "experiment", "is required (or --array)");
  const auto cfg = flow::load_experiment(a.config);
  const auto dir = flow::resolve_tech_dir(a.tech, a.config);
  const flow::CostTech tech = flow::load_cost_tech(dir, a.cell);
  flow::CostOptions opt;
  if (a.node_nm > 0.0) opt.node_nm = a.node_nm;
  opt.word_cells = a.word_width;
  opt.rows = a.rows;
  opt.cols = a.cols;
  opt.mux = a.mux;
  const auto ec = flow::cost_experiment(cfg, tech, opt, a.threads);
  const std::string t = flow::cost_table(ec.costs) + flow::tech_notes(tech);
  std::printf("%s", t.c_str());
  nlohmann::json j = flow::tech_json(tech, dir);
  j["experiment"] = cfg.file;
  for (const auto& c : ec.costs) j["schemes"].push_back(flow::to_json(c));
  write_outputs(a.out, j, t);
}

}  // namespace

void add_cost(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "cost",
      "Area, energy and latency: of every scheme of an experiment, or of a bare array (--array)");
  auto a = std::make_shared<CostArgs>();
  cmd->add_option("experiment", a->config, "experiment YAML (not with --array)");
  cmd->add_flag("--array", a->array, "cost a bare array organisation (no network)");
  cmd->add_option("--tech", a->tech, "technology folder (default: models/tech)");
  cmd->add_option("--cell", a->cell, "cell file (default: TECH/pcm_cell.yaml)");
  cmd->add_option("--capacity-mb", a->capacity_mb, "--array: capacity in MB (2^20 bytes)");
  cmd->add_option("--word-width", a->word_width, "bits per access (--array) / cells per access");
  cmd->add_option("--bits-per-cell", a->bits_per_cell, "--array: 1 (SLC sense) or the ADC bits");
  cmd->add_option("--node", a->node_nm, "technology node in nm (default: the cell file's)");
  cmd->add_option("--rows", a->rows, "subarray rows");
  cmd->add_option("--cols", a->cols, "subarray columns");
  cmd->add_option("--mux", a->mux, "columns per column circuit (sense amp / ADC)");
  cmd->add_option("--threads", a->threads, "threads for the storage pass");
  cmd->add_option("--out", a->out, "folder for cost.json and cost.md");
  cmd->callback([a] { a->array ? run_array(*a) : run_experiment_cost(*a); });
}

}  // namespace anvil::cli
