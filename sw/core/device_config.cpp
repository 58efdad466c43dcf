#include "core/device_config.hpp"

#include <cmath>
#include <set>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/gaussian_channel.hpp"

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

const std::set<std::string> kChannels = {"pcm", "measured", "gaussian", "digital"};

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

}  // namespace

std::shared_ptr<const Channel> make_channel(const YAML::Node& device, const std::string& file,
                                            const std::string& prefix) {
  const Section s = device_section(device, file, prefix);
  require(s.has("channel"), file, s.field("channel"),
          "is required (one of pcm, measured, gaussian, digital)");
  const std::string kind = s.choice("channel", "", kChannels);
  for (const auto& other : kChannels) {
    require(other == kind || !s.has(other), file, s.field(other),
            "section given but channel is '" + kind + "'");
  }
  if (kind == "gaussian") return make_gaussian(s);
  throw Error(file, s.field("channel"), "channel '" + kind + "' is not implemented yet");
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
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    throw Error(file, "", "cannot open file");
  } catch (const YAML::Exception& e) {
    throw Error(file, "",
                "YAML syntax error at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  require(root.IsMap(), file, "", "must be a YAML mapping");
  if (root["device"].IsDefined()) {
    for (const auto& kv : root) {
      const auto key = kv.first.as<std::string>();
      require(key == "device", file, key, "unknown key beside 'device' in a device file");
    }
    return make_cell(root["device"], file, "device");
  }
  return make_cell(root, file, "device");
}

}  // namespace anvil::core
