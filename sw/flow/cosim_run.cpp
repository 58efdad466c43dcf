#include "flow/cosim_run.hpp"

#include <cstdio>

#include "core/error.hpp"
#include "core/quantizer.hpp"
#include "core/store.hpp"
#include "flow/cost.hpp"
#include "flow/experiment.hpp"
#include "flow/report.hpp"
#include "nn/datasets.hpp"
#include "nn/onnx_io.hpp"

namespace anvil::flow {

namespace {

struct Ctx {
  const CosimRunOptions& o;
  const ExperimentConfig& cfg;
  const StoredModel& model;
  const std::vector<core::TensorView>& views;
  const nn::Dataset& test;
  const core::Cell& cell;
  int threads;
};

// One trial of one scheme: the functional golden path, the backend, their comparison and the
// accuracy of what the backend read. Adds the backend's counters to `sum`; returns mismatches.
uint64_t cosim_trial(const Ctx& c, const core::Allocation& alloc, const core::Footprint& fp,
                     StorageBackend& backend, uint32_t t, const std::string& trace,
                     SchemeResult& row, BackendTrial& sum, double& functional_pulses) {
  const core::RandomStream noise(c.cfg.seed, t);
  std::vector<std::string> names;
  std::vector<std::vector<int32_t>> golden;
  for (const auto& seg : alloc.segments) {
    names.push_back(c.views[seg.tensor].name);
    golden.emplace_back(seg.count);
    core::StoreStats st;  // reference cells, then weight cells
    const core::CodecParams p = core::segment_params(alloc, seg, c.cell, noise, &st);
    st +=
        core::store_and_read(c.cell, p, seg.codes, seg.base_cell, noise, golden.back(), c.threads);
    functional_pulses += static_cast<double>(st.pulses);
  }
  const BackendTrial r = backend.store_and_read(c.cell, alloc, names, noise, trace);
  // Every cell the functional model stores, reference cells included, was read once.
  if (r.reads != fp.weight_cells + fp.reference_cells)
    throw Error(c.o.config, "schemes." + row.name,
                "the array read " + std::to_string(r.reads) + " cells, the scheme stores " +
                    std::to_string(fp.weight_cells + fp.reference_cells));
  uint64_t mismatches = 0;
  std::vector<std::vector<float>> tensors;
  for (const auto& v : c.views) tensors.emplace_back(v.data.size(), 0.0f);
  for (size_t i = 0; i < alloc.segments.size(); ++i) {
    const auto& seg = alloc.segments[i];
    for (size_t k = 0; k < seg.count; ++k) mismatches += r.decoded[i][k] != golden[i][k];
    core::dequantize(seg.quant, r.decoded[i], seg.index, tensors[seg.tensor]);
  }
  nn::Network net = c.model.net;
  load_stored(c.model, net, tensors);
  const double acc = net.accuracy(c.test, c.threads);
  row.trial_accuracy.push_back(acc);
  sum.cycles += r.cycles;
  sum.simulated_ns += r.simulated_ns;
  sum.energy_pj += r.energy_pj;
  sum.program_energy_pj += r.program_energy_pj;
  sum.pulses += r.pulses;
  sum.wall_s += r.wall_s;
  std::fprintf(stderr,
               "[cosim] %s trial %u: %.2f %%, %llu cycles, %.3f ms simulated, %.1f s wall, %s\n",
               row.name.c_str(), t, acc * 100, static_cast<unsigned long long>(r.cycles),
               r.simulated_ns * 1e-6, r.wall_s,
               mismatches == 0 ? "bit-identical to functional" : "MISMATCH");
  return mismatches;
}

}  // namespace

void run_cosim(const CosimRunOptions& o, StorageBackend& backend) {
  std::filesystem::create_directories(o.out);
  const auto cfg = load_experiment(o.config);
  const int threads = o.threads > 0 ? o.threads : cfg.threads;
  auto model = prepare_model(nn::load_onnx(cfg.network), cfg.parameter_format);
  const auto data = nn::load_dataset(cfg.dataset, cfg.data_dir, cfg.labels);
  const core::Cell cell = experiment_cell(cfg);
  const std::filesystem::path tech_dir = resolve_tech_dir("", o.config);
  const CostTech tech = load_cost_tech(tech_dir);
  const auto views = stored_views(model);
  const Ctx c{o, cfg, model, views, data.test, cell, threads};

  Report rep;
  rep.accuracy_drop_pp = cfg.accuracy_drop_pp;
  rep.reference_accuracy = reference_accuracy(cfg, model, data.test, threads);
  rep.header = {
      {"experiment", cfg.echo["experiment"]},
      {"mode", "cosim"},
      {"seed", cfg.seed},
      {"trials", o.trials},
      {"threads", threads},
      {"network", {{"name", cfg.network.stem().string()}}},
      {"dataset", {{"name", data.test.name}}},
      {"device", {{"channel", cell.channel().kind()}, {"read_time_s", cell.spec().read_time_s}}}};
  bool all_identical = true;
  std::string trace = o.trace;  // the first co-simulated trial only
  for (const auto& s : cfg.schemes) {
    if (s.is_digital || (!o.scheme.empty() && s.name != o.scheme)) continue;
    const auto alloc = core::allocate(views, s, cell);
    const std::string why = backend.unsupported(alloc);
    if (!why.empty()) {
      if (!o.scheme.empty()) throw Error(o.config, "schemes." + s.name, why);
      std::fprintf(stderr, "anvil cosim: skipping %s: %s\n", s.name.c_str(), why.c_str());
      continue;
    }
    const core::Footprint fp = core::footprint(alloc);
    SchemeResult row = footprint_row(alloc, model);
    // The array this scheme's cells need (its organisation depends on the cell count only).
    backend.set_array(
        tech,
        cost_scheme(s, row, cell.spec().adc_bits, cell.spec().verify.enabled, 0.0, tech).array);
    {  // the same compressed model stored error-free
      nn::Network net = model.net;
      load_stored(model, net, core::error_free(alloc));
      row.noise_free_accuracy = net.accuracy(data.test, threads);
    }
    BackendTrial sum;
    uint64_t mismatches = 0;
    double functional_pulses = 0;
    for (uint32_t t = 0; t < o.trials; ++t) {
      mismatches += cosim_trial(c, alloc, fp, backend, t, trace, row, sum, functional_pulses);
      trace.clear();
    }
    const double n = o.trials;
    row.accuracy = summarize(row.trial_accuracy);
    row.pulses_per_trial = static_cast<double>(sum.pulses) / n;
    row.seconds = sum.wall_s;
    row.metrics["cycles"] = static_cast<double>(sum.cycles) / n;
    row.metrics["simulated_ns"] = sum.simulated_ns / n;
    row.metrics["array_energy_pj"] = sum.energy_pj / n;
    row.metrics["weights_per_s_wall"] = static_cast<double>(fp.weights) * n / sum.wall_s;
    row.metrics["decoded_mismatches_vs_functional"] = static_cast<double>(mismatches);
    // Programming energy as the array counted it, the functional estimate from the functional
    // model's pulses (same formula as flow/cost), and the row's area/energy/latency.
    row.metrics["array_program_energy_uj"] = sum.program_energy_pj / n * 1e-6;
    row.metrics["array_program_energy_uj_functional"] =
        functional_pulses * backend.pulse_energy_pj(cell) / n * 1e-6;
    all_identical = all_identical && mismatches == 0;
    rep.rows.push_back(std::move(row));
  }
  if (rep.rows.empty()) throw Error(o.config, "schemes", "no co-simulable analog scheme");
  add_experiment_cost(cfg, cell, tech, tech_dir, rep);  // area, energy, latency per row
  rep.header["bit_identical_to_functional"] = all_identical;
  write_report(rep, o.out);
  std::printf("%s", to_table(rep).c_str());
  std::printf("cosim vs functional decoded weights: %s\n",
              all_identical ? "bit-identical" : "DIFFERENT");
  if (!all_identical) throw Error(o.config, "cosim", "decoded weights differ from functional");
}

}  // namespace anvil::flow
