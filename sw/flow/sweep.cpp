#include "flow/sweep.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "core/yaml_util.hpp"
#include "flow/experiment.hpp"
#include "flow/plot.hpp"
#include "flow/progress.hpp"

namespace anvil::flow {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::string absolute_path(const fs::path& dir, const std::string& p) {
  const fs::path f(p);
  return fs::absolute(f.is_absolute() ? f : dir / f).lexically_normal().string();
}

// The base experiment with its device inlined (so device.* paths address it) and every file
// reference made absolute, so a point's experiment.yaml runs from its own folder.
YAML::Node resolved_base(const fs::path& base) {
  (void)load_experiment(base);  // a bad base is reported against its own file, first
  YAML::Node root = YAML::Clone(core::load_yaml_file(base.string()));
  YAML::Node e = root["experiment"];
  const fs::path dir = base.parent_path();
  e["network"] = absolute_path(dir, e["network"].as<std::string>());
  if (e["data_dir"] && !e["data_dir"].as<std::string>().empty())
    e["data_dir"] = absolute_path(dir, e["data_dir"].as<std::string>());
  YAML::Node dev = e["device"];
  fs::path dev_dir = dir;
  if (dev.IsScalar()) {
    const fs::path file = absolute_path(dir, dev.as<std::string>());
    const YAML::Node d = core::load_yaml_file(file.string());
    dev.reset(YAML::Clone(d["device"] ? d["device"] : d));
    dev_dir = file.parent_path();
  }
  if (dev["measured"] && dev["measured"]["file"])
    dev["measured"]["file"] = absolute_path(dev_dir, dev["measured"]["file"].as<std::string>());
  e["device"] = dev;
  return root;
}

// Where a dotted path lands: the map that holds its last key (intermediate maps created).
struct Slot {
  YAML::Node map;
  std::string key;
};

Slot locate(YAML::Node root, const std::string& path, const std::string& file,
            const std::string& field) {
  const auto parts = split(path, '.');
  const std::string hint = "unknown path (must be experiment.KEY, device.KEY or schemes.NAME.KEY)";
  YAML::Node cur;
  bool found = false;
  size_t i = 1;
  if (parts[0] == "experiment" || parts[0] == "device") {
    cur.reset(parts[0] == "device" ? root["experiment"]["device"] : root["experiment"]);
    found = true;
  } else if (parts[0] == "schemes" && parts.size() >= 3) {
    for (const auto& s : root["schemes"])
      if (s["name"] && s["name"].as<std::string>() == parts[1]) {
        cur.reset(s);
        found = true;
      }
    require(found, file, field, "unknown path (no scheme named '" + parts[1] + "')");
    i = 2;
  }
  require(found && i < parts.size(), file, field, hint);
  for (; i + 1 < parts.size(); ++i) {
    require(!parts[i].empty(), file, field, hint);
    YAML::Node next = cur[parts[i]];
    if (!next) {
      cur[parts[i]] = YAML::Node(YAML::NodeType::Map);
      next.reset(cur[parts[i]]);
    }
    require(next.IsMap(), file, field, "unknown path ('" + parts[i] + "' is not a map)");
    cur.reset(next);
  }
  require(!parts.back().empty(), file, field, hint);
  return {cur, parts.back()};
}

std::string kind_of(const YAML::Node& n) {
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  if (!n.IsScalar()) return "null";
  const auto j = core::yaml_to_json(n);
  return j.is_number() ? "a number" : j.is_boolean() ? "true or false" : "a string";
}

std::string scalar_text(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  YAML::Emitter em;
  em << YAML::Flow << n;
  return em.c_str();
}

struct Axis {
  std::string path;
  std::vector<YAML::Node> values;  // a list of values, or
  bool range = false;              // a numeric range {min, max, log, integer}
  double lo = 0, hi = 0;
  bool log = false, integer = false;
};

// Whether a loader error is about the kind of a value rather than its range.
bool type_rule(const std::string& rule) {
  for (const char* k : {"wrong type", "must be a number", "must be an integer", "must be true or",
                        "must be a string", "must be a map", "must be a list"})
    if (rule.find(k) != std::string::npos) return true;
  return false;
}

// Strict check of one path and its values against the base: the path must be a key the
// experiment accepts, and each value must have the kind of the base's value (or, for a key
// the base leaves at its default, the kind the loader accepts). Range errors are left to the
// points, which fail alone.
void check_axis(const YAML::Node& base, const Axis& a, const std::string& file,
                const std::string& field) {
  std::vector<YAML::Node> probes = a.values;
  if (a.range) probes = {YAML::Node(a.lo), YAML::Node(a.hi)};
  for (const auto& v : probes) {
    YAML::Node doc = YAML::Clone(base);
    Slot s = locate(doc, a.path, file, field);
    const YAML::Node old = s.map[s.key];
    const std::string want = old ? kind_of(old) : kind_of(probes.front());
    require(kind_of(v) == want, file, field,
            "value '" + scalar_text(v) + "' has the wrong type (must be " + want + ")");
    s.map[s.key] = YAML::Clone(v);
    try {
      (void)load_experiment(doc, fs::path(file).parent_path(), file);
    } catch (const Error& e) {
      if (e.rule().rfind("unknown key", 0) == 0)
        throw Error(file, field, "unknown path (" + e.field() + ": " + e.rule() + ")");
      if (type_rule(e.rule()))
        throw Error(file, field,
                    "value '" + scalar_text(v) + "' has the wrong type (" + e.field() + ": " +
                        e.rule() + ")");
    }
  }
}

double number(const YAML::Node& m, const char* key, const std::string& file,
              const std::string& field) {
  require(static_cast<bool>(m[key]), file, field + "." + key, "is required");
  const auto j = core::yaml_to_json(m[key]);
  require(j.is_number(), file, field + "." + key, "must be a number");
  return j.get<double>();
}

Axis parse_axis(const std::string& path, const YAML::Node& v, bool sampled, const std::string& file,
                const std::string& field) {
  Axis a;
  a.path = path;
  if (v.IsSequence()) {
    for (const auto& x : v) a.values.push_back(x);
    require(!a.values.empty(), file, field, "empty axis: must list at least one value");
    return a;
  }
  require(sampled && v.IsMap(), file, field,
          sampled ? "must be a list of values or {min, max, log, integer}"
                  : "must be a list of values");
  core::check_keys(v, {"min", "max", "log", "integer"}, file, field);
  a.range = true;
  a.lo = number(v, "min", file, field);
  a.hi = number(v, "max", file, field);
  a.log = core::get_or<bool>(v, "log", false, file, field);
  a.integer = core::get_or<bool>(v, "integer", false, file, field);
  require(a.lo <= a.hi, file, field + ".min", "must be <= max");
  require(!a.log || a.lo > 0, file, field + ".min", "must be > 0 on a log axis");
  return a;
}

std::string shortest(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// A value of `a` at the unit coordinate u in [0, 1).
YAML::Node pick(const Axis& a, double u) {
  if (!a.range) {
    const size_t n = a.values.size();
    return a.values[std::min(n - 1, static_cast<size_t>(u * static_cast<double>(n)))];
  }
  double x = a.log ? std::exp(std::log(a.lo) + u * (std::log(a.hi) - std::log(a.lo)))
                   : a.lo + u * (a.hi - a.lo);
  if (a.integer) x = std::round(x);
  return YAML::Node(shortest(x));
}

// Value choices per point (one node per axis; null: leave the base's value).
using Choice = std::vector<YAML::Node>;

std::vector<Choice> grid(const std::vector<Axis>& axes) {
  std::vector<Choice> out;
  std::vector<size_t> idx(axes.size(), 0);
  for (;;) {
    Choice c;
    for (size_t k = 0; k < axes.size(); ++k) c.push_back(axes[k].values[idx[k]]);
    out.push_back(c);
    size_t k = axes.size();  // odometer, last axis fastest
    while (k > 0 && ++idx[k - 1] == axes[k - 1].values.size()) idx[--k] = 0;
    if (k == 0) return out;
  }
}

// Random: u = uniform of RandomStream(seed, sample) at index = axis. Latin hypercube: the
// same jitter inside stratum perm_axis[sample] of `samples` strata.
std::vector<Choice> sample(const std::vector<Axis>& axes, uint64_t seed, uint32_t n, bool lhs) {
  const auto purpose = core::Draw::kUser;
  const auto shuffle = static_cast<core::Draw>(static_cast<uint32_t>(core::Draw::kUser) + 1);
  std::vector<std::vector<uint32_t>> perm(axes.size());
  const core::RandomStream pstream(seed, UINT64_MAX);
  for (size_t k = 0; k < axes.size(); ++k) {
    perm[k].resize(n);
    for (uint32_t i = 0; i < n; ++i) perm[k][i] = i;
    for (uint32_t i = n; i > 1; --i)  // Fisher-Yates
      std::swap(perm[k][i - 1], perm[k][pstream.below(k, shuffle, i, i)]);
  }
  std::vector<Choice> out;
  for (uint32_t s = 0; s < n; ++s) {
    const core::RandomStream rs(seed, s);
    Choice c;
    for (size_t k = 0; k < axes.size(); ++k) {
      double u = rs.uniform(k, purpose);
      if (lhs) u = (perm[k][s] + u) / n;
      c.push_back(pick(axes[k], u));
    }
    out.push_back(c);
  }
  return out;
}

// Applies `path: value` pairs of a map (the set section, or one listed point).
void apply_map(YAML::Node& doc, const YAML::Node& m, const std::string& file,
               const std::string& where) {
  for (const auto& kv : m) {
    const std::string path = kv.first.as<std::string>();
    Slot s = locate(doc, path, file, where + "." + path);
    s.map[s.key] = YAML::Clone(kv.second);
  }
}

SweepPoint make_point(const YAML::Node& base, const std::vector<Axis>& axes, const Choice& c,
                      const std::string& file) {
  SweepPoint p;
  p.config = YAML::Clone(base);
  for (size_t k = 0; k < axes.size(); ++k) {
    if (!c[k].IsDefined() || c[k].IsNull()) {
      p.values.emplace_back(nullptr);
      continue;
    }
    Slot s = locate(p.config, axes[k].path, file, "axes." + axes[k].path);
    s.map[s.key] = YAML::Clone(c[k]);
    p.values.push_back(core::yaml_to_json(c[k]));
  }
  nlohmann::json canon = core::yaml_to_json(p.config);
  canon["experiment"].erase("threads");
  p.id = content_hash(canon.dump());
  p.threads = core::get_or<int>(p.config["experiment"], "threads", 2, file, "experiment");
  p.threads = std::max(1, p.threads);
  return p;
}

void parse_slurm(const YAML::Node& n, const std::string& f, SlurmOptions& o) {
  if (!n) return;
  core::check_keys(n, {"partition", "time", "mem", "cpus_per_task", "shards"}, f, "slurm");
  o.partition = core::get_or<std::string>(n, "partition", "", f, "slurm");
  o.time = core::get_or<std::string>(n, "time", "", f, "slurm");
  o.mem = core::get_or<std::string>(n, "mem", "", f, "slurm");
  o.cpus_per_task = core::get_or<int>(n, "cpus_per_task", 0, f, "slurm");
  o.shards = core::get_or<int>(n, "shards", 0, f, "slurm");
  require(o.cpus_per_task >= 0, f, "slurm.cpus_per_task", "must be >= 1");
  require(o.shards >= 0, f, "slurm.shards", "must be >= 1");
}

// The axes of a list-mode sweep: every path named by some point, in first-seen order.
std::vector<Choice> listed(const YAML::Node& pts, const YAML::Node& base, const std::string& f,
                           std::vector<Axis>& axes) {
  require(pts && pts.IsSequence() && pts.size() > 0, f, "points",
          "mode list needs a non-empty list of points");
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < pts.size(); ++i) {
    const std::string where = "points[" + std::to_string(i) + "]";
    require(pts[i].IsMap(), f, where, "must be a map of path: value");
    for (const auto& kv : pts[i]) {
      const auto path = kv.first.as<std::string>();
      if (!col.count(path)) {
        col[path] = axes.size();
        axes.push_back({path, {}});
      }
      axes[col[path]].values.push_back(kv.second);
    }
  }
  for (const auto& a : axes) check_axis(base, a, f, "points." + a.path);
  std::vector<Choice> out;
  for (const auto& p : pts) {
    Choice c(axes.size());
    for (const auto& kv : p) c[col[kv.first.as<std::string>()]] = kv.second;
    out.push_back(c);
  }
  return out;
}

// sweep.schemes: the base's schemes to keep (a sweep of one scheme of a larger experiment).
void keep_schemes(YAML::Node& base, const YAML::Node& names, const std::string& f) {
  require(names.IsSequence() && names.size() > 0, f, "sweep.schemes",
          "must list at least one scheme name of the base");
  YAML::Node kept(YAML::NodeType::Sequence);
  for (const auto& n : names) {
    const std::string name = n.as<std::string>();
    bool found = false;
    for (const auto& sc : base["schemes"]) {
      if (!sc["name"] || sc["name"].as<std::string>() != name) continue;
      kept.push_back(sc);
      found = true;
    }
    require(found, f, "sweep.schemes", "the base has no scheme named '" + name + "'");
  }
  base["schemes"] = kept;
}

}  // namespace

namespace {
SweepSpec load_sweep_strict(const fs::path& file) {
  SweepSpec spec;
  spec.file = file.string();
  const std::string& f = spec.file;
  const YAML::Node root = core::load_yaml_file(f);
  core::check_keys(root, {"sweep", "set", "axes", "points", "slurm"}, f, "");
  const YAML::Node s = root["sweep"];
  require(s && s.IsMap(), f, "sweep", "is required (name, base, mode)");
  core::check_keys(
      s, {"name", "base", "mode", "seed", "samples", "schemes", "front_within", "description"}, f,
      "sweep");
  spec.name = core::get_or<std::string>(s, "name", file.stem().string(), f, "sweep");
  spec.base =
      absolute_path(file.parent_path(), core::get_required<std::string>(s, "base", f, "sweep"));
  spec.mode = core::get_or<std::string>(s, "mode", "grid", f, "sweep");
  require(spec.mode == "grid" || spec.mode == "list" || spec.mode == "random" || spec.mode == "lhs",
          f, "sweep.mode", "must be grid, list, random or lhs");
  spec.seed = core::get_or<uint64_t>(s, "seed", spec.seed, f, "sweep");
  const bool sampled = spec.mode == "random" || spec.mode == "lhs";
  const auto n = core::get_or<int64_t>(s, "samples", 0, f, "sweep");
  require(!sampled || (n >= 1 && n <= 1000000), f, "sweep.samples",
          "must be in [1, 1000000] for mode " + spec.mode);
  spec.samples = static_cast<uint32_t>(n);
  parse_slurm(root["slurm"], f, spec.slurm);

  YAML::Node base = resolved_base(spec.base);
  if (s["schemes"]) keep_schemes(base, s["schemes"], f);
  if (root["set"]) {
    require(root["set"].IsMap(), f, "set", "must be a map of path: value");
    for (const auto& kv : root["set"])
      check_axis(base, {kv.first.as<std::string>(), {kv.second}}, f,
                 "set." + kv.first.as<std::string>());
    apply_map(base, root["set"], f, "set");
  }
  std::vector<Axis> axes;
  std::vector<Choice> choices;
  if (spec.mode == "list") {
    require(!root["axes"], f, "axes", "mode list takes points, not axes");
    choices = listed(root["points"], base, f, axes);
  } else {
    require(!root["points"], f, "points", "only mode list takes points");
    const YAML::Node ax = root["axes"];
    require(ax && ax.IsMap() && ax.size() > 0, f, "axes", "must map at least one path to values");
    for (const auto& kv : ax) {
      const std::string path = kv.first.as<std::string>(), field = "axes." + path;
      axes.push_back(parse_axis(path, kv.second, sampled, f, field));
      check_axis(base, axes.back(), f, field);
    }
    choices = sampled ? sample(axes, spec.seed, spec.samples, spec.mode == "lhs") : grid(axes);
  }
  for (const auto& a : axes) spec.axes.push_back(a.path);
  spec.front_within = core::get_or<std::vector<std::string>>(s, "front_within", {}, f, "sweep");
  for (const auto& w : spec.front_within)
    require(std::find(spec.axes.begin(), spec.axes.end(), w) != spec.axes.end(), f,
            "sweep.front_within", "'" + w + "' is not an axis");
  std::set<std::string> seen;
  for (const auto& c : choices) {
    SweepPoint p = make_point(base, axes, c, f);
    if (seen.insert(p.id).second) {
      spec.points.push_back(std::move(p));
    } else {
      ++spec.duplicates;
    }
  }
  return spec;
}
}  // namespace

SweepSpec load_sweep(const fs::path& file) {
  return core::yaml_guard(file.string(), [&] { return load_sweep_strict(file); });
}

Shard parse_shard(const std::string& text, const std::string& file) {
  const auto parts = split(text, '/');
  auto num = [&](const std::string& s, uint32_t& v) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
  };
  Shard sh;
  require(parts.size() == 2 && num(parts[0], sh.index) && num(parts[1], sh.count), file, "--shard",
          "'" + text + "' must be I/N (0-based shard I of N)");
  require(sh.count >= 1, file, "--shard", "'" + text + "': N must be >= 1");
  require(sh.index < sh.count, file, "--shard",
          "'" + text + "' out of range: I must be in [0, " + std::to_string(sh.count) + ")");
  return sh;
}

}  // namespace anvil::flow

namespace anvil::flow {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// One line appended to a point's runs.log: the record of every start and finish.
void log_run(const fs::path& pdir, const std::string& what) {
  fs::create_directories(pdir);
  char host[256] = "?";
  ::gethostname(host, sizeof host - 1);
  const std::string line = what + " pid " + std::to_string(::getpid()) + " host " + host + "\n";
  const int fd = ::open((pdir / "runs.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) throw Error((pdir / "runs.log").string(), "", "cannot append");
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) throw Error((pdir / "runs.log").string(), "", "cannot append");
}

std::string emit(const YAML::Node& n) {
  YAML::Emitter em;
  em << n;
  return std::string(em.c_str()) + "\n";
}

nlohmann::json axes_json(const SweepSpec& spec, const SweepPoint& p) {
  nlohmann::json a = nlohmann::json::object();
  for (size_t k = 0; k < spec.axes.size(); ++k) a[spec.axes[k]] = p.values[k];
  return a;
}

// Runs one point through the ordinary flow (its own experiment.yaml, load + run) and writes
// its result.json last, atomically: present means finished. Returns the result.
nlohmann::json run_point(const SweepSpec& spec, const SweepPoint& p, const fs::path& dir) {
  const fs::path pdir = dir / "points" / p.id;
  log_run(pdir, "start");
  const auto t0 = std::chrono::steady_clock::now();
  nlohmann::json res = {{"id", p.id}, {"sweep", spec.name}, {"axes", axes_json(spec, p)}};
  try {
    const fs::path yaml = pdir / "experiment.yaml";
    write_file_atomic(yaml,
                      "# anvil sweep " + spec.name + ", point " + p.id + "\n" + emit(p.config));
    const ExperimentConfig cfg = load_experiment(yaml);
    RunOptions o;
    o.out = pdir;
    o.quiet = true;
    o.plots = false;
    const Report rep = run_experiment(cfg, o);
    const nlohmann::json j = to_json(rep);
    res["status"] = "done";
    res["seed"] = j["seed"];
    res["reference_accuracy"] = rep.reference_accuracy;
    res["schemes"] = j["schemes"];
  } catch (const std::exception& e) {
    res["status"] = "failed";
    res["error"] = e.what();
  }
  res["seconds"] = seconds_since(t0);
  write_file_atomic(pdir / "result.json", res.dump(1) + "\n");
  log_run(pdir, res["status"].get<std::string>());
  return res;
}

int point_threads(const SweepSpec& spec) {
  int t = 1;
  for (const auto& p : spec.points) t = std::max(t, p.threads);
  return t;
}

}  // namespace

std::optional<nlohmann::json> read_point_result(const fs::path& dir, const std::string& id) {
  std::ifstream in(dir / "points" / id / "result.json");
  if (!in) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(in);
    if (j.value("id", "") != id) return std::nullopt;  // not this point's: run it
    return j;
  } catch (...) {
    return std::nullopt;
  }
}

void write_manifest(const SweepSpec& spec, const fs::path& dir) {
  nlohmann::json pts = nlohmann::json::array();
  for (const auto& p : spec.points) pts.push_back({{"id", p.id}, {"values", p.values}});
  const nlohmann::json m = {{"sweep", fs::absolute(spec.file).lexically_normal().string()},
                            {"name", spec.name},
                            {"mode", spec.mode},
                            {"seed", spec.seed},
                            {"samples", spec.samples},
                            {"base", spec.base.string()},
                            {"axes", spec.axes},
                            {"front_within", spec.front_within},
                            {"duplicates", spec.duplicates},
                            {"points", pts}};
  write_file_atomic(dir / "sweep.json", m.dump(1) + "\n");
}

nlohmann::json read_manifest(const fs::path& dir) {
  const fs::path f = dir / "sweep.json";
  std::ifstream in(f);
  require(static_cast<bool>(in), f.string(), "", "not a sweep folder (no sweep.json)");
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw Error(f.string(), "", std::string("cannot parse: ") + e.what());
  }
}

SweepSummary run_sweep(const SweepSpec& spec, const SweepOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  write_manifest(spec, opt.out);
  SweepSummary sum;
  std::vector<const SweepPoint*> todo;
  for (size_t i = 0; i < spec.points.size(); ++i) {
    if (i % opt.shard.count != opt.shard.index) continue;
    ++sum.points;
    const auto r = read_point_result(opt.out, spec.points[i].id);
    const bool keep = r && (r->value("status", "") == "done" || !opt.retry_failed);
    if (keep) {
      ++sum.skipped;
      if (r->value("status", "") == "failed") ++sum.failed;
    } else {
      todo.push_back(&spec.points[i]);
    }
  }
  const int threads = point_threads(spec);
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  sum.jobs = opt.jobs > 0 ? opt.jobs : std::max(1, cores / threads);
  sum.jobs = std::max(1, std::min<int>(sum.jobs, static_cast<int>(todo.size())));
  std::fprintf(stderr,
               "anvil: sweep %s (%s, seed %llu): shard %u/%u, %zu points, %zu done before, %zu to "
               "run, %d jobs x %d threads\n",
               spec.name.c_str(), spec.mode.c_str(), static_cast<unsigned long long>(spec.seed),
               opt.shard.index, opt.shard.count, sum.points, sum.skipped, todo.size(), sum.jobs,
               threads);

  Progress progress("sweep", todo.size());
  std::mutex mu;
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < todo.size();) {
      nlohmann::json r;
      try {
        r = run_point(spec, *todo[i], opt.out);
      } catch (const std::exception& e) {  // its result could not be written: still pending
        r = {{"status", "failed"}, {"error", e.what()}, {"seconds", 0.0}};
      }
      const std::lock_guard<std::mutex> lock(mu);
      ++sum.ran;
      sum.point_s += r["seconds"].get<double>();
      std::string line = todo[i]->id + " " + r["status"].get<std::string>() + ":";
      for (size_t k = 0; k < spec.axes.size(); ++k)
        line += " " + spec.axes[k].substr(spec.axes[k].rfind('.') + 1) + "=" +
                (todo[i]->values[k].is_string() ? todo[i]->values[k].get<std::string>()
                                                : todo[i]->values[k].dump());
      if (r["status"] == "failed") {
        ++sum.failed;
        sum.errors.push_back(todo[i]->id + ": " + r["error"].get<std::string>());
        line += " -- " + r["error"].get<std::string>();
      }
      if (!opt.quiet) progress.step(line);
    }
  };
  std::vector<std::thread> pool;
  for (int j = 1; j < sum.jobs; ++j) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  sum.wall_s = seconds_since(t0);
  return sum;
}

std::string describe(const SweepSpec& spec, const SweepSummary& s) {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "sweep %s: %zu points in this shard, %zu ran now, %zu done before, %zu failed; "
                "%.1f s wall, %.1f s in points, %d jobs\n",
                spec.name.c_str(), s.points, s.ran, s.skipped, s.failed, s.wall_s, s.point_s,
                s.jobs);
  std::string out = buf;
  for (const auto& e : s.errors) out += "failed " + e + "\n";
  return out;
}

}  // namespace anvil::flow
