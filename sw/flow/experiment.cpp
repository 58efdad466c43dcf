#include "flow/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "compress/sensitivity.hpp"
#include "core/allocation.hpp"
#include "core/atomic_file.hpp"
#include "core/device_config.hpp"
#include "core/error.hpp"
#include "core/footprint.hpp"
#include "core/quantizer.hpp"
#include "core/random.hpp"
#include "core/yaml_util.hpp"
#include "flow/build_info.hpp"
#include "flow/cost.hpp"
#include "flow/evaluate.hpp"
#include "flow/plot.hpp"
#include "flow/progress.hpp"
#include "nn/datasets.hpp"
#include "nn/onnx_io.hpp"

namespace anvil::flow {

namespace fs = std::filesystem;
using core::get_or;
using core::yaml_to_json;

std::string content_hash(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

// trials: N, or trials: {auto: {half_width_pp, min, max}}; test_subset: {images, seed}.
void parse_trials(const YAML::Node& e, const std::string& f, ExperimentConfig& cfg) {
  const YAML::Node t = e["trials"];
  if (t && t.IsMap()) {
    core::check_keys(t, {"auto"}, f, "experiment.trials");
    const YAML::Node a = t["auto"];
    require(a && a.IsMap(), f, "experiment.trials.auto",
            "is required in a trials map: {auto: {half_width_pp, min, max}}");
    core::check_keys(a, {"half_width_pp", "min", "max"}, f, "experiment.trials.auto");
    ExperimentConfig::AutoTrials at;
    at.half_width_pp =
        get_or<double>(a, "half_width_pp", at.half_width_pp, f, "experiment.trials.auto");
    require(at.half_width_pp > 0, f, "experiment.trials.auto.half_width_pp", "must be > 0");
    const auto mn = get_or<int64_t>(a, "min", at.min, f, "experiment.trials.auto");
    const auto mx = get_or<int64_t>(a, "max", 50, f, "experiment.trials.auto");
    require(mn >= 2, f, "experiment.trials.auto.min",
            "must be >= 2 (an interval needs two trials)");
    require(mx >= mn && mx <= 100000, f, "experiment.trials.auto.max", "must be in [min, 100000]");
    at.min = static_cast<uint32_t>(mn);
    cfg.trials = static_cast<uint32_t>(mx);
    cfg.trials_auto = at;
  } else {
    const auto trials = get_or<int64_t>(e, "trials", cfg.trials, f, "experiment");
    require(trials >= 1 && trials <= 100000, f, "experiment.trials", "must be in [1, 100000]");
    cfg.trials = static_cast<uint32_t>(trials);
  }
  if (const YAML::Node s = e["test_subset"]) {
    require(s.IsMap(), f, "experiment.test_subset", "must be a map {images, seed}");
    core::check_keys(s, {"images", "seed"}, f, "experiment.test_subset");
    const auto n = core::get_required<int64_t>(s, "images", f, "experiment.test_subset");
    require(n >= 1, f, "experiment.test_subset.images", "must be >= 1");
    cfg.test_subset = ExperimentConfig::TestSubset{
        static_cast<size_t>(n), get_or<uint64_t>(s, "seed", 0, f, "experiment.test_subset")};
  }
}

}  // namespace

ExperimentConfig load_experiment(const fs::path& file) {
  const YAML::Node root = core::load_yaml_file(file.string());
  return core::yaml_guard(file.string(),
                          [&] { return load_experiment(root, file.parent_path(), file.string()); });
}

ExperimentConfig load_experiment(const YAML::Node& root, const fs::path& dir,
                                 const std::string& label) {
  ExperimentConfig cfg;
  cfg.file = label;
  const std::string& f = cfg.file;
  core::check_keys(root, {"experiment", "schemes", "optimize"}, f, "");
  if (root["optimize"]) cfg.optimize = root["optimize"];
  const YAML::Node e = root["experiment"];
  if (!e) throw Error(f, "experiment", "is required");
  core::check_keys(
      e,
      {"name", "network", "dataset", "data_dir", "labels", "device", "read_time_s", "trials",
       "seed", "threads", "accuracy_drop_pp", "sweep_read_time_s", "sweep_trials", "description",
       "parameter_format", "reference_network", "test_subset"},
      f, "experiment");
  cfg.name = get_or<std::string>(e, "name", fs::path(label).stem().string(), f, "experiment");
  const auto net = core::get_required<std::string>(e, "network", f, "experiment");
  cfg.network = fs::path(net).is_absolute() ? fs::path(net) : dir / net;
  cfg.dataset = get_or<std::string>(e, "dataset", cfg.dataset, f, "experiment");
  cfg.data_dir = get_or<std::string>(e, "data_dir", "", f, "experiment");
  if (!cfg.data_dir.empty() && fs::path(cfg.data_dir).is_relative())
    cfg.data_dir = (dir / cfg.data_dir).string();
  cfg.labels = get_or<std::string>(e, "labels", "", f, "experiment");
  require(cfg.labels.empty() || cfg.dataset == "imagenet", f, "experiment.labels",
          "only for dataset: imagenet (a 'FILE LABEL' file for a flat folder of JPEGs)");
  if (!cfg.labels.empty() && fs::path(cfg.labels).is_relative())
    cfg.labels = (dir / cfg.labels).string();

  cfg.parameter_format =
      get_or<std::string>(e, "parameter_format", cfg.parameter_format, f, "experiment");
  require(cfg.parameter_format == "fp32" || cfg.parameter_format == "fp16" ||
              cfg.parameter_format == "int8",
          f, "experiment.parameter_format",
          "must be one of fp32, fp16, int8 (got '" + cfg.parameter_format + "')");
  if (e["reference_network"]) {
    const auto ref = core::get_required<std::string>(e, "reference_network", f, "experiment");
    cfg.reference_network = fs::path(ref).is_absolute() ? fs::path(ref) : dir / ref;
  }

  const YAML::Node dev = e["device"];
  if (!dev) throw Error(f, "experiment.device", "is required (a device file or a mapping)");
  if (dev.IsScalar()) {
    fs::path p = dev.as<std::string>();
    if (p.is_relative()) p = dir / p;
    cfg.device_file = p.string();
    const YAML::Node d = core::load_yaml_file(cfg.device_file);
    cfg.device = d["device"] ? d["device"] : d;
  } else {
    cfg.device_file = f;
    cfg.device = dev;
  }
  // Parsed once (bad device input fails here, early); the measured channel's data loaded once.
  cfg.cell = std::make_shared<const core::Cell>(core::make_cell(cfg.device, cfg.device_file));
  if (e["read_time_s"]) {
    cfg.read_time_s = get_or<double>(e, "read_time_s", 0.0, f, "experiment");
    require(*cfg.read_time_s >= 0, f, "experiment.read_time_s", "must be >= 0");
  }
  parse_trials(e, f, cfg);
  cfg.seed = get_or<uint64_t>(e, "seed", cfg.seed, f, "experiment");
  cfg.threads = get_or<int>(e, "threads", cfg.threads, f, "experiment");
  require(cfg.threads >= 1 && cfg.threads <= 256, f, "experiment.threads", "must be in [1, 256]");
  cfg.accuracy_drop_pp =
      get_or<double>(e, "accuracy_drop_pp", cfg.accuracy_drop_pp, f, "experiment");
  require(cfg.accuracy_drop_pp >= 0, f, "experiment.accuracy_drop_pp", "must be >= 0");
  cfg.sweep_read_time_s = get_or<std::vector<double>>(e, "sweep_read_time_s", {}, f, "experiment");
  for (double t : cfg.sweep_read_time_s)
    require(t >= 0, f, "experiment.sweep_read_time_s", "times must be >= 0");
  const auto st = get_or<int64_t>(e, "sweep_trials", cfg.sweep_trials, f, "experiment");
  require(st >= 1, f, "experiment.sweep_trials", "must be >= 1");
  cfg.sweep_trials = static_cast<uint32_t>(st);

  // An optimizer file (optimize: section) may leave the schemes to the optimizer.
  if (root["schemes"] || !root["optimize"]) {
    if (!root["schemes"]) throw Error(f, "schemes", "is required (a list of storage schemes)");
    cfg.schemes = core::parse_schemes(root["schemes"], f);
    require(!cfg.schemes.empty(), f, "schemes", "must list at least one scheme");
  }
  cfg.echo = yaml_to_json(root);
  cfg.echo["experiment"]["device"] = yaml_to_json(cfg.device);
  return cfg;
}

namespace {

// Round to the nearest fp16 value (ties to even; normal range, subnormals flushed to the
// nearest representable, saturating at 65504): what storing a parameter as fp16 returns.
float round_fp16(float x) {
  const float a = std::fabs(x);
  if (a == 0.0f || !std::isfinite(x)) return x;
  if (a >= 65504.0f) return std::copysign(65504.0f, x);
  int e = 0;
  std::frexp(a, &e);                    // a = m * 2^e, m in [0.5, 1)
  const int q = std::max(e - 11, -24);  // 11 significant bits; subnormal step 2^-24
  const float step = std::ldexp(1.0f, q);
  return std::copysign(std::nearbyint(a / step) * step, x);
}

// Stores `p` in `format`, in place; returns its bits.
uint64_t store_parameter(const nn::ParamRef& p, const std::string& format) {
  if (format == "fp16") {
    for (size_t i = 0; i < p.size; ++i) p.data[i] = round_fp16(p.data[i]);
    return 16ull * p.size;
  }
  if (format == "int8") {
    float mx = 0.0f;
    for (size_t i = 0; i < p.size; ++i) mx = std::max(mx, std::fabs(p.data[i]));
    const float scale = mx / 127.0f;
    if (scale > 0.0f)
      for (size_t i = 0; i < p.size; ++i) p.data[i] = std::nearbyint(p.data[i] / scale) * scale;
    return 8ull * p.size + 32;
  }
  return 32ull * p.size;
}

}  // namespace

StoredModel prepare_model(const nn::Network& net, const std::string& parameter_format) {
  StoredModel m{net.fold_batchnorm(), {}, 0, 0, {}};
  const auto params = m.net.parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& p = params[i];
    const bool weight = p.role == nn::ParamRole::kWeight &&
                        (p.op == nn::OpType::kLinear || p.op == nn::OpType::kConv2d);
    if (weight) {
      m.stored.push_back(i);
    } else {
      m.digital_floats += p.size;
      m.digital_bits += store_parameter(p, parameter_format);
    }
  }
  return m;
}

SchemeResult footprint_row(const core::Allocation& a, const StoredModel& m) {
  const core::Footprint fp = core::footprint(a, m.digital_bits);
  SchemeResult r;
  r.name = a.scheme.name;
  r.kind = a.scheme.is_digital ? "digital" : "analog";
  r.weights = fp.weights + m.digital_floats;
  r.weight_cells = fp.weight_cells + fp.reference_cells;
  r.metadata_cells = fp.metadata_cells;
  r.metrics["sign_cells"] = static_cast<double>(fp.sign_cells);
  r.metrics["reference_cells"] = static_cast<double>(fp.reference_cells);
  uint64_t stored = 0, index_bits = 0;
  for (const auto& t : a.tensors) {
    stored += t.stored;
    index_bits += t.index_bits;
  }
  if (stored != fp.weights) r.metrics["stored_weights"] = static_cast<double>(stored);
  if (index_bits) r.metrics["index_bits"] = static_cast<double>(index_bits);
  if (a.scheme.is_digital) {
    r.metrics["parity_cells"] = static_cast<double>(fp.parity_cells);
    r.metrics["raw_ber"] = fp.ecc.raw_ber;
    r.spec["ecc"] = fp.ecc.code.name;
  }
  r.spec["name"] = a.scheme.name;
  return r;
}

bool needs_scores(const ExperimentConfig& cfg) {
  const auto by_score = [](const core::SchemeSpec& s) {
    return s.importance.enabled && s.importance.metric == core::ImportanceMetric::kScore;
  };
  for (const auto& s : cfg.schemes) {
    if (by_score(s)) return true;
    for (const auto& t : s.per_tensor)
      if (by_score(t.scheme)) return true;
  }
  return false;
}

void score_weights(const ExperimentConfig& cfg, StoredModel& m, const nn::Dataset& train,
                   int threads) {
  require(!train.streamed() && train.size() > 0, cfg.file, "schemes",
          "importance metric 'score' (Fisher information) needs the data set's training "
          "split; " +
              cfg.dataset + " has none here");
  const compress::Scores f = compress::fisher_diagonal(
      m.net, train, std::min(kScoreImages, train.size()), cfg.seed, threads);
  m.scores.clear();
  for (size_t i : m.stored) m.scores.push_back(f[i]);
}

std::vector<core::TensorView> stored_views(const StoredModel& m) {
  std::vector<core::TensorView> v;
  const auto params = m.net.parameters();
  for (size_t i : m.stored) {
    const auto& p = params[i];
    std::span<const float> score;
    if (!m.scores.empty()) score = m.scores[v.size()];
    v.push_back({p.name, {p.data, p.size}, static_cast<uint32_t>(p.shape.at(0)), score});
  }
  return v;
}

void load_stored(const StoredModel& m, nn::Network& net,
                 const std::vector<std::vector<float>>& tensors) {
  auto params = net.parameters();
  for (size_t k = 0; k < m.stored.size(); ++k) {
    const auto& p = params[m.stored[k]];
    std::copy(tensors[k].begin(), tensors[k].end(), p.data);
  }
}

core::Cell experiment_cell(const ExperimentConfig& cfg, std::optional<double> t_s) {
  require(cfg.cell != nullptr, cfg.file, "experiment.device", "is not loaded");
  core::CellSpec spec = cfg.cell->spec();
  if (t_s) {
    spec.read_time_s = *t_s;
  } else if (cfg.read_time_s) {
    spec.read_time_s = *cfg.read_time_s;
  }
  return core::Cell(cfg.cell->channel_ptr(), spec);
}

namespace {

nlohmann::json device_json(const core::Cell& cell, const ExperimentConfig& cfg) {
  const auto& sp = cell.spec();
  return {{"file", cfg.device_file},
          {"channel", cell.channel().kind()},
          {"unit", cell.channel().unit()},
          {"dac_codes", cell.channel().dac_codes()},
          {"adc_bits", sp.adc_bits},
          {"read_time_s", sp.read_time_s},
          {"write_verify",
           {{"enabled", sp.verify.enabled},
            {"tolerance", sp.verify.tolerance},
            {"max_pulses", sp.verify.max_pulses}}},
          {"stuck_at", {{"rate", sp.stuck.rate}, {"low_fraction", sp.stuck.low_fraction}}},
          {"verify_time_s", sp.verify_time_s},
          {cell.channel().kind(), core::channel_section(cell.channel())}};
}

}  // namespace

nn::Dataset select_test_images(const nn::Dataset& test,
                               const std::optional<ExperimentConfig::TestSubset>& subset) {
  if (!subset || subset->images >= test.size()) return test;
  // Seeded Fisher-Yates over the indices; the first `images` drawn, in split order.
  const core::RandomStream rng(subset->seed, 0x5355425345540000ull);  // "SUBSET"
  std::vector<size_t> idx(test.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  for (size_t i = 0; i < subset->images; ++i) {
    const size_t j = i + rng.below(i, core::Draw::kUser, 0, idx.size() - i);
    std::swap(idx[i], idx[j]);
  }
  idx.resize(subset->images);
  std::sort(idx.begin(), idx.end());
  nn::Dataset out = test.select(idx);
  out.source = test.source + " (seeded subset: " + std::to_string(subset->images) + " of " +
               std::to_string(test.size()) + " images, seed " + std::to_string(subset->seed) + ")";
  return out;
}

bool trials_done(const std::vector<double>& accuracy, uint32_t cap,
                 const std::optional<ExperimentConfig::AutoTrials>& policy, std::string* why) {
  const size_t n = accuracy.size();
  char buf[160];
  if (policy && n >= policy->min) {
    const double hw_pp = summarize(accuracy).ci95 * 100;
    if (hw_pp <= policy->half_width_pp) {
      std::snprintf(buf, sizeof buf, "95%% half-width %.4g pp <= target %g pp after %zu trials",
                    hw_pp, policy->half_width_pp, n);
      if (why) *why = buf;
      return true;
    }
  }
  if (n < cap) return false;
  if (policy) {
    std::snprintf(buf, sizeof buf, "cap of %u trials reached (95%% half-width %.4g pp > %g pp)",
                  cap, summarize(accuracy).ci95 * 100, policy->half_width_pp);
    if (why) *why = buf;
  }
  return true;
}

double reference_accuracy(const ExperimentConfig& cfg, const StoredModel& model,
                          const nn::Dataset& test, int threads) {
  if (cfg.reference_network.empty()) return model.net.accuracy(test, threads);
  return nn::load_onnx(cfg.reference_network).fold_batchnorm().accuracy(test, threads);
}

ExperimentSetup prepare_experiment(const ExperimentConfig& cfg) {
  const nn::Network net = nn::load_onnx(cfg.network);
  nn::DataSplit data = nn::load_dataset(cfg.dataset, cfg.data_dir, cfg.labels);
  nn::Dataset test = select_test_images(data.test, cfg.test_subset);
  require(static_cast<size_t>(net.input_size()) == test.image_size(), cfg.file,
          "experiment.network", "input shape does not match the data set's images");
  require(net.classes() >= test.classes, cfg.file, "experiment.network",
          "has " + std::to_string(net.classes()) + " outputs, the data set " +
              std::to_string(test.classes) + " classes");
  ExperimentSetup x{prepare_model(net, cfg.parameter_format), std::move(test),
                    experiment_cell(cfg)};
  if (needs_scores(cfg)) score_weights(cfg, x.model, data.train, cfg.threads);
  return x;
}

nlohmann::json report_header(const ExperimentConfig& cfg, const ExperimentSetup& x, uint64_t seed,
                             uint32_t trials, int threads,
                             const std::optional<ExperimentConfig::AutoTrials>& policy) {
  const StoredModel& model = x.model;
  const nn::Dataset& test = x.test;
  uint64_t stored_weights = 0;
  for (const auto& v : stored_views(x.model)) stored_weights += v.data.size();
  nlohmann::json h = {
      {"anvil", build_info()},
      {"experiment", cfg.echo["experiment"]},
      {"schemes_config", cfg.echo["schemes"]},
      {"config_file", cfg.file},
      {"seed", seed},
      {"trials", trials},
      {"threads", threads},
      {"noise",
       {{"generator", "Philox4x32-10"},
        {"trial_stream", "RandomStream(seed, trial)"},
        {"cell_key", "linear cell index"}}},
      {"network",
       {{"name", cfg.network.stem().string()},
        {"file", cfg.network.string()},
        {"parameters", model.net.parameter_count()},
        {"stored_weights", stored_weights},
        {"digital_parameters", model.digital_floats},
        {"parameter_format", cfg.parameter_format},
        {"reference_network",
         cfg.reference_network.empty() ? cfg.network.string() : cfg.reference_network.string()}}},
      {"dataset", {{"name", test.name}, {"source", test.source}, {"test_images", test.size()}}},
      {"device", device_json(x.cell, cfg)},
  };
  h["experiment"]["accuracy_drop_pp"] = cfg.accuracy_drop_pp;
  if (policy)
    h["trials"] = {{"mode", "auto"},
                   {"half_width_pp", policy->half_width_pp},
                   {"min", policy->min},
                   {"max", trials},
                   {"what", "per scheme: schemes[].trials_used and trials_stop"}};
  if (cfg.test_subset)
    h["dataset"]["split"] = {{"kind", test.source.find("seeded subset") != std::string::npos
                                          ? "seeded subset (screening)"
                                          : "full test split (subset asked for covers it)"},
                             {"images", test.size()},
                             {"seed", cfg.test_subset->seed}};
  else
    h["dataset"]["split"] = {{"kind", "full test split"}, {"images", test.size()}};
  return h;
}

Report run_experiment(const ExperimentConfig& cfg, const RunOptions& opt) {
  require(!cfg.schemes.empty(), cfg.file, "schemes",
          "is required to run (this file has only an optimize: section; anvil optimize runs it)");
  const int threads = opt.threads.value_or(cfg.threads);
  const uint32_t trials = opt.trials.value_or(cfg.trials);
  // A fixed --trials overrides trials: auto.
  const auto policy = opt.trials ? std::nullopt : cfg.trials_auto;
  const uint64_t seed = opt.seed.value_or(cfg.seed);
  if (!opt.quiet)
    std::fprintf(stderr, "anvil: experiment %s, seed %llu, %u trials, %d threads\n",
                 cfg.name.c_str(), static_cast<unsigned long long>(seed), trials, threads);

  ExperimentSetup x = prepare_experiment(cfg);
  StoredModel& model = x.model;
  const nn::Dataset& test = x.test;
  const core::Cell& cell = x.cell;
  Report rep;
  rep.accuracy_drop_pp = cfg.accuracy_drop_pp;
  rep.reference_accuracy = reference_accuracy(cfg, model, test, threads);
  rep.header = report_header(cfg, x, seed, trials, threads, policy);

  // Cached trials are valid only for the same experiment, network file and seed.
  nlohmann::json ctx = cfg.echo;
  ctx["experiment"].erase("threads");
  ctx["experiment"].erase("trials");
  ctx["seed"] = seed;
  {  // the network's content, not its size: a retuned network keeps its size
    std::ifstream in(cfg.network, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ctx["network_hash"] = content_hash(bytes);
  }
  const TrialCache cache(opt.out / ".trials", ctx.dump());
  FunctionalBackend backend(threads);
  EvaluateOptions eo;
  eo.seed = seed;
  eo.threads = threads;
  eo.trials = trials;
  eo.policy = policy;
  eo.cache = &cache;

  size_t steps = 0;
  for (const auto& s : cfg.schemes) steps += s.is_digital ? 1 : trials;
  Progress progress("run", steps);
  eo.progress = opt.quiet ? nullptr : &progress;
  for (const auto& s : cfg.schemes) rep.rows.push_back(evaluate(model, s, cell, test, backend, eo));
  add_experiment_cost(cfg, cell, rep);  // area, energy, latency (flow/cost.hpp)
  write_report(rep, opt.out, opt.plots);
  for (const auto& r : rep.rows)  // flagged in report.json and results.csv; said here too
    if (r.nonfinite_trials() > 0)
      std::fprintf(stderr, "anvil: warning: %s: %zu of %zu trials computed NaN/Inf (first: %s)\n",
                   r.name.c_str(), r.nonfinite_trials(), r.trial_nonfinite.size(), [&] {
                     for (const auto& n : r.trial_nonfinite)
                       if (!n.empty()) return n.c_str();
                     return "";
                   }());

  if (opt.sweep && !cfg.sweep_read_time_s.empty()) {
    // Drift sweep: accuracy of every analog scheme against the time since programming.
    nlohmann::json sweep = nlohmann::json::array();
    std::string csv = "scheme,read_time_s,accuracy_mean,accuracy_ci95,trials\n";
    size_t n_analog = 0;
    for (const auto& s : cfg.schemes) n_analog += !s.is_digital;
    Progress sp("drift", n_analog * cfg.sweep_read_time_s.size() * cfg.sweep_trials);
    eo.trials = cfg.sweep_trials;
    eo.policy.reset();
    eo.progress = opt.quiet ? nullptr : &sp;
    for (double t : cfg.sweep_read_time_s) {
      const core::Cell ct = experiment_cell(cfg, t);
      for (const auto& s : cfg.schemes) {
        if (s.is_digital) continue;
        const SchemeResult r = evaluate(model, s, ct, test, backend, eo);
        sweep.push_back({{"scheme", s.name},
                         {"read_time_s", t},
                         {"accuracy", r.accuracy.mean},
                         {"ci95", r.accuracy.ci95},
                         {"trials", r.trial_accuracy}});
        char line[256];
        std::snprintf(line, sizeof line, "%s,%g,%.6f,%.6f,%zu\n", s.name.c_str(), t,
                      r.accuracy.mean, r.accuracy.ci95, r.trial_accuracy.size());
        csv += line;
      }
    }
    nlohmann::json dj = {{"seed", seed},
                         {"reference_accuracy", rep.reference_accuracy},
                         {"accuracy_drop_pp", cfg.accuracy_drop_pp},
                         {"network", rep.header["network"]["name"]},
                         {"device", rep.header["device"]},
                         {"points", sweep}};
    write_file_atomic(opt.out / "drift.json", dj.dump(2) + "\n");
    write_file_atomic(opt.out / "drift.csv", csv);
    if (opt.plots)
      run_plot_script("plot_drift.py",
                      {(opt.out / "drift.json").string(), (opt.out / "drift.png").string()});
  }
  return rep;
}

}  // namespace anvil::flow
