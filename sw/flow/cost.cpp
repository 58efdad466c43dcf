#include "flow/cost.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/allocation.hpp"
#include "core/error.hpp"
#include "nn/datasets.hpp"
#include "nn/onnx_io.hpp"

namespace fs = std::filesystem;

namespace anvil::flow {

CostTech load_cost_tech(const fs::path& dir, const std::string& cell_file) {
  const auto file = [&](const char* name) { return (dir / name).string(); };
  const core::TechFile scaling = core::load_tech(file("scaling.yaml"), "scaling");
  const core::NodeScaling ns = core::NodeScaling::from(scaling);
  const core::TechFile cell =
      core::load_tech(cell_file.empty() ? file("pcm_cell.yaml") : cell_file, "pcm_cell");
  const core::TechFile adc = core::load_tech(file("adc.yaml"), "adc");
  const core::TechFile logic = core::load_tech(file("logic.yaml"), "logic");
  const core::TechFile path = core::load_tech(file("read_path.yaml"), "read_path");
  fs::path synth = dir / "../../synth/osu018/report.csv";
  std::error_code ec;
  if (!fs::is_regular_file(synth, ec))
    synth = fs::path(ANVIL_SOURCE_DIR) / "synth/osu018/report.csv";
  return CostTech{scaling,
                  core::PcmCellEstimator(cell),
                  core::SarAdcEstimator(adc, ns),
                  core::StdCellLogicEstimator(logic, ns),
                  core::ReadPathEstimator(path, ns),
                  synth.lexically_normal(),
                  load_synth_report(synth)};
}

nlohmann::json tech_json(const CostTech& tech, const fs::path& dir) {
  nlohmann::json j = {{"tech_dir", dir.string()}, {"scaling", tech.scaling.name}};
  for (const auto& [component, e] : tech.estimators()) {
    j[component] = e->tech().name;
    j["accuracy"][component] = e->accuracy_note();
  }
  return j;
}

std::string tech_notes(const CostTech& tech) {
  std::string t = "\nhow far to trust it (each estimator's accuracy note):\n";
  for (const auto& [component, e] : tech.estimators())
    t += "- " + std::string(component) + " (" + e->tech().name + "): " + e->accuracy_note() + "\n";
  return t;
}

fs::path find_tech_dir(const fs::path& from) {
  std::error_code ec;
  fs::path p = fs::absolute(from, ec);
  if (ec) return {};
  if (!fs::is_directory(p, ec)) p = p.parent_path();
  for (int i = 0; i < 5 && !p.empty(); ++i) {
    if (fs::is_regular_file(p / "models/tech/pcm_cell.yaml", ec)) return p / "models/tech";
    if (p == p.parent_path()) break;
    p = p.parent_path();
  }
  return {};
}

namespace {

uint32_t sense_bits(const CellClasses& c, uint32_t adc_bits) {
  if (c.analog) return adc_bits;
  return c.mlc2 ? 2 : 1;
}

}  // namespace

CellClasses cell_classes(const core::SchemeSpec& s, const SchemeResult& row) {
  CellClasses c;
  // row.weight_cells includes the reference cells; row.metadata_cells is the metadata stream.
  const uint64_t meta = row.metadata_cells;
  (s.metadata_cell == core::DigitalCell::kMlc2 ? c.mlc2 : c.slc) += meta;
  if (s.is_digital) {
    (s.digital.cell == core::DigitalCell::kMlc2 ? c.mlc2 : c.slc) += row.weight_cells;
  } else {
    c.analog += row.weight_cells;  // sign, replica, split and reference cells included
  }
  return c;
}

SchemeCost cost_scheme(const core::SchemeSpec& s, const SchemeResult& row, uint32_t adc_bits,
                       bool write_verify, double pulses, const CostTech& tech,
                       const CostOptions& opt) {
  SchemeCost c;
  c.scheme = row.name;
  c.cells = cell_classes(s, row);
  core::ArraySpec spec;
  spec.cells = std::max<uint64_t>(c.cells.total(), 1);
  spec.word_cells = opt.word_cells;
  spec.rows = opt.rows;
  spec.cols = opt.cols;
  spec.mux = opt.mux;
  spec.node_nm = opt.node_nm.value_or(tech.cell.node_nm());
  spec.adc_bits = sense_bits(c.cells, adc_bits);
  // A small model fits in fewer cells than one access reads: shrink the subarray to fit.
  while (spec.cells < uint64_t{spec.rows} * spec.cols && spec.rows > 16) spec.rows /= 2;
  const uint64_t per_sub = uint64_t{spec.rows} * spec.cols;
  const uint64_t subarrays = (spec.cells + per_sub - 1) / per_sub;
  spec.word_cells = static_cast<uint32_t>(
      std::min<uint64_t>(spec.word_cells, subarrays * (spec.cols / spec.mux)));
  c.array = core::cost_array(spec, tech.models());
  const auto& m = tech.models();
  const double node = spec.node_nm;
  c.codec = codec_logic(s, row, tech.synth, tech.logic.area_scale(node));

  // Read: every cell once at its own resolution, plus decoders/muxes per access.
  c.read_accesses = (c.cells.total() + spec.word_cells - 1) / spec.word_cells;
  // Per access: everything but the cells and the conversions, which are counted per cell
  // below at each cell's own resolution (bit lines, bus, decoders, multiplexers).
  const auto e = &core::ComponentCost::read_energy_pj;
  const double per_access_periphery = c.array.read_energy_pj - c.array.part("cells", e) -
                                      c.array.part("adc", e) - c.array.part("sense_amp", e);
  const double conv_pj = static_cast<double>(c.cells.analog) * m.adc.energy_pj(adc_bits, node) +
                         static_cast<double>(c.cells.slc) * m.adc.energy_pj(1, node) +
                         static_cast<double>(c.cells.mlc2) * m.adc.energy_pj(2, node);
  const double read_pj = static_cast<double>(c.cells.total()) * m.cell.read_energy_pj() + conv_pj +
                         static_cast<double>(c.read_accesses) * per_access_periphery;
  c.read_energy_nj = read_pj * 1e-3;
  c.read_latency_us = static_cast<double>(c.read_accesses) * c.array.read_latency_ns * 1e-3;

  // Programming.
  const double verify_pj =
      write_verify ? m.cell.read_energy_pj() + m.adc.energy_pj(adc_bits, node) : 0.0;
  double energy_pj = 0.0;
  if (s.is_digital || c.cells.analog == 0) {
    c.program_pulses = static_cast<double>(c.cells.total());
    energy_pj = c.program_pulses * 0.5 * (m.cell.set_energy_pj() + m.cell.reset_energy_pj());
  } else {
    c.program_pulses = pulses + static_cast<double>(c.cells.slc + c.cells.mlc2);
    energy_pj = pulses * (m.cell.reset_energy_pj() + verify_pj) +
                static_cast<double>(c.cells.slc + c.cells.mlc2) * 0.5 *
                    (m.cell.set_energy_pj() + m.cell.reset_energy_pj());
  }
  c.program_energy_uj = energy_pj * 1e-6;
  const double step_ns =
      std::max(m.cell.reset_ns(), m.cell.set_ns()) + (write_verify ? c.array.read_latency_ns : 0.0);
  c.program_time_ms = std::ceil(c.program_pulses / spec.word_cells) * step_ns * 1e-6;
  return c;
}

void add_cost_metrics(SchemeResult& row, const SchemeCost& c) {
  row.metrics["area_mm2"] = c.area_um2() * 1e-6;
  row.metrics["codec_area_mm2"] = c.codec.area_um2 * 1e-6;
  row.metrics["array_efficiency"] = c.array.efficiency;
  row.metrics["program_energy_uj"] = c.program_energy_uj;
  row.metrics["read_energy_nj"] = c.read_energy_nj;
  row.metrics["read_latency_us"] = c.read_latency_us;
}

// The members written under their own names (nlohmann::json sorts its keys, so the order of
// the lists is free). Defined here only: to_json(const SchemeCost&) adds the other keys.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CellClasses, analog, slc, mlc2)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SchemeCost, scheme, cells, program_pulses, program_energy_uj,
                                   program_time_ms, read_energy_nj, read_latency_us, read_accesses)

nlohmann::json to_json(const SchemeCost& c) {
  nlohmann::json j = c;
  j.update({{"area_mm2", c.area_um2() * 1e-6},
            {"array_area_mm2", c.array.area_um2 * 1e-6},
            {"codec", to_json(c.codec)},
            {"array", core::to_json(c.array)}});
  return j;
}

std::string cost_table(const std::vector<SchemeCost>& costs) {
  std::string out =
      "| scheme | cells | area mm^2 | array mm^2 | codec logic mm^2 | efficiency | program "
      "energy uJ | program time ms | read energy nJ (all weights) | read latency us |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  char buf[512];
  for (const auto& c : costs) {
    std::snprintf(
        buf, sizeof buf, "| %s | %llu | %.4f | %.4f | %.4f | %.3f | %.3f | %.3f | %.2f | %.2f |\n",
        c.scheme.c_str(), static_cast<unsigned long long>(c.cells.total()), c.area_um2() * 1e-6,
        c.array.area_um2 * 1e-6, c.codec.area_um2 * 1e-6, c.array.efficiency, c.program_energy_uj,
        c.program_time_ms, c.read_energy_nj, c.read_latency_us);
    out += buf;
  }
  out += "\ncodec logic (nearest synthesized configuration, OSU 0.18 um, scaled to the node):\n";
  for (const auto& c : costs) {
    std::snprintf(buf, sizeof buf, "%s: encoder %s, decoder %s, ecc %s: %.0f um^2 at 0.18 um%s%s\n",
                  c.scheme.c_str(), c.codec.encoder.empty() ? "-" : c.codec.encoder.c_str(),
                  c.codec.decoder.empty() ? "-" : c.codec.decoder.c_str(),
                  c.codec.ecc.empty() ? "-" : c.codec.ecc.c_str(), c.codec.area_lib_um2,
                  c.codec.note.empty() ? "" : "; ", c.codec.note.c_str());
    out += buf;
  }
  out += "\nbreakdown (area um^2 / read energy pJ per access / latency ns):\n";
  for (const auto& c : costs) {
    out += c.scheme + ":";
    for (const auto& p : c.array.parts) {
      std::snprintf(buf, sizeof buf, " %s %.0f/%.3f/%.2f;", p.component.c_str(), p.area_um2,
                    p.read_energy_pj, p.read_latency_ns);
      out += buf;
    }
    out += "\n";
  }
  return out;
}

fs::path resolve_tech_dir(const std::string& tech_dir, const fs::path& near) {
  if (!tech_dir.empty()) return tech_dir;
  if (auto d = find_tech_dir(near); !d.empty()) return d;
  if (auto d = find_tech_dir(fs::current_path()); !d.empty()) return d;
  return fs::path(ANVIL_SOURCE_DIR) / "models/tech";
}

ExperimentCost cost_experiment(const ExperimentConfig& cfg, const CostTech& tech,
                               const CostOptions& opt, int threads) {
  require(!cfg.schemes.empty(), cfg.file, "schemes", "is required to cost an experiment");
  const nn::Network net = nn::load_onnx(cfg.network);
  StoredModel model = prepare_model(net, cfg.parameter_format);
  if (needs_scores(cfg))  // which groups are protected (cells do not depend on it)
    score_weights(cfg, model, nn::load_dataset(cfg.dataset, cfg.data_dir, cfg.labels).train,
                  threads);
  const core::Cell cell = experiment_cell(cfg);
  ExperimentCost out;
  for (const auto& s : cfg.schemes) {
    const auto views = stored_views(model);
    const core::Allocation alloc = core::allocate(views, s, cell);
    SchemeResult row = footprint_row(alloc, model);
    if (!s.is_digital) {
      const auto rb = core::read_back(alloc, cell, core::RandomStream(cfg.seed, 0), threads);
      row.pulses_per_trial = static_cast<double>(rb.stats.pulses);
    }
    const SchemeCost c = cost_scheme(s, row, cell.spec().adc_bits, cell.spec().verify.enabled,
                                     row.pulses_per_trial, tech, opt);
    add_cost_metrics(row, c);
    out.rows.push_back(std::move(row));
    out.costs.push_back(c);
  }
  return out;
}

void add_experiment_cost(const ExperimentConfig& cfg, const core::Cell& cell, const CostTech& tech,
                         const fs::path& tech_dir, Report& rep) {
  for (SchemeResult& row : rep.rows) {
    const auto s = std::find_if(cfg.schemes.begin(), cfg.schemes.end(),
                                [&](const core::SchemeSpec& x) { return x.name == row.name; });
    if (s == cfg.schemes.end()) continue;
    add_cost_metrics(row, cost_scheme(*s, row, cell.spec().adc_bits, cell.spec().verify.enabled,
                                      row.pulses_per_trial, tech));
  }
  nlohmann::json& j = rep.header["cost"] = tech_json(tech, tech_dir);
  j["node_nm"] = tech.cell.node_nm();
  j["word_cells"] = CostOptions{}.word_cells;
}

void add_experiment_cost(const ExperimentConfig& cfg, const core::Cell& cell, Report& rep) {
  const fs::path dir = find_tech_dir(cfg.file);
  if (!dir.empty()) add_experiment_cost(cfg, cell, load_cost_tech(dir), dir, rep);
}

}  // namespace anvil::flow
