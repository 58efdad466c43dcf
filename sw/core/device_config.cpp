#include "core/device_config.hpp"

#include <cmath>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "core/digital_channel.hpp"
#include "core/error.hpp"
#include "core/gaussian_channel.hpp"
#include "core/measured_channel.hpp"
#include "core/pcm_channel.hpp"
#include "core/yaml_util.hpp"

namespace anvil::core {

namespace {

// A YAML mapping with strict keys: every key must be listed, every read names its key path.
class Section {
 public:
  Section(YAML::Node node, std::string file, std::string path, std::set<std::string> allowed)
      : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {
    require(node_.IsMap(), file_, path_, "must be a mapping" + where(node_));
    for (const auto& kv : node_) {
      const auto key = kv.first.as<std::string>();
      require(allowed.count(key) != 0, file_, field(key),
              "unknown key" + where(kv.first) + " (allowed: " + join(allowed) + ")");
    }
  }

  const std::string& file() const { return file_; }
  std::string field(const std::string& key) const { return path_ + "." + key; }
  bool has(const std::string& key) const { return node_[key].IsDefined() && !node_[key].IsNull(); }
  YAML::Node node(const std::string& key) const { return node_[key]; }

  double number(const std::string& key, double fallback) const {
    if (!has(key)) return fallback;
    return scalar_number(node_[key], field(key));
  }
  double number(const std::string& key, double fallback, double lo, double hi,
                const std::string& rule) const {
    const double v = number(key, fallback);
    require(v >= lo && v <= hi, file_, field(key), rule + where(node_[key]));
    return v;
  }
  uint32_t integer(const std::string& key, uint32_t fallback, uint32_t lo, uint32_t hi) const {
    if (!has(key)) return fallback;
    const double v = scalar_number(node_[key], field(key));
    require(v == std::floor(v), file_, field(key), "must be an integer" + where(node_[key]));
    require(
        v >= lo && v <= hi, file_, field(key),
        "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]" + where(node_[key]));
    return static_cast<uint32_t>(v);
  }
  bool boolean(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    try {
      return node_[key].as<bool>();
    } catch (const YAML::Exception&) {
      throw Error(file_, field(key), "must be true or false" + where(node_[key]));
    }
  }
  std::string text(const std::string& key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    require(node_[key].IsScalar(), file_, field(key), "must be a string" + where(node_[key]));
    return node_[key].as<std::string>();
  }
  std::string choice(const std::string& key, const std::string& fallback,
                     const std::set<std::string>& options) const {
    const std::string v = text(key, fallback);
    require(options.count(v) != 0, file_, field(key),
            "must be one of " + join(options) + ", got '" + v + "'" + where(node_[key]));
    return v;
  }
  // A number or a list of numbers.
  std::vector<double> numbers(const std::string& key, std::vector<double> fallback) const {
    if (!has(key)) return fallback;
    const YAML::Node n = node_[key];
    if (n.IsScalar()) return {scalar_number(n, field(key))};
    require(n.IsSequence() && n.size() > 0, file_, field(key),
            "must be a number or a non-empty list of numbers" + where(n));
    std::vector<double> out;
    for (size_t i = 0; i < n.size(); ++i) {
      out.push_back(scalar_number(n[i], field(key) + "[" + std::to_string(i) + "]"));
    }
    return out;
  }
  Section sub(const std::string& key, std::set<std::string> allowed) const {
    YAML::Node n = has(key) ? node_[key] : YAML::Node(YAML::NodeType::Map);
    return Section(n, file_, field(key), std::move(allowed));
  }

  static std::string where(const YAML::Node& n) {
    if (!n.IsDefined()) return "";
    const auto m = n.Mark();
    return m.line >= 0 ? " (line " + std::to_string(m.line + 1) + ")" : "";
  }

 private:
  double scalar_number(const YAML::Node& n, const std::string& f) const {
    require(n.IsScalar(), file_, f, "must be a number" + where(n));
    try {
      const double v = n.as<double>();
      require(std::isfinite(v), file_, f, "must be finite" + where(n));
      return v;
    } catch (const YAML::Exception&) {
      throw Error(file_, f, "must be a number, got '" + n.Scalar() + "'" + where(n));
    }
  }
  static std::string join(const std::set<std::string>& s) {
    std::string out;
    for (const auto& k : s) out += (out.empty() ? "" : ", ") + k;
    return out;
  }

  YAML::Node node_;
  std::string file_, path_;
};

std::shared_ptr<const Channel> make_gaussian(const Section& s);
std::shared_ptr<const Channel> make_pcm(const Section& s);
std::shared_ptr<const Channel> make_measured(const Section& s);
std::shared_ptr<const Channel> make_digital(const Section& s);

// The channel registry: a new memory technology is its Channel class (one file), a factory
// that reads its device section, and one line here.
using ChannelFactory = std::shared_ptr<const Channel> (*)(const Section&);
const std::map<std::string, ChannelFactory> kChannelFactories = {
    {"pcm", make_pcm},
    {"measured", make_measured},
    {"gaussian", make_gaussian},
    {"digital", make_digital},
};

std::set<std::string> channel_kinds() {
  std::set<std::string> k;
  for (const auto& [name, make] : kChannelFactories) k.insert(name);
  return k;
}
const std::set<std::string> kChannels = channel_kinds();

Section device_section(const YAML::Node& device, const std::string& file,
                       const std::string& prefix) {
  std::set<std::string> allowed = {"channel",      "adc_bits", "read_time_s", "verify_time_s",
                                   "write_verify", "stuck_at", "name",        "description"};
  allowed.insert(kChannels.begin(), kChannels.end());
  return Section(device, file, prefix, allowed);
}

std::shared_ptr<const Channel> make_gaussian(const Section& s) {
  const Section g = s.sub("gaussian", {"levels", "sigma", "read_sigma", "read_min", "read_max"});
  GaussianConfig c;
  c.levels = g.integer("levels", c.levels, 2, 1u << 24);
  c.sigma = g.numbers("sigma", c.sigma);
  for (size_t i = 0; i < c.sigma.size(); ++i) {
    require(c.sigma[i] >= 0.0, s.file(), g.field("sigma"), "must be >= 0");
  }
  c.read_sigma = g.number("read_sigma", c.read_sigma, 0.0, HUGE_VAL, "must be >= 0");
  c.read_min = g.number("read_min", c.read_min);
  c.read_max = g.number("read_max", c.read_max);
  return std::make_shared<GaussianChannel>(c, s.file());
}

ClampedLog clamped_log(const Section& s, const std::string& key, ClampedLog c) {
  const Section k = s.sub(key, {"slope", "offset", "min", "max"});
  c.slope = k.number("slope", c.slope);
  c.offset = k.number("offset", c.offset);
  c.min = k.number("min", c.min);
  c.max = k.number("max", c.max);
  require(c.min <= c.max, s.file(), k.field("min"), "must be <= max");
  return c;
}

std::shared_ptr<const Channel> make_pcm(const Section& s) {
  const Section p = s.sub("pcm", {"g_max_us", "dac_bits", "prog_coeff", "prog_ref_g_max_us", "t0_s",
                                  "mu_nu", "sigma_nu", "t_read_s", "q_s", "prog_noise_scale",
                                  "drift_scale", "read_noise_scale"});
  PcmConfig c;
  const double pos = 1e-300;
  c.g_max_us = p.number("g_max_us", c.g_max_us, pos, HUGE_VAL, "must be > 0");
  c.dac_bits = p.integer("dac_bits", c.dac_bits, 1, 16);
  if (p.has("prog_coeff")) {
    const auto v = p.numbers("prog_coeff", {});
    require(v.size() == 3, s.file(), p.field("prog_coeff"),
            "must be 3 numbers [c0, c1, c2] of c0 + c1 gT + c2 gT^2");
    c.prog_coeff = {v[0], v[1], v[2]};
  }
  c.prog_ref_g_max_us =
      p.number("prog_ref_g_max_us", c.prog_ref_g_max_us, pos, HUGE_VAL, "must be > 0");
  c.t0_s = p.number("t0_s", c.t0_s, pos, HUGE_VAL, "must be > 0");
  c.mu_nu = clamped_log(p, "mu_nu", c.mu_nu);
  c.sigma_nu = clamped_log(p, "sigma_nu", c.sigma_nu);
  require(c.sigma_nu.min >= 0.0, s.file(), p.field("sigma_nu.min"), "must be >= 0");
  c.t_read_s = p.number("t_read_s", c.t_read_s, pos, HUGE_VAL, "must be > 0");
  const Section q = p.sub("q_s", {"coeff", "exponent", "max"});
  c.q_s_coeff = q.number("coeff", c.q_s_coeff, 0.0, HUGE_VAL, "must be >= 0");
  c.q_s_exponent = q.number("exponent", c.q_s_exponent);
  c.q_s_max = q.number("max", c.q_s_max, 0.0, HUGE_VAL, "must be >= 0");
  c.prog_noise_scale = p.number("prog_noise_scale", 1.0, 0.0, HUGE_VAL, "must be >= 0");
  c.drift_scale = p.number("drift_scale", 1.0, 0.0, HUGE_VAL, "must be >= 0");
  c.read_noise_scale = p.number("read_noise_scale", 1.0, 0.0, HUGE_VAL, "must be >= 0");
  return std::make_shared<PcmChannel>(c, s.file());
}

std::shared_ptr<const Channel> make_measured(const Section& s) {
  const Section m = s.sub("measured", {"file", "domain", "sampling", "normalise", "dac_codes"});
  MeasuredConfig c;
  require(m.has("file"), s.file(), m.field("file"), "is required (path of a measured CSV)");
  std::filesystem::path f = m.text("file", "");
  if (f.is_relative()) f = std::filesystem::path(s.file()).parent_path() / f;
  c.file = f.lexically_normal();
  c.domain = m.choice("domain", c.domain, {"log10", "linear"});
  c.sampling = m.choice("sampling", c.sampling, {"empirical", "gaussian"});
  c.normalise = m.boolean("normalise", c.normalise);
  c.dac_codes = m.integer("dac_codes", 0, 0, 1u << 16);
  require(c.dac_codes != 1, s.file(), m.field("dac_codes"), "must be 0 (per level) or >= 2");
  return std::make_shared<MeasuredChannel>(c, s.file());
}

std::shared_ptr<const Channel> make_digital(const Section& s) {
  const Section d = s.sub("digital", {"levels", "sigma", "error_rate", "transition"});
  DigitalConfig c;
  c.levels = d.integer("levels", c.levels, 2, 1u << 16);
  if (d.has("sigma")) c.sigma = d.number("sigma", 0.0, 0.0, HUGE_VAL, "must be >= 0");
  if (d.has("error_rate")) {
    c.error_rate = d.numbers("error_rate", {});
    for (double e : c.error_rate) {
      require(e >= 0.0 && e <= 1.0, s.file(), d.field("error_rate"), "must be in [0, 1]");
    }
  }
  if (d.has("transition")) {
    const YAML::Node t = d.node("transition");
    require(t.IsSequence(), s.file(), d.field("transition"),
            "must be a list of rows (levels x levels)" + Section::where(t));
    for (size_t i = 0; i < t.size(); ++i) {
      require(t[i].IsSequence(), s.file(), d.field("transition") + "[" + std::to_string(i) + "]",
              "must be a list of probabilities" + Section::where(t[i]));
      std::vector<double> row;
      for (size_t j = 0; j < t[i].size(); ++j) {
        try {
          row.push_back(t[i][j].as<double>());
        } catch (const YAML::Exception&) {
          throw Error(s.file(), d.field("transition") + "[" + std::to_string(i) + "]",
                      "must be numbers" + Section::where(t[i][j]));
        }
      }
      c.transition.push_back(row);
    }
  }
  return std::make_shared<DigitalChannel>(c, s.file());
}

}  // namespace

std::shared_ptr<const Channel> make_channel(const YAML::Node& device, const std::string& file,
                                            const std::string& prefix) {
  const Section s = device_section(device, file, prefix);
  std::string kinds;
  for (const auto& k : kChannels) kinds += (kinds.empty() ? "" : ", ") + k;
  require(s.has("channel"), file, s.field("channel"), "is required (one of " + kinds + ")");
  const std::string kind = s.choice("channel", "", kChannels);
  for (const auto& other : kChannels) {
    require(other == kind || !s.has(other), file, s.field(other),
            "section given but channel is '" + kind + "'");
  }
  return kChannelFactories.at(kind)(s);
}

CellSpec make_cell_spec(const YAML::Node& device, const std::string& file,
                        const std::string& prefix) {
  const Section s = device_section(device, file, prefix);
  CellSpec c;
  c.adc_bits = s.integer("adc_bits", c.adc_bits, 1, 16);
  c.read_time_s = s.number("read_time_s", c.read_time_s, 0.0, HUGE_VAL, "must be >= 0");
  c.verify_time_s = s.number("verify_time_s", c.verify_time_s, 0.0, HUGE_VAL, "must be >= 0");
  const Section wv = s.sub("write_verify", {"enabled", "tolerance", "max_pulses"});
  c.verify.enabled = wv.boolean("enabled", c.verify.enabled);
  c.verify.tolerance = wv.number("tolerance", c.verify.tolerance, 0.0, HUGE_VAL, "must be >= 0");
  c.verify.max_pulses = wv.integer("max_pulses", c.verify.enabled ? 8u : 1u, 1, 1u << 16);
  const Section st = s.sub("stuck_at", {"rate", "low_fraction"});
  c.stuck.rate = st.number("rate", c.stuck.rate, 0.0, 1.0, "must be in [0, 1]");
  c.stuck.low_fraction =
      st.number("low_fraction", c.stuck.low_fraction, 0.0, 1.0, "must be in [0, 1]");
  return c;
}

Cell make_cell(const YAML::Node& device, const std::string& file, const std::string& prefix) {
  return Cell(make_channel(device, file, prefix), make_cell_spec(device, file, prefix));
}

Cell load_device(const std::filesystem::path& path) {
  const std::string file = path.string();
  const YAML::Node root = load_yaml_file(file);
  require(root.IsMap(), file, "", "must be a YAML mapping");
  return yaml_guard(file, [&] {
    if (root["device"].IsDefined()) {
      for (const auto& kv : root) {
        const auto key = kv.first.as<std::string>();
        require(key == "device", file, key, "unknown key beside 'device' in a device file");
      }
      return make_cell(root["device"], file, "device");
    }
    return make_cell(root, file, "device");
  });
}

}  // namespace anvil::core
