#include "core/device_config.hpp"

#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/digital_channel.hpp"
#include "core/error.hpp"
#include "core/gaussian_channel.hpp"
#include "core/measured_channel.hpp"
#include "core/pcm_channel.hpp"
#include "core/yaml_util.hpp"

namespace anvil::core {

namespace {

// Device sections: strict maps in which `key:` with no value leaves the default.
const YamlMap::Options kDevice{.null_is_unset = true};

std::shared_ptr<const Channel> make_gaussian(const YamlMap& s);
std::shared_ptr<const Channel> make_pcm(const YamlMap& s);
std::shared_ptr<const Channel> make_measured(const YamlMap& s);
std::shared_ptr<const Channel> make_digital(const YamlMap& s);
nlohmann::json gaussian_section(const Channel& ch);
nlohmann::json pcm_section(const Channel& ch);
nlohmann::json measured_section(const Channel& ch);
nlohmann::json digital_section(const Channel& ch);

// The registry's writers are called with the channel of their own kind.
template <class T>
const T& as(const Channel& ch) {
  return dynamic_cast<const T&>(ch);
}

// The channel registry: a new memory technology is its Channel class (one file), a factory
// that reads its device section and the writer of that section as it resolved (side by side
// below, same keys), and one line here.
struct ChannelEntry {
  std::shared_ptr<const Channel> (*make)(const YamlMap&);
  nlohmann::json (*section)(const Channel&);
};
const std::map<std::string, ChannelEntry> kChannelRegistry = {
    {"pcm", {make_pcm, pcm_section}},
    {"measured", {make_measured, measured_section}},
    {"gaussian", {make_gaussian, gaussian_section}},
    {"digital", {make_digital, digital_section}},
};

std::vector<std::string> channel_kinds() {
  std::vector<std::string> k;
  for (const auto& [name, entry] : kChannelRegistry) k.push_back(name);
  return k;
}

const std::vector<std::string> kChannels = channel_kinds();

YamlMap device_section(const YAML::Node& device, const std::string& file,
                       const std::string& prefix) {
  std::vector<std::string> allowed = {"channel",      "adc_bits", "read_time_s", "verify_time_s",
                                      "write_verify", "stuck_at", "name",        "description"};
  allowed.insert(allowed.end(), kChannels.begin(), kChannels.end());
  return YamlMap(device, file, prefix, allowed, kDevice);
}

std::shared_ptr<const Channel> make_gaussian(const YamlMap& s) {
  const YamlMap g = s.sub("gaussian", {"levels", "sigma", "read_sigma", "read_min", "read_max"});
  GaussianConfig c;
  c.levels = g.integer("levels", c.levels, 2, 1u << 24);
  c.sigma = g.numbers("sigma", c.sigma);
  for (const double v : c.sigma) g.check(v >= 0.0, "sigma", "must be >= 0");
  c.read_sigma = g.number("read_sigma", c.read_sigma, 0.0, HUGE_VAL, "must be >= 0");
  c.read_min = g.number("read_min", c.read_min);
  c.read_max = g.number("read_max", c.read_max);
  return std::make_shared<GaussianChannel>(c, s.file());
}

nlohmann::json gaussian_section(const Channel& ch) {
  const GaussianConfig& c = as<GaussianChannel>(ch).config();
  // An unset read range resolves to the channel's own ([-4 s, 1 + 4 s]).
  return {{"levels", c.levels},
          {"sigma", c.sigma},
          {"read_sigma", c.read_sigma},
          {"read_min", ch.read_min()},
          {"read_max", ch.read_max()}};
}

ClampedLog clamped_log(const YamlMap& s, const std::string& key, ClampedLog c) {
  const YamlMap k = s.sub(key, {"slope", "offset", "min", "max"});
  c.slope = k.number("slope", c.slope);
  c.offset = k.number("offset", c.offset);
  c.min = k.number("min", c.min);
  c.max = k.number("max", c.max);
  k.check(c.min <= c.max, "min", "must be <= max");
  return c;
}

std::shared_ptr<const Channel> make_pcm(const YamlMap& s) {
  const YamlMap p = s.sub("pcm", {"g_max_us", "dac_bits", "prog_coeff", "prog_ref_g_max_us", "t0_s",
                                  "mu_nu", "sigma_nu", "t_read_s", "q_s", "prog_noise_scale",
                                  "drift_scale", "read_noise_scale"});
  PcmConfig c;
  const double pos = 1e-300;
  c.g_max_us = p.number("g_max_us", c.g_max_us, pos, HUGE_VAL, "must be > 0");
  c.dac_bits = p.integer("dac_bits", c.dac_bits, 1, 16);
  if (p.has("prog_coeff")) {
    const auto v = p.numbers("prog_coeff", {});
    p.check(v.size() == 3, "prog_coeff", "must be 3 numbers [c0, c1, c2] of c0 + c1 gT + c2 gT^2");
    c.prog_coeff = {v[0], v[1], v[2]};
  }
  c.prog_ref_g_max_us =
      p.number("prog_ref_g_max_us", c.prog_ref_g_max_us, pos, HUGE_VAL, "must be > 0");
  c.t0_s = p.number("t0_s", c.t0_s, pos, HUGE_VAL, "must be > 0");
  c.mu_nu = clamped_log(p, "mu_nu", c.mu_nu);
  c.sigma_nu = clamped_log(p, "sigma_nu", c.sigma_nu);
  require(c.sigma_nu.min >= 0.0, s.file(), p.field("sigma_nu.min"), "must be >= 0");
  c.t_read_s = p.number("t_read_s", c.t_read_s, pos, HUGE_VAL, "must be > 0");
  const YamlMap q = p.sub("q_s", {"coeff", "exponent", "max"});
  c.q_s_coeff = q.number("coeff", c.q_s_coeff, 0.0, HUGE_VAL, "must be >= 0");
  c.q_s_exponent = q.number("exponent", c.q_s_exponent);
  c.q_s_max = q.number("max", c.q_s_max, 0.0, HUGE_VAL, "must be >= 0");
  c.prog_noise_scale = p.number("prog_noise_scale", 1.0, 0.0, HUGE_VAL, "must be >= 0");
  c.drift_scale = p.number("drift_scale", 1.0, 0.0, HUGE_VAL, "must be >= 0");
  c.read_noise_scale = p.number("read_noise_scale", 1.0, 0.0, HUGE_VAL, "must be >= 0");
  return std::make_shared<PcmChannel>(c, s.file());
}

nlohmann::json pcm_section(const Channel& ch) {
  const PcmConfig& c = as<PcmChannel>(ch).config();
  const auto clamped = [](const ClampedLog& l) {
    return nlohmann::json{{"slope", l.slope}, {"offset", l.offset}, {"min", l.min}, {"max", l.max}};
  };
  return {{"g_max_us", c.g_max_us},
          {"dac_bits", c.dac_bits},
          {"prog_coeff", c.prog_coeff},
          {"prog_ref_g_max_us", c.prog_ref_g_max_us},
          {"t0_s", c.t0_s},
          {"mu_nu", clamped(c.mu_nu)},
          {"sigma_nu", clamped(c.sigma_nu)},
          {"t_read_s", c.t_read_s},
          {"q_s", {{"coeff", c.q_s_coeff}, {"exponent", c.q_s_exponent}, {"max", c.q_s_max}}},
          {"prog_noise_scale", c.prog_noise_scale},
          {"drift_scale", c.drift_scale},
          {"read_noise_scale", c.read_noise_scale}};
}

std::shared_ptr<const Channel> make_measured(const YamlMap& s) {
  const YamlMap m = s.sub("measured", {"file", "domain", "sampling", "normalise", "dac_codes"});
  MeasuredConfig c;
  std::filesystem::path f = m.required<std::string>("file", " (path of a measured CSV)");
  if (f.is_relative()) f = std::filesystem::path(s.file()).parent_path() / f;
  c.file = f.lexically_normal();
  c.domain = m.choice("domain", c.domain, {"log10", "linear"});
  c.sampling = m.choice("sampling", c.sampling, {"empirical", "gaussian"});
  c.normalise = m.get<bool>("normalise", c.normalise);
  c.dac_codes = m.integer("dac_codes", 0u, 0, 1u << 16);
  m.check(c.dac_codes != 1, "dac_codes", "must be 0 (per level) or >= 2");
  return std::make_shared<MeasuredChannel>(c, s.file());
}

nlohmann::json measured_section(const Channel& ch) {
  const MeasuredConfig& c = as<MeasuredChannel>(ch).config();
  // Absolute: a relative path would resolve against whichever file the section is read from.
  return {{"file", std::filesystem::absolute(c.file).lexically_normal().string()},
          {"domain", c.domain},
          {"sampling", c.sampling},
          {"normalise", c.normalise},
          {"dac_codes", c.dac_codes}};
}

std::shared_ptr<const Channel> make_digital(const YamlMap& s) {
  const YamlMap d = s.sub("digital", {"levels", "sigma", "error_rate", "transition"});
  DigitalConfig c;
  c.levels = d.integer("levels", c.levels, 2, 1u << 16);
  if (d.has("sigma")) c.sigma = d.number("sigma", 0.0, 0.0, HUGE_VAL, "must be >= 0");
  if (d.has("error_rate")) {
    c.error_rate = d.numbers("error_rate", {});
    for (double e : c.error_rate) {
      d.check(e >= 0.0 && e <= 1.0, "error_rate", "must be in [0, 1]");
    }
  }
  if (d.has("transition")) {
    const YAML::Node t = d.node("transition");
    require(t.IsSequence(), s.file(), d.field("transition"),
            "must be a list of rows (levels x levels)" + YamlMap::where(t));
    for (size_t i = 0; i < t.size(); ++i)
      c.transition.push_back(
          d.number_list(t[i], d.field("transition") + "[" + std::to_string(i) + "]"));
  }
  return std::make_shared<DigitalChannel>(c, s.file());
}

nlohmann::json digital_section(const Channel& ch) {
  // sigma and error_rate resolve to the symbol transition matrix they define.
  const auto& d = as<DigitalChannel>(ch);
  return {{"levels", d.dac_codes()}, {"transition", d.symbol_transition()}};
}

}  // namespace

std::shared_ptr<const Channel> make_channel(const YAML::Node& device, const std::string& file,
                                            const std::string& prefix) {
  const YamlMap s = device_section(device, file, prefix);
  std::string kinds;
  for (const auto& k : kChannels) kinds += (kinds.empty() ? "" : ", ") + k;
  require(s.has("channel"), file, s.field("channel"), "is required (one of " + kinds + ")");
  const std::string kind = s.choice("channel", "", kChannels);
  for (const auto& other : kChannels) {
    require(other == kind || !s.has(other), file, s.field(other),
            "section given but channel is '" + kind + "'");
  }
  return kChannelRegistry.at(kind).make(s);
}

nlohmann::json channel_section(const Channel& ch) {
  const auto it = kChannelRegistry.find(ch.kind());
  return it == kChannelRegistry.end() ? nlohmann::json() : it->second.section(ch);
}

CellSpec make_cell_spec(const YAML::Node& device, const std::string& file,
                        const std::string& prefix) {
  const YamlMap s = device_section(device, file, prefix);
  CellSpec c;
  c.adc_bits = s.integer("adc_bits", c.adc_bits, 1, 16);
  c.read_time_s = s.number("read_time_s", c.read_time_s, 0.0, HUGE_VAL, "must be >= 0");
  c.verify_time_s = s.number("verify_time_s", c.verify_time_s, 0.0, HUGE_VAL, "must be >= 0");
  const YamlMap wv = s.sub("write_verify", {"enabled", "tolerance", "max_pulses"});
  c.verify.enabled = wv.get<bool>("enabled", c.verify.enabled);
  c.verify.tolerance = wv.number("tolerance", c.verify.tolerance, 0.0, HUGE_VAL, "must be >= 0");
  c.verify.max_pulses = wv.integer("max_pulses", c.verify.enabled ? 8u : 1u, 1, 1u << 16);
  const YamlMap st = s.sub("stuck_at", {"rate", "low_fraction"});
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
