#include "flow/optimize.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>

#include "compress/prune.hpp"
#include "core/allocation.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/footprint.hpp"
#include "core/random.hpp"
#include "core/yaml_util.hpp"
#include "flow/build_info.hpp"
#include "flow/cost.hpp"
#include "flow/plot.hpp"
#include "flow/storage_noise.hpp"
#include "nn/datasets.hpp"
#include "nn/onnx_io.hpp"
#include "nn/train.hpp"

namespace anvil::flow {

namespace fs = std::filesystem;
using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// The optimize: section.

namespace {

template <class T>
std::vector<T> get_list(const YAML::Node& s, const char* key, std::vector<T> def,
                        const std::string& file, const std::string& what) {
  if (!s[key]) return def;
  std::vector<T> v;
  try {
    v = s[key].as<std::vector<T>>();
  } catch (const YAML::Exception&) {
    throw Error(file, std::string("optimize.") + key, "must be a list of " + what);
  }
  return v;
}

}  // namespace

OptimizeSpec parse_optimize(const YAML::Node& s, const std::string& file,
                            double default_budget_pp) {
  OptimizeSpec o;
  o.budget_pp = default_budget_pp;
  if (!s || s.IsNull()) return o;
  require(s.IsMap(), file, "optimize", "must be a map");
  core::check_keys(s,
                   {"keep", "sparsity", "compress_share", "compress_epochs", "finetune_epochs",
                    "lr", "levels", "split_levels", "reserve_levels", "reserve_split",
                    "levels_from", "decode", "mapping", "digital_bits", "train_images",
                    "screen_images", "screen_trials", "confirm_trials", "budgets"},
                   file, "optimize");
  using core::get_or;
  o.keep = get_list<double>(s, "keep", o.keep, file, "fractions in (0, 1)");
  for (double k : o.keep)
    require(k > 0 && k < 1, file, "optimize.keep", "fractions must be in (0, 1)");
  require(std::is_sorted(o.keep.rbegin(), o.keep.rend()), file, "optimize.keep",
          "must decrease (each step prunes the last)");
  o.sparsity = get_list<double>(s, "sparsity", o.sparsity, file, "fractions in (0, 1)");
  for (double k : o.sparsity)
    require(k > 0 && k < 1, file, "optimize.sparsity", "fractions must be in (0, 1)");
  require(std::is_sorted(o.sparsity.begin(), o.sparsity.end()), file, "optimize.sparsity",
          "must increase");
  o.compress_share = get_or<double>(s, "compress_share", o.compress_share, file, "optimize");
  require(o.compress_share >= 0 && o.compress_share <= 1, file, "optimize.compress_share",
          "must be in [0, 1]");
  o.compress_epochs = get_or<int>(s, "compress_epochs", o.compress_epochs, file, "optimize");
  o.finetune_epochs = get_or<int>(s, "finetune_epochs", o.finetune_epochs, file, "optimize");
  require(o.compress_epochs >= 0 && o.finetune_epochs >= 0, file, "optimize.*_epochs",
          "must be >= 0");
  o.lr = get_or<double>(s, "lr", o.lr, file, "optimize");
  require(o.lr > 0 && std::isfinite(o.lr), file, "optimize.lr", "must be > 0");
  o.levels = get_list<uint32_t>(s, "levels", o.levels, file, "level counts");
  o.split_levels = get_list<uint32_t>(s, "split_levels", o.split_levels, file, "level counts");
  require(!o.levels.empty() || !o.split_levels.empty(), file, "optimize.levels",
          "empty search space: no codec to choose from (levels and split_levels are empty)");
  for (uint32_t l : o.levels)
    require(l >= 2 && l <= 256, file, "optimize.levels", "level counts must be in [2, 256]");
  for (uint32_t l : o.split_levels)
    require(l >= 2 && l <= 256, file, "optimize.split_levels", "level counts must be in [2, 256]");
  o.reserve_levels =
      get_list<uint32_t>(s, "reserve_levels", o.reserve_levels, file, "level counts");
  for (uint32_t l : o.reserve_levels)
    require(l >= 2 && l <= 256, file, "optimize.reserve_levels",
            "level counts must be in [2, 256]");
  o.reserve_split = get_or<uint32_t>(s, "reserve_split", o.reserve_split, file, "optimize");
  require(o.reserve_split >= 1 && o.reserve_split <= 4, file, "optimize.reserve_split",
          "must be in [1, 4]");
  if (s["levels_from"])
    o.levels_from =
        core::levels_from_string(s["levels_from"].as<std::string>(), file, "optimize.levels_from");
  if (s["decode"])
    o.decode = core::decode_from_string(s["decode"].as<std::string>(), file, "optimize.decode");
  require(o.decode != core::DecodeMode::kRef, file, "optimize.decode",
          "ref is not searched (its tables depend on each storage run)");
  if (s["mapping"]) {
    // Reuse the scheme parser's strict mapping rules on a throw-away scheme.
    YAML::Node n;
    n["name"] = "optimize";
    n["mapping"] = s["mapping"];
    o.mapping = core::parse_scheme(n, file, "optimize").mapping;
  }
  o.digital_bits = get_list<uint32_t>(s, "digital_bits", o.digital_bits, file, "bit widths");
  require(!o.digital_bits.empty(), file, "optimize.digital_bits",
          "empty search space: no bit width for the decoupled baselines");
  for (uint32_t b : o.digital_bits)
    require(b >= 2 && b <= 16, file, "optimize.digital_bits", "bit widths must be in [2, 16]");
  std::sort(o.digital_bits.begin(), o.digital_bits.end());
  o.train_images = get_or<uint32_t>(s, "train_images", o.train_images, file, "optimize");
  require(o.train_images == 0 || o.train_images >= 256, file, "optimize.train_images",
          "must be 0 (all) or >= 256");
  o.screen_images = get_or<uint32_t>(s, "screen_images", o.screen_images, file, "optimize");
  o.screen_trials = get_or<uint32_t>(s, "screen_trials", o.screen_trials, file, "optimize");
  o.confirm_trials = get_or<uint32_t>(s, "confirm_trials", o.confirm_trials, file, "optimize");
  require(o.screen_images >= 100, file, "optimize.screen_images", "must be >= 100");
  require(o.screen_trials >= 1, file, "optimize.screen_trials", "must be >= 1");
  require(o.confirm_trials >= 2, file, "optimize.confirm_trials",
          "must be >= 2 (a confidence interval needs two trials)");
  o.budgets = get_list<double>(s, "budgets", {}, file, "budgets in percentage points");
  for (double b : o.budgets)
    require(b > 0 && b <= 100, file, "optimize.budgets", "budgets must be in (0, 100]");
  return o;
}

// ---------------------------------------------------------------------------------------------
// Helpers.

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A seeded subset of `d` (images in their original order).
nn::Dataset subset(const nn::Dataset& d, size_t n, uint64_t seed) {
  if (n >= d.size()) return d;
  const core::RandomStream rng(seed, 0x53435245ull);  // "SCRE"
  std::vector<size_t> perm(d.size());
  std::iota(perm.begin(), perm.end(), size_t{0});
  for (size_t i = perm.size() - 1; i > 0; --i)
    std::swap(perm[i], perm[rng.below(i, core::Draw::kUser, 0, i + 1)]);
  perm.resize(n);
  std::sort(perm.begin(), perm.end());
  nn::Dataset s = d.select(perm);
  s.source = d.source + " (seeded subset of " + std::to_string(n) + ")";
  return s;
}

// Conv/Linear weights of a network: what the storage schemes hold.
std::vector<std::string> stored_names(const nn::Network& net) {
  std::vector<std::string> v;
  for (const auto& p : net.parameters())
    if (p.role == nn::ParamRole::kWeight &&
        (p.op == nn::OpType::kLinear || p.op == nn::OpType::kConv2d))
      v.push_back(p.name);
  return v;
}

uint64_t parameter_count(const nn::Network& net) {
  uint64_t n = 0;
  for (const auto& p : net.fold_batchnorm().parameters()) n += p.size;
  return n;
}

// Writes `s` through to every stored weight of `net` in turn.
void for_stored(nn::Network& net, const std::function<void(size_t, nn::ParamRef&)>& f) {
  size_t t = 0;
  for (auto& p : net.parameters())
    if (p.role == nn::ParamRole::kWeight &&
        (p.op == nn::OpType::kLinear || p.op == nn::OpType::kConv2d))
      f(t++, p);
}

// Fine-tunes `net` in place; a run that diverges (non-finite weights, which nn::train reports)
// leaves `net` as it was and says so: a failed tuning is a candidate not improved, not a crash.
bool tune_or_keep(nn::Network& net, const nn::Dataset& train, const nn::TrainConfig& t,
                  const char* what) {
  nn::Network tuned = net;
  try {
    nn::train(tuned, train, {}, t);
  } catch (const Error& e) {
    std::fprintf(stderr, "[optimize] %s diverged (%s); kept the network untuned\n", what, e.what());
    return false;
  }
  net = std::move(tuned);
  return true;
}

// A training hook that keeps the pruned (zero) stored weights of `net` at zero.
std::function<void(nn::Network&)> keep_zeros(const nn::Network& net) {
  compress::Masks masks;
  for (const auto& p : net.parameters())
    if (p.role == nn::ParamRole::kWeight &&
        (p.op == nn::OpType::kLinear || p.op == nn::OpType::kConv2d)) {
      auto& m = masks[p.name];
      for (size_t i = 0; i < p.size; ++i) m.push_back(p.data[i] != 0.0f);
    }
  return compress::mask_hook(std::move(masks));
}

// ---------------------------------------------------------------------------------------------
// The shared state of one optimize run.

struct Ctx {
  const ExperimentConfig& cfg;
  OptimizeSpec spec;
  OptimizeOptions opt;
  int threads = 2;
  uint64_t seed = 1;
  fs::path cache;
  nn::DataSplit data;
  nn::Dataset screen;
  core::Cell cell;
  nn::Network original;    // as loaded (training form)
  nn::Network teacher;     // the original, folded: the distillation teacher
  double acc0 = 0;         // uncompressed, noise-free, full test split
  double acc0_screen = 0;  // the same on the screening subset
  uint64_t original_params = 0;
  json stages = json::object();

  void say(const char* fmt, ...) const __attribute__((format(printf, 2, 3)));
  nn::TrainConfig train_config(int epochs, uint64_t salt) const {
    nn::TrainConfig t;
    t.epochs = epochs;
    t.batch = 64;
    t.shards = 4;
    t.threads = threads;
    t.lr = spec.lr;
    t.momentum = 0.9;
    t.weight_decay = 0;
    t.seed = seed ^ (salt * 0x9E3779B97F4A7C15ull);
    return t;
  }
};

void Ctx::say(const char* fmt, ...) const {
  if (opt.quiet) return;
  va_list ap;
  va_start(ap, fmt);
  std::fputs("[optimize] ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
}

// A network cached on disk under its stage key (ONNX + accuracy), for resume after a kill.
struct NetCache {
  const Ctx& c;
  fs::path onnx(const std::string& key) const { return c.cache / (key + ".onnx"); }
  fs::path meta(const std::string& key) const { return c.cache / (key + ".json"); }
  std::optional<std::pair<nn::Network, json>> get(const std::string& key) const {
    if (!fs::exists(onnx(key)) || !fs::exists(meta(key))) return std::nullopt;
    try {
      std::ifstream in(meta(key));
      return std::make_pair(nn::load_onnx(onnx(key)), json::parse(in));
    } catch (...) {
      return std::nullopt;  // a damaged entry is recomputed
    }
  }
  void put(const std::string& key, const nn::Network& net, const json& m) const {
    write_file_atomic(onnx(key), nn::onnx_bytes(net));
    write_file_atomic(meta(key), m.dump() + "\n");
  }
};

// ---------------------------------------------------------------------------------------------
// Stage 1: compression candidates.

struct Candidate {
  std::string id;       // e.g. "k0.5" or "k0.5-s0.75"
  nn::Network net;      // inference form (BatchNorm folded)
  double keep = 1.0;    // channels kept by structured pruning
  double sparsity = 0;  // zeros among the stored weights
  double accuracy = 0;  // noise-free, full test split, fp32 parameters
  uint64_t stored = 0;  // nonzero stored weights
};

uint64_t nonzeros(const nn::Network& net) {
  uint64_t n = 0;
  nn::Network copy = net;
  for_stored(copy, [&](size_t, nn::ParamRef& p) {
    for (size_t i = 0; i < p.size; ++i) n += p.data[i] != 0.0f;
  });
  return n;
}

Candidate make_candidate(const Ctx& c, std::string id, const nn::Network& trained, double keep,
                         double sparsity) {
  Candidate k{std::move(id), trained.fold_batchnorm(), keep, sparsity, 0, 0};
  k.accuracy = k.net.accuracy(c.data.test, c.threads);
  k.stored = nonzeros(k.net);
  return k;
}

std::vector<Candidate> compression_candidates(Ctx& c, double share_pp) {
  const NetCache cache{c};
  const double floor_acc = c.acc0 - share_pp / 100.0;
  std::vector<Candidate> out;
  out.push_back(make_candidate(c, "dense", c.original, 1.0, 0.0));
  json log = json::array();
  // Structured steps, each from the last accepted network.
  const auto prunable = compress::prunable_nodes(c.original);
  // Nodes too small to matter keep their channels: pruning them costs accuracy, saves nothing.
  uint64_t total = 0;
  for (const auto& n : c.original.nodes())
    if (n.op == nn::OpType::kLinear || n.op == nn::OpType::kConv2d)
      total += n.params.at(0).data.size();
  std::map<std::string, int> channels;
  for (const auto& n : c.original.nodes())
    for (const auto& name : prunable)
      if (n.name == name && n.params.at(0).data.size() * 50 >= total)
        channels[name] = static_cast<int>(n.params.at(0).shape.at(0));
  nn::Network cur = c.original;
  std::string chain =
      content_hash(nn::onnx_bytes(c.original) + "|train" + std::to_string(c.spec.train_images));
  double cur_keep = 1.0;
  for (double k : c.spec.keep) {
    std::map<std::string, int> keep;
    for (const auto& [name, ch] : channels)
      keep[name] = std::max(1, static_cast<int>(std::lround(k * ch)));
    chain = content_hash(chain + "|keep" + std::to_string(k) + "|e" +
                         std::to_string(c.spec.compress_epochs) + "|lr" +
                         std::to_string(c.spec.lr) + "|seed" + std::to_string(c.seed) + "|kd");
    nn::Network net;
    if (auto hit = cache.get("s-" + chain)) {
      net = std::move(hit->first);
    } else {
      net = compress::prune_channels(cur, keep);
      nn::TrainConfig t = c.train_config(c.spec.compress_epochs, 1);
      t.teacher = &c.teacher;
      tune_or_keep(net, c.data.train, t, "pruning fine-tuning");
      cache.put("s-" + chain, net, {{"keep", k}});
    }
    Candidate cand = make_candidate(c, "k" + std::to_string(k).substr(0, 5), net, k, 0.0);
    c.say("structured keep %.3f: %.2f %% noise-free (floor %.2f %%), %llu weights", k,
          cand.accuracy * 100, floor_acc * 100, static_cast<unsigned long long>(cand.stored));
    log.push_back({{"keep", k}, {"accuracy", cand.accuracy}, {"stored", cand.stored}});
    if (cand.accuracy < floor_acc) break;
    cur = net;
    cur_keep = k;
    out.push_back(std::move(cand));
  }
  // Unstructured steps on top of the smallest structured network, masks kept while tuning.
  const std::vector<std::string> names = stored_names(cur);
  for (double s : c.spec.sparsity) {
    const std::string key = "u-" + content_hash(chain + "|sparsity" + std::to_string(s));
    nn::Network net;
    if (auto hit = cache.get(key)) {
      net = std::move(hit->first);
    } else {
      net = cur;
      const compress::Masks masks = compress::global_magnitude_masks(net, names, s);
      compress::apply_masks(net, masks);
      nn::TrainConfig t = c.train_config(c.spec.compress_epochs, 2);
      t.teacher = &c.teacher;
      t.after_step = [&masks](nn::Network& n) { compress::apply_masks(n, masks); };
      tune_or_keep(net, c.data.train, t, "pruning fine-tuning");
      cache.put(key, net, {{"sparsity", s}});
    }
    Candidate cand = make_candidate(
        c, "k" + std::to_string(cur_keep).substr(0, 5) + "-s" + std::to_string(s).substr(0, 4), net,
        cur_keep, s);
    c.say("unstructured sparsity %.2f: %.2f %% noise-free, %llu nonzero weights", s,
          cand.accuracy * 100, static_cast<unsigned long long>(cand.stored));
    log.push_back({{"keep", cur_keep},
                   {"sparsity", s},
                   {"accuracy", cand.accuracy},
                   {"stored", cand.stored}});
    if (cand.accuracy < floor_acc) break;
    out.push_back(std::move(cand));
  }
  c.stages["compression"] = {{"floor_accuracy", floor_acc}, {"steps", log}};
  return out;
}

// ---------------------------------------------------------------------------------------------
// Stage 2: per-layer storage.

// One entry of the per-layer codec menu.
struct Option {
  core::CodecShape shape;
  uint32_t cells() const { return shape.split * shape.replicas + (shape.sign_cell ? 1 : 0); }
  std::string label() const {
    return shape.split > 1
               ? "split" + std::to_string(shape.split) + "x" + std::to_string(shape.levels)
               : "L" + std::to_string(shape.levels);
  }
};

std::vector<Option> codec_menu(const OptimizeSpec& s) {
  std::vector<Option> m;
  for (uint32_t l : s.split_levels) m.push_back({{l, 2, 1, false, 1, core::Combine::kMedian}});
  for (uint32_t l : s.levels) m.push_back({{l, 1, 1, false, 1, core::Combine::kMedian}});
  return m;
}

// The menu with the reserve tier appended (indices of the menu stay valid).
std::vector<Option> with_reserve(std::vector<Option> m, const OptimizeSpec& s) {
  for (uint32_t l : s.reserve_levels)
    m.push_back({{l, s.reserve_split, 1, false, 1, core::Combine::kMedian}});
  return m;
}

// Sparse index format of one tensor: the smaller of bitmap and relative (2..8 bits).
core::SparseSpec best_index(std::span<const float> w) {
  core::SparseSpec best{core::SparseFormat::kBitmap, 4};
  uint64_t bits = core::sparse_index_bits(best, w);
  for (uint32_t b = 2; b <= 8; ++b) {
    const core::SparseSpec r{core::SparseFormat::kRelative, b};
    const uint64_t rb = core::sparse_index_bits(r, w);
    if (rb < bits) {
      bits = rb;
      best = r;
    }
  }
  return best;
}

std::string menu_key(const std::vector<Option>& menu) {
  std::string k;
  for (const Option& o : menu) k += o.label() + ",";
  return k;
}

// A design: one menu option per stored tensor of a candidate network.
struct Design {
  std::vector<size_t> choice;
  double screen_accuracy = 0;
};

std::string mapping_yaml(const core::MappingSpec& m) {
  char b[128];
  std::snprintf(b, sizeof b, "{granularity: %s, clip_quantile: %.17g}",
                core::to_string(m.granularity), m.clip_quantile);
  return b;
}

// The design as a scheme in YAML (parsed back by core::parse_schemes: one spelling).
std::string design_scheme_yaml(const Ctx& c, const std::string& name, const Candidate& k,
                               const std::vector<Option>& menu, const Design& d) {
  std::string y = "  - name: " + name + "\n";
  y += "    levels_from: " + std::string(core::to_string(c.spec.levels_from)) + "\n";
  y += "    decode: " + std::string(core::to_string(c.spec.decode)) + "\n";
  y += "    mapping: " + mapping_yaml(c.spec.mapping) + "\n";
  y += "    metadata: {cell: mlc2}\n";
  y += "    per_tensor:\n";
  nn::Network net = k.net;
  for_stored(net, [&](size_t t, nn::ParamRef& p) {
    const Option& o = menu[d.choice[t]];
    y += "      " + p.name + ": {levels: " + std::to_string(o.shape.levels) +
         ", split: " + std::to_string(o.shape.split);
    if (k.sparsity > 0) {
      const core::SparseSpec sp = best_index({p.data, p.size});
      y += std::string(", sparse: {format: ") + core::to_string(sp.format) +
           ", index_bits: " + std::to_string(sp.index_bits) + "}";
    }
    y += "}\n";
  });
  return y;
}

core::SchemeSpec design_scheme(const Ctx& c, const Candidate& k, const std::vector<Option>& menu,
                               const Design& d) {
  return core::parse_schemes_text("schemes:\n" + design_scheme_yaml(c, "design", k, menu, d),
                                  "<design>")
      .at(0);
}

// Read-back samplers for every menu option over the tensors of one candidate network.
struct Screener {
  const Ctx& c;
  const Candidate& k;
  std::vector<Option> menu;
  std::vector<StorageNoise> noise;  // per option, all tensors stored with it
  std::vector<uint64_t> stored;     // per tensor: nonzero weights

  Screener(const Ctx& ctx, const Candidate& cand, std::vector<Option> m)
      : c(ctx), k(cand), menu(std::move(m)) {
    StoredModel sm = prepare_model(k.net);
    const auto views = stored_views(sm);
    for (const auto& v : views)
      stored.push_back(static_cast<uint64_t>(
          std::count_if(v.data.begin(), v.data.end(), [](float x) { return x != 0.0f; })));
    for (size_t o = 0; o < menu.size(); ++o) {
      Design uniform{std::vector<size_t>(views.size(), o), 0};
      noise.emplace_back(design_scheme(c, k, menu, uniform), views, c.cell);
    }
  }

  // Mean accuracy over screen_trials read-back samples of the design on the subset.
  double accuracy(const nn::Network& net, const Design& d) const {
    double sum = 0;
    for (uint32_t t = 0; t < c.spec.screen_trials; ++t) {
      nn::Network n = net;
      const core::RandomStream rs(c.seed, 0x5C000000ull + t);
      for_stored(n, [&](size_t i, nn::ParamRef& p) {
        noise[d.choice[i]].apply(i, {p.data, p.size}, rs);
      });
      sum += n.accuracy(c.screen, c.threads);
    }
    return sum / c.spec.screen_trials;
  }

  uint64_t weight_cells(const Design& d) const {
    uint64_t n = 0;
    for (size_t t = 0; t < d.choice.size(); ++t) n += stored[t] * menu[d.choice[t]].cells();
    return n;
  }
};

// Greedy on marginal gains, from the cheap end: start from `start` (every layer on the
// cheapest tier, the design the network was tuned for) and, while the screened drop misses the
// target, take the upgrade (a layer to its best option of the next dearer tier) that buys the
// most screened accuracy per added cell.
Design greedy(const Screener& s, const nn::Network& net, Design d, double target_pp, json* log) {
  const size_t T = s.stored.size();
  d.screen_accuracy = s.accuracy(net, d);
  auto drop = [&](double acc) { return (s.c.acc0_screen - acc) * 100; };
  while (drop(d.screen_accuracy) > target_pp) {
    double best_gain = -1e300;
    Design best;
    for (size_t t = 0; t < T; ++t) {
      const uint32_t cur = s.menu[d.choice[t]].cells();
      uint32_t tier = ~0u;
      for (const Option& o : s.menu)
        if (o.cells() > cur) tier = std::min(tier, o.cells());
      if (tier == ~0u) continue;
      for (size_t o = 0; o < s.menu.size(); ++o) {
        if (s.menu[o].cells() != tier) continue;
        Design m = d;
        m.choice[t] = o;
        m.screen_accuracy = s.accuracy(net, m);
        const double added = static_cast<double>(s.stored[t]) * (tier - cur);
        const double gain = (m.screen_accuracy - d.screen_accuracy) / std::max(1.0, added);
        if (gain > best_gain) {
          best_gain = gain;
          best = m;
        }
      }
    }
    if (best.choice.empty()) break;  // every layer on the dearest tier: infeasible
    if (log) log->push_back({{"choice", best.choice}, {"screen_accuracy", best.screen_accuracy}});
    d = best;
  }
  return d;
}

// Noise-aware fine-tuning: in the forward pass every stored weight is replaced by a read-back
// sample of its codec (the design's code channels), backward straight through. Zeros of a
// sparse candidate stay zero.
nn::Network noise_aware(const Ctx& c, const Screener& s, const Candidate& k, const Design& d) {
  const NetCache cache{c};
  const std::string key =
      "n-" + content_hash(nn::onnx_bytes(k.net) + "|" + json(d.choice).dump() + "|" +
                          menu_key(s.menu) + "|e" + std::to_string(c.spec.finetune_epochs) + "|lr" +
                          std::to_string(c.spec.lr) + "|seed" + std::to_string(c.seed) +
                          "|kd|train" + std::to_string(c.spec.train_images));
  if (auto hit = cache.get(key)) return std::move(hit->first);
  nn::Network net = k.net;
  nn::TrainConfig t = c.train_config(c.spec.finetune_epochs, 3);
  t.teacher = &c.teacher;  // distillation keeps it close to what the uncompressed one knows
  t.forward_transform = [&s, &d, &c](nn::Network& fwd, uint64_t step) {
    const core::RandomStream rs(c.seed, 0x4E410000ull + step);
    for_stored(fwd, [&](size_t i, nn::ParamRef& p) {
      s.noise[d.choice[i]].apply(i, {p.data, p.size}, rs);
    });
  };
  if (k.sparsity > 0) t.after_step = keep_zeros(net);
  tune_or_keep(net, c.data.train, t, "noise-aware fine-tuning");
  cache.put(key, net, {{"choice", d.choice}});
  return net;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Stage 3: designs as experiment YAMLs, confirmed through the real flow.

namespace {

std::string rel(const fs::path& p, const fs::path& dir) {
  return fs::proximate(fs::absolute(p), fs::absolute(dir)).generic_string();
}

// An experiment YAML for `network` (in `dir`) with these schemes, beside the original
// experiment's data set, device, read time and seed.
std::string experiment_yaml(const Ctx& c, const fs::path& dir, const std::string& name,
                            const std::string& network, const std::string& pformat, uint32_t trials,
                            const std::string& schemes) {
  std::string y = "# Written by anvil optimize (" + c.cfg.file + "); runs unchanged with\n";
  y += "# anvil run / anvil cosim / anvil export-rtl.\nexperiment:\n";
  y += "  name: " + name + "\n";
  y += "  network: " + network + "\n";
  y += "  reference_network: " + rel(c.cfg.network, dir) + "\n";
  y += "  dataset: " + c.cfg.dataset + "\n";
  if (!c.cfg.data_dir.empty()) y += "  data_dir: " + rel(c.cfg.data_dir, dir) + "\n";
  if (c.cfg.device_file != c.cfg.file) {
    y += "  device: " + rel(c.cfg.device_file, dir) + "\n";
  } else {
    YAML::Emitter e;
    e << YAML::Flow << c.cfg.device;
    y += std::string("  device: ") + e.c_str() + "\n";
  }
  if (c.cfg.read_time_s) {
    char b[64];
    std::snprintf(b, sizeof b, "  read_time_s: %.17g\n", *c.cfg.read_time_s);
    y += b;
  }
  y += "  trials: " + std::to_string(trials) + "\n";
  y += "  seed: " + std::to_string(c.seed) + "\n";
  y += "  threads: " + std::to_string(c.threads) + "\n";
  char b[64];
  std::snprintf(b, sizeof b, "  accuracy_drop_pp: %.17g\n", c.spec.budget_pp);
  y += b;
  y += "  parameter_format: " + pformat + "\n";
  y += "schemes:\n" + schemes;
  return y;
}

// int8 digital parameters when they cost no accuracy on this network, else fp16.
std::string parameter_format_for(const Ctx& c, const nn::Network& net) {
  const double a32 = prepare_model(net, "fp32").net.accuracy(c.data.test, c.threads);
  const double a8 = prepare_model(net, "int8").net.accuracy(c.data.test, c.threads);
  return a8 >= a32 - 0.0005 ? "int8" : "fp16";
}

struct Confirmed {
  SchemeResult row;
  double reference = 0;
  double drop_pp = 0;
  fs::path yaml;
};

// Writes DIR/NAME.onnx + DIR/NAME.yaml and runs it (every scheme) through run_experiment.
std::vector<Confirmed> confirm(const Ctx& c, const fs::path& dir, const std::string& name,
                               const nn::Network& net, const std::string& schemes, uint32_t trials,
                               const std::string& pformat = "") {
  fs::create_directories(dir);
  write_file_atomic(dir / (name + ".onnx"), nn::onnx_bytes(net));
  const fs::path yaml = dir / (name + ".yaml");
  write_file_atomic(yaml, experiment_yaml(c, dir, c.cfg.name + "-" + name, name + ".onnx",
                                          pformat.empty() ? parameter_format_for(c, net) : pformat,
                                          trials, schemes));
  const ExperimentConfig cfg = load_experiment(yaml);
  RunOptions ro;
  ro.out = dir / (name + "-run");
  ro.threads = c.threads;
  ro.quiet = true;
  ro.sweep = false;
  Report rep = run_experiment(cfg, ro);
  // The run prices its rows when it finds models/tech near its YAML; an --out outside the
  // repository does not: price them from the technology set of the optimize config (cost
  // columns only; nothing the optimizer decides on).
  const bool priced = std::all_of(rep.rows.begin(), rep.rows.end(), [](const SchemeResult& r) {
    return r.metrics.count("area_mm2") > 0;
  });
  if (!priced) {
    const fs::path tech = resolve_tech_dir("", c.cfg.file);
    add_experiment_cost(cfg, core::Cell(experiment_cell(cfg)), load_cost_tech(tech), tech, rep);
  }
  std::vector<Confirmed> out;
  for (const auto& r : rep.rows) out.push_back({r, rep.reference_accuracy, drop_pp(rep, r), yaml});
  return out;
}

// ---------------------------------------------------------------------------------------------
// Stage 4: decoupled digital baselines.

// What the int<b> baseline stores, in place: core's quantizer over the nonzeros.
void quantize_digital(std::span<float> w, uint32_t channels, uint32_t bits,
                      const core::MappingSpec& m, bool sparse, const std::string& name) {
  std::vector<uint32_t> index;
  if (sparse)
    for (uint32_t i = 0; i < w.size(); ++i)
      if (w[i] != 0.0f) index.push_back(i);
  if (sparse && index.empty()) return;
  if (index.size() == w.size()) index.clear();
  const int32_t hi = (1 << (bits - 1)) - 1, lo = -(1 << (bits - 1));
  const core::QuantMeta q = core::fit_quantizer(w, channels, lo, hi, m, name, index);
  std::vector<int32_t> codes(index.empty() ? w.size() : index.size());
  core::quantize(q, w, index, codes);
  core::dequantize(q, codes, index, w);
}

void quantize_net(nn::Network& net, uint32_t bits, const core::MappingSpec& m, bool sparse) {
  for_stored(net, [&](size_t, nn::ParamRef& p) {
    quantize_digital({p.data, p.size}, static_cast<uint32_t>(p.shape.at(0)), bits, m, sparse,
                     p.name);
  });
}

// Quantization-aware fine-tuning at `bits` (straight-through), cached; returns the network
// and its error-free accuracy (full test split, quantized).
std::pair<nn::Network, double> qat(const Ctx& c, const Candidate& k, uint32_t bits) {
  const NetCache cache{c};
  const std::string key =
      "q-" +
      content_hash(nn::onnx_bytes(k.net) + "|b" + std::to_string(bits) + "|e" +
                   std::to_string(c.spec.finetune_epochs) + "|" + mapping_yaml(c.spec.mapping) +
                   "|lr" + std::to_string(c.spec.lr) + "|seed" + std::to_string(c.seed) + "|train" +
                   std::to_string(c.spec.train_images));
  nn::Network net;
  if (auto hit = cache.get(key)) {
    net = std::move(hit->first);
  } else {
    net = k.net;
    const bool sparse = k.sparsity > 0;
    nn::TrainConfig t = c.train_config(c.spec.finetune_epochs, 4 + bits);
    const core::MappingSpec m = c.spec.mapping;
    t.forward_transform = [bits, m, sparse](nn::Network& fwd, uint64_t) {
      quantize_net(fwd, bits, m, sparse);
    };
    if (sparse) t.after_step = keep_zeros(net);
    if (c.spec.finetune_epochs > 0)
      tune_or_keep(net, c.data.train, t, "quantization-aware fine-tuning");
    cache.put(key, net, {{"bits", bits}});
  }
  nn::Network q = net;
  quantize_net(q, bits, c.spec.mapping, k.sparsity > 0);
  return {net, q.accuracy(c.data.test, c.threads)};
}

// The sparse index format with the fewest bits over the whole network.
core::SparseSpec network_index(const nn::Network& net) {
  core::SparseSpec best{core::SparseFormat::kBitmap, 4};
  uint64_t best_bits = ~uint64_t{0};
  std::vector<core::SparseSpec> formats = {best};
  for (uint32_t b = 2; b <= 8; ++b) formats.push_back({core::SparseFormat::kRelative, b});
  for (const auto& f : formats) {
    uint64_t bits = 0;
    nn::Network n = net;
    for_stored(n, [&](size_t, nn::ParamRef& p) {
      bits += core::sparse_index_bits(f, {p.data, p.size});
    });
    if (bits < best_bits) {
      best_bits = bits;
      best = f;
    }
  }
  return best;
}

std::string digital_schemes_yaml(const Ctx& c, uint32_t bits, bool sparse, const nn::Network& net) {
  std::string sp;
  if (sparse) {
    const core::SparseSpec f = network_index(net);
    sp = std::string(", sparse: {format: ") + core::to_string(f.format) +
         ", index_bits: " + std::to_string(f.index_bits) + "}";
  }
  const std::string b = std::to_string(bits);
  std::string y;
  for (const char* cell : {"slc", "mlc2"}) {
    y += "  - {name: decoupled-int" + b + "-" + cell + ", digital: {format: int" + b +
         ", cell: " + cell + ", ecc: auto}, mapping: " + mapping_yaml(c.spec.mapping) +
         ", metadata: {cell: " + cell + "}" + sp + "}\n";
  }
  return y;
}

struct DigitalPick {
  std::string candidate;
  uint32_t bits = 0;
  double qat_accuracy = 0;
  Confirmed slc, mlc2;
};

// Per candidate, the fewest bits that keep the budget error-free (binary search over the
// listed widths, QAT results cached); each stored on SLC and MLC, confirmed by the flow.
std::vector<DigitalPick> decoupled(Ctx& c, const std::vector<Candidate>& cands, double budget_pp,
                                   const fs::path& dir) {
  std::vector<DigitalPick> out;
  json log = json::array();
  for (const Candidate& k : cands) {
    const auto& bits = c.spec.digital_bits;
    size_t lo = 0, hi = bits.size();  // first width that keeps the budget, in [lo, hi]
    std::map<uint32_t, std::pair<nn::Network, double>> tried;
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      auto r = qat(c, k, bits[mid]);
      c.say("decoupled %s int%u: %.2f %% error-free", k.id.c_str(), bits[mid], r.second * 100);
      log.push_back({{"candidate", k.id}, {"bits", bits[mid]}, {"accuracy", r.second}});
      const bool ok = (c.acc0 - r.second) * 100 <= budget_pp;
      tried.emplace(bits[mid], std::move(r));
      if (ok) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    if (lo == bits.size()) continue;  // no width keeps the budget on this network
    const auto& [net, acc] = tried.at(bits[lo]);
    const auto rows = confirm(c, dir, "decoupled-" + k.id, net,
                              digital_schemes_yaml(c, bits[lo], k.sparsity > 0, net), 1);
    out.push_back({k.id, bits[lo], acc, rows.at(0), rows.at(1)});
  }
  c.stages["decoupled_search"] = log;
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The run.

namespace {

// Per tensor of a design: what it keeps and what it costs (allocation.csv).
json allocation_table(const Ctx& c, const nn::Network& net, const core::SchemeSpec& scheme) {
  StoredModel m = prepare_model(net);
  const auto views = stored_views(m);
  const core::Allocation a = core::allocate(views, scheme, c.cell);
  std::map<std::string, uint64_t> original;
  for (const auto& p : c.original.fold_batchnorm().parameters()) original[p.name] = p.size;
  json rows = json::array();
  for (size_t t = 0; t < a.tensors.size(); ++t) {
    uint64_t cells = 0;
    for (const auto& seg : a.segments)
      if (seg.tensor == t) cells += seg.weight_cells();
    const auto& sp = a.specs[t];
    const auto& ts = a.tensors[t];
    rows.push_back({{"tensor", ts.name},
                    {"original_weights", original.count(ts.name) ? original[ts.name] : 0},
                    {"weights", ts.size},
                    {"stored", ts.stored},
                    {"levels", sp.shape.levels},
                    {"split", sp.shape.split},
                    {"sparse", core::to_string(sp.sparse.format)},
                    {"index_bits", ts.index_bits},
                    {"weight_cells", cells},
                    {"cells_per_stored_weight",
                     ts.stored ? static_cast<double>(cells) / static_cast<double>(ts.stored) : 0}});
  }
  return rows;
}

std::string allocation_csv(const json& rows) {
  std::string s =
      "tensor,original_weights,weights,stored,levels,split,sparse,index_bits,weight_cells\n";
  for (const auto& r : rows) {
    s += r["tensor"].get<std::string>() + "," +
         std::to_string(r["original_weights"].get<uint64_t>()) + "," +
         std::to_string(r["weights"].get<uint64_t>()) + "," +
         std::to_string(r["stored"].get<uint64_t>()) + "," +
         std::to_string(r["levels"].get<uint32_t>()) + "," +
         std::to_string(r["split"].get<uint32_t>()) + "," + r["sparse"].get<std::string>() + "," +
         std::to_string(r["index_bits"].get<uint64_t>()) + "," +
         std::to_string(r["weight_cells"].get<uint64_t>()) + "\n";
  }
  return s;
}

struct Chosen {
  std::optional<Candidate> cand;  // the network stored (noise-aware tuned when it was)
  Design design;
  uint64_t cells = 0;  // weight cells estimate (exact cells come from the confirmation)
  double screen_drop_pp = 0;
};

// Tunes `from` noise-aware for design `d` ("noise-aware on the <what> design"); when the result
// screens better, it replaces `tuned` (as `id`) and d's screened accuracy. Returns whether it did.
bool retune(const Ctx& c, const Screener& s, const Candidate& from, const std::string& id,
            const char* what, Design& d, Candidate& tuned) {
  Candidate again = from;
  again.net = noise_aware(c, s, from, d);
  again.id = id;
  const double acc = s.accuracy(again.net, d);
  c.say("  noise-aware on the %s design: %.2f %% screened (was %.2f)", what, acc * 100,
        d.screen_accuracy * 100);
  if (acc <= d.screen_accuracy) return false;
  again.accuracy = again.net.accuracy(c.data.test, c.threads);
  tuned = std::move(again);
  d.screen_accuracy = acc;
  return true;
}

// Stage 2 over every candidate (smallest first); nullopt if none keeps the screened target.
// Each candidate is first tuned noise-aware against its best design of the cheapest tier (all
// layers on it), so that the greedy pass sees a network that tolerates that channel.
// `closest` receives the best screened design found when none keeps the target.
std::optional<Chosen> best_design(Ctx& c, const std::vector<Candidate>& cands,
                                  const std::vector<Option>& menu, double target_pp,
                                  Chosen* closest, json* log) {
  std::optional<Chosen> best;
  uint32_t min_cells = ~0u;
  for (const auto& o : menu) min_cells = std::min(min_cells, o.cells());
  for (const Candidate& k : cands) {
    if (best && k.stored * min_cells >= best->cells) continue;  // cannot win
    const auto t0 = Clock::now();
    const Screener s(c, k, menu);
    json uniform = json::object();
    Design aim;
    for (size_t o = 0; o < menu.size(); ++o) {
      if (menu[o].cells() != min_cells) continue;
      Design u{std::vector<size_t>(s.stored.size(), o), 0};
      u.screen_accuracy = s.accuracy(k.net, u);
      uniform[menu[o].label()] = {{"screen_accuracy", u.screen_accuracy},
                                  {"code_error_rate", s.noise[o].channel(0).error_rate}};
      if (aim.choice.empty() || u.screen_accuracy > aim.screen_accuracy) aim = u;
      c.say("  %s uniform %s: %.2f %% screened, code error rate %.4f", k.id.c_str(),
            menu[o].label().c_str(), u.screen_accuracy * 100, s.noise[o].channel(0).error_rate);
    }
    Candidate tuned = k;
    if (c.spec.finetune_epochs > 0) {
      tuned.net = noise_aware(c, s, k, aim);
      tuned.id = k.id + "-nat";
      tuned.accuracy = tuned.net.accuracy(c.data.test, c.threads);
      c.say("  noise-aware on %s: %.2f %% screened (was %.2f), %.2f %% noise-free",
            menu[aim.choice[0]].label().c_str(), s.accuracy(tuned.net, aim) * 100,
            aim.screen_accuracy * 100, tuned.accuracy * 100);
    }
    json glog = json::array();
    Design d = greedy(s, tuned.net, aim, target_pp, &glog);
    if (c.spec.finetune_epochs > 0 && d.choice != aim.choice) {
      // Layers moved up a tier: tune the candidate for the design it ended at, as the
      // decoupled baselines are tuned for their bits, and keep what screens better.
      retune(c, s, k, k.id + "-nat", "final", d, tuned);
    }
    const double drop = (c.acc0_screen - d.screen_accuracy) * 100;
    const uint64_t cells = s.weight_cells(d);
    c.say("storage %s (%.0f s): %llu weight cells, screened drop %.2f pp (target %.2f)",
          tuned.id.c_str(), since(t0), static_cast<unsigned long long>(cells), drop, target_pp);
    log->push_back({{"candidate", tuned.id},
                    {"uniform_cheapest_tier", uniform},
                    {"noise_aware_target", aim.choice.empty() ? "" : menu[aim.choice[0]].label()},
                    {"noise_free_accuracy", tuned.accuracy},
                    {"moves", glog},
                    {"choice", d.choice},
                    {"screen_drop_pp", drop},
                    {"weight_cells", cells},
                    {"seconds", since(t0)}});
    if (drop > target_pp) {
      if (!closest->cand || drop < closest->screen_drop_pp) *closest = {tuned, d, cells, drop};
      continue;
    }
    if (!best || cells < best->cells) best = Chosen{tuned, d, cells, drop};
  }
  return best;
}

// Confirms the design with the full flow. Screening flatters the chosen design (the best of
// many noisy estimates on a subset), so on a miss the greedy continues from it over the menu
// plus the reserve tier, with the screened target lowered by the optimism just measured
// (confirmed minus screened drop); the network is tuned noise-aware for the new design (kept
// if it screens better, as in stage 2) and confirmed again, at most `tries` times. Returns the
// first design within the budget (each attempt only adds cells), else the one that dropped least.
Confirmed confirm_design(Ctx& c, Chosen& ch, const std::vector<Option>& menu, const fs::path& dir,
                         int tries, json* log) {
  auto run = [&](const Candidate& k, const Design& d) {
    const std::string y = design_scheme_yaml(c, "optimized", k, menu, d);
    Confirmed r = confirm(c, dir, "design", k.net, y, c.spec.confirm_trials).at(0);
    c.say("confirmed: %.2f +- %.2f %% (drop %.2f pp, budget %.2f) at %llu cells",
          r.row.accuracy.mean * 100, r.row.accuracy.ci95 * 100, r.drop_pp, c.spec.budget_pp,
          static_cast<unsigned long long>(r.row.cells()));
    return r;
  };
  const Candidate base = *ch.cand;
  const Screener s(c, base, menu);
  Candidate cur = base;
  Design d = ch.design;
  d.screen_accuracy = s.accuracy(cur.net, d);
  Confirmed last = run(cur, d);
  Design best_design = d;
  Candidate best_cand = cur;
  Confirmed best = last;
  auto record = [&](const Design& x, const Confirmed& r, double target, bool retuned) {
    log->push_back({{"choice", x.choice},
                    {"screen_drop_pp", (c.acc0_screen - x.screen_accuracy) * 100},
                    {"screen_target_pp", target},
                    {"retuned", retuned},
                    {"confirmed_drop_pp", r.drop_pp},
                    {"cells", r.row.cells()}});
  };
  record(d, last, ch.screen_drop_pp, false);
  for (int attempt = 0; attempt < tries && best.drop_pp > c.spec.budget_pp; ++attempt) {
    const double screened = (c.acc0_screen - d.screen_accuracy) * 100;
    const double optimism = std::max(0.0, last.drop_pp - screened);
    const double target = 0.9 * c.spec.budget_pp - optimism;
    c.say("confirmation missed: screening was %.2f pp optimistic; greedy on to %.2f pp screened",
          optimism, target);
    Design up = greedy(s, cur.net, d, target, nullptr);
    if (up.choice == d.choice) break;  // every layer on the dearest tier
    const bool retuned =
        c.spec.finetune_epochs > 0 && retune(c, s, base, base.id, "upgraded", up, cur);
    d = up;
    last = run(cur, d);
    record(d, last, target, retuned);
    if (best.drop_pp > c.spec.budget_pp && last.drop_pp < best.drop_pp) {
      best = last;
      best_design = d;
      best_cand = cur;
    }
  }
  ch.cand = best_cand;
  ch.design = best_design;
  ch.screen_drop_pp = (c.acc0_screen - best_design.screen_accuracy) * 100;
  // The files on disk are the last attempt's: write the best again (its trials are cached).
  if (best_design.choice != d.choice) best = run(best_cand, best_design);
  return best;
}

// Area (array + codec logic), programming and read energy, read latency of a confirmed row
// (flow/cost.hpp; null where the run could not price it).
json cost_json(const SchemeResult& row) {
  json j = json::object();
  for (const char* k :
       {"area_mm2", "codec_area_mm2", "program_energy_uj", "read_energy_nj", "read_latency_us"}) {
    const auto it = row.metrics.find(k);
    j[k] = it == row.metrics.end() ? json(nullptr) : json(it->second);
  }
  return j;
}

json row_json(const Ctx& c, const Confirmed& r) {
  const double cells = static_cast<double>(r.row.cells());
  return {{"name", r.row.name},
          {"kind", r.row.kind},
          {"cells", r.row.cells()},
          {"weight_cells", r.row.weight_cells},
          {"metadata_cells", r.row.metadata_cells},
          {"cells_per_original_weight", cells / static_cast<double>(c.original_params)},
          {"accuracy", r.row.accuracy.mean},
          {"ci95", r.row.accuracy.ci95},
          {"trials", r.row.trial_accuracy.size()},
          {"noise_free_accuracy", r.row.noise_free_accuracy},
          {"drop_pp", r.drop_pp},
          {"within_budget", r.drop_pp <= c.spec.budget_pp},
          {"metrics", r.row.metrics},
          {"cost", cost_json(r.row)},
          {"experiment", r.yaml.string()}};
}

const DigitalPick* smallest(const std::vector<DigitalPick>& picks, bool mlc) {
  const DigitalPick* best = nullptr;
  for (const auto& p : picks) {
    const uint64_t cells = (mlc ? p.mlc2 : p.slc).row.cells();
    if (!best || cells < (mlc ? best->mlc2 : best->slc).row.cells()) best = &p;
  }
  return best;
}

json build_report(const Ctx& c, const Confirmed& design, const Chosen& ch,
                  const std::vector<Option>& menu, const std::vector<DigitalPick>& picks,
                  const Confirmed& fp32) {
  json r;
  r["anvil"] = build_info();
  r["config_file"] = c.cfg.file;
  r["experiment"] = c.cfg.echo["experiment"];
  r["seed"] = c.seed;
  r["threads"] = c.threads;
  r["budget_pp"] = c.spec.budget_pp;
  r["reference_accuracy"] = c.acc0;
  r["original_parameters"] = c.original_params;
  r["screen"] = {{"images", c.screen.size()},
                 {"trials", c.spec.screen_trials},
                 {"reference_accuracy", c.acc0_screen}};
  r["stages"] = c.stages;
  const core::SchemeSpec scheme = design_scheme(c, *ch.cand, menu, ch.design);
  r["design"] = {{"candidate", ch.cand->id},
                 {"keep", ch.cand->keep},
                 {"sparsity", ch.cand->sparsity},
                 {"row", row_json(c, design)},
                 {"allocation", allocation_table(c, ch.cand->net, scheme)}};
  r["baselines"]["fp32_slc_secded"] = row_json(c, fp32);
  const double dcells = static_cast<double>(design.row.cells());
  r["reductions"]["vs_fp32_slc_secded"] = static_cast<double>(fp32.row.cells()) / dcells;
  for (bool mlc : {false, true}) {
    const char* key = mlc ? "decoupled_mlc2" : "decoupled_slc";
    const DigitalPick* p = smallest(picks, mlc);
    if (!p) {
      r["baselines"][key] = nullptr;
      continue;
    }
    const Confirmed& row = mlc ? p->mlc2 : p->slc;
    r["baselines"][key] = row_json(c, row);
    r["baselines"][key]["candidate"] = p->candidate;
    r["baselines"][key]["bits"] = p->bits;
    r["reductions"][std::string("vs_") + key] = static_cast<double>(row.row.cells()) / dcells;
  }
  r["targets"] = {
      {"vs_fp32_slc_secded", 100.0}, {"vs_decoupled_slc", 3.0}, {"vs_decoupled_mlc2", 1.5}};
  return r;
}

// The front: per budget, the smallest screened design (no noise-aware pass) confirmed with
// the full flow, and the decoupled baselines at the same budget.
json pareto(Ctx& c, const std::function<std::vector<Candidate>(double)>& eligible,
            const std::vector<Option>& menu) {
  json pts = json::array();
  for (double b : c.spec.budgets) {
    const std::vector<Candidate> cands = eligible(b);
    Chosen closest;
    json log = json::array();
    const auto ch = best_design(c, cands, menu, 0.8 * b, &closest, &log);
    char tag[32];
    std::snprintf(tag, sizeof tag, "b%g", b);
    json p = {{"budget_pp", b}};
    if (ch) {
      const std::string y = design_scheme_yaml(c, "optimized", *ch->cand, menu, ch->design);
      const Confirmed r =
          confirm(c, c.opt.out / "pareto" / tag, "design", ch->cand->net, y, c.spec.confirm_trials)
              .at(0);
      p["design"] = row_json(c, r);
      p["design"]["within_budget"] = r.drop_pp <= b;
    }
    const auto picks = decoupled(c, cands, b, c.opt.out / "pareto" / tag);
    for (bool mlc : {false, true})
      if (const DigitalPick* d = smallest(picks, mlc)) {
        const Confirmed& r = mlc ? d->mlc2 : d->slc;
        json& row = p[mlc ? "decoupled_mlc2" : "decoupled_slc"] = row_json(c, r);
        row["within_budget"] = r.drop_pp <= b;
      }
    pts.push_back(p);
  }
  return pts;
}

std::string results_csv(const json& rep) {
  std::string s =
      "row,budget_pp,name,cells,cells_per_original_weight,accuracy,ci95,drop_pp,within_budget,"
      "area_mm2,program_energy_uj,read_energy_nj,read_latency_us\n";
  auto cost = [](const json& r, const char* k) {
    const json& v = r.contains("cost") ? r["cost"][k] : json(nullptr);
    return v.is_number() ? fmt_number("%.6g", v.get<double>()) : std::string();
  };
  auto add = [&](const std::string& row, double budget, const json& r) {
    if (r.is_null()) return;
    s += row + "," + fmt_number("%g", budget) + "," + r["name"].get<std::string>() + "," +
         std::to_string(r["cells"].get<uint64_t>()) + "," +
         fmt_number("%.6f", r["cells_per_original_weight"].get<double>()) + "," +
         fmt_number("%.6f", r["accuracy"].get<double>()) + "," +
         fmt_number("%.6f", r["ci95"].get<double>()) + "," +
         fmt_number("%.4f", r["drop_pp"].get<double>()) + "," +
         (r["within_budget"].get<bool>() ? "true" : "false") + "," + cost(r, "area_mm2") + "," +
         cost(r, "program_energy_uj") + "," + cost(r, "read_energy_nj") + "," +
         cost(r, "read_latency_us") + "\n";
  };
  const double B = rep["budget_pp"].get<double>();
  add("design", B, rep["design"]["row"]);
  add("decoupled_slc", B, rep["baselines"]["decoupled_slc"]);
  add("decoupled_mlc2", B, rep["baselines"]["decoupled_mlc2"]);
  add("fp32_slc_secded", B, rep["baselines"]["fp32_slc_secded"]);
  if (rep.contains("pareto"))
    for (const auto& p : rep["pareto"])
      for (const char* k : {"design", "decoupled_slc", "decoupled_mlc2"})
        if (p.contains(k)) add(std::string("pareto_") + k, p["budget_pp"].get<double>(), p[k]);
  return s;
}

}  // namespace

std::string optimize_table(const json& rep) {
  std::string s =
      "| storage | cells | cells/original weight | accuracy % (95% CI) | drop pp | reduction | "
      "area mm^2 | program energy uJ | read energy nJ | read latency us |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  const double dcells = static_cast<double>(rep["design"]["row"]["cells"].get<uint64_t>());
  auto add = [&](const std::string& label, const json& r) {
    if (r.is_null()) {
      s += "| " + label + " | - | - | none keeps the budget | - | - | - | - | - | - |\n";
      return;
    }
    auto cost = [&](const char* k, const char* f) {
      const json& v = r.contains("cost") ? r["cost"][k] : json(nullptr);
      return v.is_number() ? fmt_number(f, v.get<double>()) : std::string("-");
    };
    s += "| " + label + " | " + std::to_string(r["cells"].get<uint64_t>()) + " | " +
         fmt_number("%.4f", r["cells_per_original_weight"].get<double>()) + " | " +
         fmt_number("%.2f", r["accuracy"].get<double>() * 100) + " ± " +
         fmt_number("%.2f", r["ci95"].get<double>() * 100) + " | " +
         fmt_number("%+.2f", r["drop_pp"].get<double>()) + " | " +
         fmt_number("%.2fx", static_cast<double>(r["cells"].get<uint64_t>()) / dcells) + " | " +
         cost("area_mm2", "%.4f") + " | " + cost("program_energy_uj", "%.3f") + " | " +
         cost("read_energy_nj", "%.1f") + " | " + cost("read_latency_us", "%.2f") + " |\n";
  };
  add("analog design (" + rep["design"]["candidate"].get<std::string>() + ")",
      rep["design"]["row"]);
  const auto& b = rep["baselines"];
  add("decoupled SLC" + (b["decoupled_slc"].is_null()
                             ? std::string()
                             : " (int" + std::to_string(b["decoupled_slc"]["bits"].get<int>()) +
                                   ", " + b["decoupled_slc"]["candidate"].get<std::string>() + ")"),
      b["decoupled_slc"]);
  add("decoupled 2-bit MLC" +
          (b["decoupled_mlc2"].is_null()
               ? std::string()
               : " (int" + std::to_string(b["decoupled_mlc2"]["bits"].get<int>()) + ", " +
                     b["decoupled_mlc2"]["candidate"].get<std::string>() + ")"),
      b["decoupled_mlc2"]);
  add("fp32 SLC SECDED (uncompressed)", b["fp32_slc_secded"]);
  s += "\nuncompressed reference: " +
       fmt_number("%.2f", rep["reference_accuracy"].get<double>() * 100) + " %; budget " +
       fmt_number("%.2f", rep["budget_pp"].get<double>()) +
       " pp; reduction = baseline cells / design cells\n";
  return s;
}

namespace {

void write_outputs(const Ctx& c, const json& rep) {
  const fs::path& out = c.opt.out;
  write_file_atomic(out / "report.json", rep.dump(2) + "\n");
  write_file_atomic(out / "results.csv", results_csv(rep));
  write_file_atomic(out / "allocation.csv", allocation_csv(rep["design"]["allocation"]));
  write_file_atomic(out / "table.md", optimize_table(rep));
  run_plot_script("plot_optimize.py",
                  {(out / "report.json").string(), (out / "pareto.png").string()});
}
}  // namespace

nlohmann::json run_optimize(const ExperimentConfig& cfg, const OptimizeSpec& spec,
                            const OptimizeOptions& opt) {
  Ctx c{cfg, spec, opt, 2, 1, {}, {}, {}, core::Cell(experiment_cell(cfg)), {}, {}, 0, 0, 0, {}};
  if (opt.budget_pp) c.spec.budget_pp = *opt.budget_pp;
  const double B = c.spec.budget_pp;
  require(std::isfinite(B) && B >= 0 && B <= 100, cfg.file, "optimize.budget",
          "must be in [0, 100] percentage points (got " + std::to_string(B) + ")");
  c.threads = opt.threads.value_or(cfg.threads);
  c.seed = opt.seed.value_or(cfg.seed);
  c.cache = opt.out / ".optimize";
  fs::create_directories(c.cache);
  const auto t_start = Clock::now();
  c.original = nn::load_onnx(cfg.network);
  require(!stored_names(c.original).empty(), cfg.network.string(), "nodes",
          "the network has no storable tensor (no Conv or Linear weight)");
  c.data = nn::load_dataset(cfg.dataset, cfg.data_dir, cfg.labels);
  require(c.original.input_size() == c.data.test.image_size(), cfg.file, "experiment.network",
          "input shape does not match the data set's images");
  c.screen = subset(c.data.test, c.spec.screen_images, c.seed);
  if (c.spec.train_images > 0) c.data.train = subset(c.data.train, c.spec.train_images, c.seed + 1);
  const nn::Network folded = c.original.fold_batchnorm();
  c.teacher = folded;
  c.acc0 = folded.accuracy(c.data.test, c.threads);
  c.acc0_screen = folded.accuracy(c.screen, c.threads);
  c.original_params = parameter_count(c.original);
  if (!opt.quiet)
    std::fprintf(
        stderr, "anvil: optimize %s, seed %llu, budget %.2f pp, %d threads; uncompressed %.2f %%\n",
        cfg.name.c_str(), static_cast<unsigned long long>(c.seed), B, c.threads, c.acc0 * 100);

  // 1. Compression.
  auto t0 = Clock::now();
  double widest = B;
  for (double b : c.spec.budgets) widest = std::max(widest, b);
  std::vector<Candidate> all = compression_candidates(c, c.spec.compress_share * widest);
  std::sort(all.begin(), all.end(),
            [](const Candidate& a, const Candidate& b) { return a.stored < b.stored; });
  auto eligible = [&](double budget) {
    std::vector<Candidate> v;
    for (const auto& k : all)
      if ((c.acc0 - k.accuracy) * 100 <= c.spec.compress_share * budget) v.push_back(k);
    return v;
  };
  const std::vector<Candidate> cands = eligible(B);
  json timing = {{"compression_s", since(t0)}};

  // 2. Storage.
  t0 = Clock::now();
  const std::vector<Option> menu = codec_menu(c.spec);
  // Screening picks the best of many noisy estimates, which flatters it: keep a margin; the
  // confirmation on the full split decides.
  const double target = 0.8 * B;
  json slog = json::array();
  Chosen closest;
  std::optional<Chosen> chosen = best_design(c, cands, menu, target, &closest, &slog);
  c.stages["storage"] = slog;
  if (!chosen) {
    char b[256];
    std::snprintf(b, sizeof b,
                  "unreachable: no design keeps %.2f pp; the closest found (%s) drops %.2f pp "
                  "(screened) at %llu weight cells",
                  B, closest.cand ? closest.cand->id.c_str() : "none", closest.screen_drop_pp,
                  static_cast<unsigned long long>(closest.cells));
    throw Error(cfg.file, "optimize.budget", b);
  }
  Chosen ch = *chosen;
  timing["storage_s"] = since(t0);

  // 3. Confirmation.
  t0 = Clock::now();
  const std::vector<Option> full = with_reserve(menu, c.spec);
  json clog = json::array();
  const Confirmed design = confirm_design(c, ch, full, opt.out / "design", 4, &clog);
  c.stages["confirm"] = clog;
  timing["confirm_s"] = since(t0);

  // 4. Decoupled baselines and fp32.
  t0 = Clock::now();
  const std::vector<DigitalPick> picks = decoupled(c, cands, B, opt.out / "baselines");
  const Confirmed fp32 =
      confirm(c, opt.out / "baselines", "fp32", c.original,
              "  - {name: fp32-slc-secded, digital: {format: fp32, cell: slc, ecc: secded}}\n", 1,
              "fp32")
          .at(0);
  timing["decoupled_s"] = since(t0);

  json rep = build_report(c, design, ch, full, picks, fp32);
  // Pareto front over the budgets (screened designs without noise-aware tuning).
  if (!c.spec.budgets.empty()) {
    t0 = Clock::now();
    rep["pareto"] = pareto(c, eligible, menu);
    timing["pareto_s"] = since(t0);
  }
  timing["total_s"] = since(t_start);
  rep["timing"] = timing;
  write_outputs(c, rep);
  return rep;
}

}  // namespace anvil::flow
