// anvil cosim: the experiment of `anvil run`, stored and read through the co-simulation
// (Verilated weight_encoder/weight_decoder + SystemC pcm_array) instead of the functional
// model, for one Monte Carlo trial or a chosen number. SystemC elaborates once per process,
// so every (scheme, trial) runs in a forked child; the parent compares the decoded codes with
// the functional golden path for the same seed and reports any difference.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "cli/commands.hpp"
#include "core/allocation.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/quantizer.hpp"
#include "core/store.hpp"
#include "flow/cost.hpp"
#include "flow/experiment.hpp"
#include "flow/report.hpp"
#include "nn/datasets.hpp"
#include "nn/onnx_io.hpp"
#include "systemc/cosim.hpp"
#include "systemc/pcm_array_cost.hpp"

namespace anvil::cli {

namespace fs = std::filesystem;

namespace {

struct CosimArgs {
  std::string config, out = "out/cosim", trace, scheme;
  uint32_t trials = 1;
  int threads = 0;
};

// What one child process reports back (through a binary file).
struct ChildResult {
  std::vector<std::vector<int32_t>> decoded;  // per segment
  uint64_t cycles = 0, pulses = 0, reads = 0;
  double simulated_ns = 0, energy_pj = 0, wall_s = 0;
  double program_energy_pj = 0;  // pulses and verify reads, as the SystemC array counted them
};

void write_child(const fs::path& p, const cosim::CosimResult& r) {
  std::ofstream o(p, std::ios::binary);
  if (!o) throw Error(p.string(), "", "cannot write the co-simulation result");
  auto put = [&](const auto& v) { o.write(reinterpret_cast<const char*>(&v), sizeof v); };
  put(r.cycles);
  put(r.array.pulses);
  put(r.array.reads);
  put(r.simulated_ns);
  const double e = r.array.energy_pj();
  put(e);
  put(r.array.program_energy_pj);
  put(r.wall_s);
  const uint64_t n = r.segments.size();
  put(n);
  for (const auto& s : r.segments) {
    const uint64_t m = s.decoded.size();
    put(m);
    o.write(reinterpret_cast<const char*>(s.decoded.data()),
            static_cast<std::streamsize>(m * sizeof(int32_t)));
  }
}

ChildResult read_child(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  ChildResult r;
  auto get = [&](auto& v) { in.read(reinterpret_cast<char*>(&v), sizeof v); };
  get(r.cycles);
  get(r.pulses);
  get(r.reads);
  get(r.simulated_ns);
  get(r.energy_pj);
  get(r.program_energy_pj);
  get(r.wall_s);
  uint64_t n = 0;
  get(n);
  r.decoded.resize(n);
  for (auto& d : r.decoded) {
    uint64_t m = 0;
    get(m);
    d.resize(m);
    in.read(reinterpret_cast<char*>(d.data()), static_cast<std::streamsize>(m * sizeof(int32_t)));
  }
  if (!in) throw Error(p.string(), "", "co-simulation child result truncated");
  return r;
}

// Runs one elaboration in a child process; returns its results.
ChildResult run_in_child(const core::Cell& cell, const std::vector<cosim::CosimSegment>& segs,
                         const core::RandomStream& noise, const cosim::CosimOptions& opt,
                         const fs::path& result_file) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw Error("", "cosim", "fork failed");
  if (pid == 0) {
    int rc = 0;
    try {
      write_child(result_file, cosim::run_cosim(cell, segs, noise, opt));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "anvil: error: %s\n", e.what());
      rc = 2;
    }
    std::fflush(nullptr);
    ::_exit(rc);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error("", "cosim", "co-simulation failed (see the line above)");
  return read_child(result_file);
}

// Programming energy as the SystemC array counted it, the functional estimate from the
// functional model's pulses (same formula as flow/cost), and the row's area/energy/latency.
void add_energy_metrics(flow::SchemeResult& row, const core::SchemeSpec& s, const core::Cell& cell,
                        const flow::CostTech& tech, const cosim::PcmArrayCost& array,
                        double cosim_program_pj, double functional_pulses, double trials) {
  const double verify_pj = cell.spec().verify.enabled ? array.read_energy_pj() : 0.0;
  const double functional_pj = functional_pulses * (array.pulse_energy_pj() + verify_pj);
  row.metrics["array_program_energy_uj"] = cosim_program_pj / trials * 1e-6;
  row.metrics["array_program_energy_uj_functional"] = functional_pj / trials * 1e-6;
  const flow::SchemeCost c = flow::cost_scheme(
      s, row, cell.spec().adc_bits, cell.spec().verify.enabled, row.pulses_per_trial, tech);
  flow::add_cost_metrics(row, c);
}

}  // namespace

void add_cosim(CLI::App& app) {
  auto a = std::make_shared<CosimArgs>();
  auto* cmd = app.add_subcommand("cosim",
                                 "Run an experiment through the SystemC + Verilator co-simulation");
  cmd->add_option("experiment", a->config, "experiment YAML (configs/*.yaml)")->required();
  cmd->add_option("--out", a->out, "report folder");
  cmd->add_option("--scheme", a->scheme, "only this scheme (default: every co-simulable one)");
  cmd->add_option("--trials", a->trials, "Monte Carlo trials (default 1)");
  cmd->add_option("--threads", a->threads, "threads of the functional reference and inference");
  cmd->add_option(cosim::kTraceFlag, a->trace,
                  std::string("waveform file (") + cosim::cosim_trace_format() +
                      "), written for the first scheme's first trial");
  cmd->callback([a] {
    if (!cosim::cosim_available()) throw Error("", "cosim", "this build has no Verilated RTL");
    fs::create_directories(a->out);
    const auto cfg = flow::load_experiment(a->config);
    const int threads = a->threads > 0 ? a->threads : cfg.threads;
    auto model = flow::prepare_model(nn::load_onnx(cfg.network), cfg.parameter_format);
    const auto data = nn::load_dataset(cfg.dataset, cfg.data_dir);
    const core::Cell cell = flow::experiment_cell(cfg);
    const flow::CostTech tech = flow::load_cost_tech(flow::resolve_tech_dir("", a->config));
    const auto array_cost =
        cosim::tech_pcm_array_cost(tech.cell, tech.adc, cell.spec().adc_bits, tech.cell.node_nm());
    auto views = flow::stored_views(model);

    flow::Report rep;
    rep.accuracy_drop_pp = cfg.accuracy_drop_pp;
    rep.reference_accuracy = flow::reference_accuracy(cfg, model, data.test, threads);
    rep.header = {
        {"experiment", cfg.echo["experiment"]},
        {"mode", "cosim"},
        {"seed", cfg.seed},
        {"trials", a->trials},
        {"threads", threads},
        {"network", {{"name", cfg.network.stem().string()}}},
        {"dataset", {{"name", data.test.name}}},
        {"device", {{"channel", cell.channel().kind()}, {"read_time_s", cell.spec().read_time_s}}}};
    bool all_identical = true;
    bool traced = false;
    for (const auto& s : cfg.schemes) {
      if (s.is_digital || (!a->scheme.empty() && s.name != a->scheme)) continue;
      const auto alloc = core::allocate(views, s, cell);
      std::string why;
      for (const auto& seg : alloc.segments)
        if (why.empty()) why = cosim::cosim_unsupported(seg.params);
      if (!why.empty()) {
        if (!a->scheme.empty()) throw Error(a->config, "schemes." + s.name, why);
        std::fprintf(stderr, "anvil cosim: skipping %s: %s\n", s.name.c_str(), why.c_str());
        continue;
      }
      const auto fp = core::footprint(alloc);
      flow::SchemeResult row = flow::footprint_row(alloc, model);
      {  // the same compressed model stored error-free
        nn::Network net = model.net;
        flow::load_stored(model, net, core::error_free(alloc));
        row.noise_free_accuracy = net.accuracy(data.test, threads);
      }
      double cycles = 0, sim_ns = 0, energy = 0, pulses = 0, wall = 0, mismatches = 0;
      double program_pj = 0, functional_pulses = 0;
      for (uint32_t t = 0; t < a->trials; ++t) {
        const core::RandomStream noise(cfg.seed, t);
        // The functional golden path for this trial, segment by segment.
        std::vector<core::CodecParams> params;
        std::vector<std::vector<int32_t>> golden;
        for (const auto& seg : alloc.segments) {
          core::StoreStats st;  // reference cells, then weight cells
          params.push_back(core::segment_params(alloc, seg, cell, noise, &st));
          golden.emplace_back(seg.count);
          st += core::store_and_read(cell, params.back(), seg.codes, seg.base_cell, noise,
                                     golden.back(), threads);
          functional_pulses += static_cast<double>(st.pulses);
        }
        std::vector<cosim::CosimSegment> segs;
        for (size_t i = 0; i < alloc.segments.size(); ++i) {
          const auto& seg = alloc.segments[i];
          cosim::CosimReferences ref;  // decode: ref: the array holds the reference cells too
          for (uint32_t d : core::reference_dacs(alloc, seg))
            ref.dacs.push_back(static_cast<uint16_t>(d));
          if (!ref.dacs.empty()) {
            ref.base_cell = seg.ref_base;
            ref.tables = [&alloc, &seg, &cell](std::span<const uint32_t> adc) {
              return core::params_from_references(alloc, seg, cell, adc);
            };
          }
          segs.push_back({views[seg.tensor].name, seg.params, seg.codes, seg.base_cell, ref});
        }
        cosim::CosimOptions opt;
        opt.array.cost = array_cost;
        if (!a->trace.empty() && !traced) {
          opt.trace_file = a->trace;
          traced = true;
        }
        const auto r = run_in_child(cell, segs, noise, opt, fs::path(a->out) / ".cosim.bin");
        // Every cell the functional model stores, reference cells included, was read once.
        if (r.reads != fp.weight_cells + fp.reference_cells)
          throw Error(a->config, "schemes." + s.name,
                      "the array read " + std::to_string(r.reads) + " cells, the scheme stores " +
                          std::to_string(fp.weight_cells + fp.reference_cells));
        std::vector<std::vector<float>> tensors;
        for (const auto& v : views) tensors.emplace_back(v.data.size(), 0.0f);
        for (size_t i = 0; i < alloc.segments.size(); ++i) {
          const auto& seg = alloc.segments[i];
          for (size_t k = 0; k < seg.count; ++k) mismatches += r.decoded[i][k] != golden[i][k];
          core::dequantize(seg.quant, r.decoded[i], seg.index, tensors[seg.tensor]);
        }
        nn::Network net = model.net;
        flow::load_stored(model, net, tensors);
        const double acc = net.accuracy(data.test, threads);
        row.trial_accuracy.push_back(acc);
        cycles += static_cast<double>(r.cycles);
        sim_ns += r.simulated_ns;
        energy += r.energy_pj;
        program_pj += r.program_energy_pj;
        pulses += static_cast<double>(r.pulses);
        wall += r.wall_s;
        std::fprintf(stderr,
                     "[cosim] %s trial %u: %.2f %%, %llu cycles, %.3f ms simulated, %.1f s wall, "
                     "%s\n",
                     s.name.c_str(), t, acc * 100, static_cast<unsigned long long>(r.cycles),
                     r.simulated_ns * 1e-6, r.wall_s,
                     mismatches == 0 ? "bit-identical to functional" : "MISMATCH");
      }
      fs::remove(fs::path(a->out) / ".cosim.bin");
      const double n = a->trials;
      row.accuracy = flow::summarize(row.trial_accuracy);
      row.pulses_per_trial = pulses / n;
      row.seconds = wall;
      row.metrics["cycles"] = cycles / n;
      row.metrics["simulated_ns"] = sim_ns / n;
      row.metrics["array_energy_pj"] = energy / n;
      row.metrics["weights_per_s_wall"] = static_cast<double>(fp.weights) * n / wall;
      row.metrics["decoded_mismatches_vs_functional"] = mismatches;
      add_energy_metrics(row, s, cell, tech, *array_cost, program_pj, functional_pulses, n);
      all_identical = all_identical && mismatches == 0;
      rep.rows.push_back(std::move(row));
    }
    if (rep.rows.empty()) throw Error(a->config, "schemes", "no co-simulable analog scheme");
    rep.header["bit_identical_to_functional"] = all_identical;
    flow::write_report(rep, a->out);
    std::printf("%s", flow::to_table(rep).c_str());
    std::printf("cosim vs functional decoded weights: %s\n",
                all_identical ? "bit-identical" : "DIFFERENT");
    if (!all_identical) throw Error(a->config, "cosim", "decoded weights differ from functional");
  });
}

}  // namespace anvil::cli
