#include "core/measured_channel.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <numeric>

#include "core/error.hpp"

namespace anvil::core {

namespace {

std::string trim(std::string s) {
  const auto ws = " \t\r\n";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t c = line.find(',', start);
    out.push_back(trim(line.substr(start, c == std::string::npos ? std::string::npos : c - start)));
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

bool starts_with(const std::string& s, const char* p) {
  return s.rfind(p, 0) == 0;
}

void moments(const std::vector<double>& v, double& mean, double& std) {
  mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double ss = 0.0;
  for (double x : v) ss += (x - mean) * (x - mean);
  std = std::sqrt(ss / static_cast<double>(v.size()));
}

}  // namespace

MeasuredTable load_measured_table(const std::filesystem::path& path, const std::string& domain) {
  const std::string file = path.string();
  require(domain == "log10" || domain == "linear", file, "domain",
          "must be log10 or linear, got '" + domain + "'");
  std::ifstream in(path);
  require(in.good(), file, "", "cannot open file");
  std::string line;
  size_t lineno = 0;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    ++lineno;
    if (!trim(line).empty()) {
      header = split(line);
      break;
    }
  }
  require(!header.empty(), file, "", "empty file: expected a CSV header");

  MeasuredTable t;
  t.write_name = header[0];
  int mean_col = -1, std_col = -1, count_col = -1;
  for (size_t c = 1; c < header.size(); ++c) {
    if (starts_with(header[c], "mean")) mean_col = static_cast<int>(c);
    if (starts_with(header[c], "std")) std_col = static_cast<int>(c);
    if (header[c] == "samples") count_col = static_cast<int>(c);
  }
  const bool stats = mean_col >= 0 || std_col >= 0;
  if (stats) {
    require(mean_col >= 0, file, "mean_*",
            "missing column: a per-level table needs mean_* and std_*");
    require(std_col >= 0, file, "std_*",
            "missing column: a per-level table needs mean_* and std_*");
    t.read_name = header[mean_col].substr(std::min<size_t>(5, header[mean_col].size()));
  } else {
    require(header.size() >= 2, file, "read value",
            "missing column: a sample table needs <write level>,<read value> (header: '" +
                trim(line) + "')");
    require(header.size() == 2, file, header[2],
            "unexpected column: a sample table has exactly <write level>,<read value>");
    t.read_name = header[1];
  }
  for (size_t c = 0; c < header.size(); ++c) {
    require(!header[c].empty(), file, "header", "column " + std::to_string(c + 1) + " has no name");
  }

  std::map<double, std::vector<double>> groups;
  double last_write = -HUGE_VAL;
  while (std::getline(in, line)) {
    ++lineno;
    if (trim(line).empty()) continue;
    const auto cells = split(line);
    require(cells.size() == header.size(), file, "line " + std::to_string(lineno),
            "expected " + std::to_string(header.size()) + " columns, got " +
                std::to_string(cells.size()));
    std::vector<double> v(cells.size());
    for (size_t c = 0; c < cells.size(); ++c) {
      char* end = nullptr;
      errno = 0;
      v[c] = std::strtod(cells[c].c_str(), &end);
      require(
          !cells[c].empty() && end != nullptr && *end == '\0' && errno == 0 && std::isfinite(v[c]),
          file, header[c],
          "line " + std::to_string(lineno) + ": not a finite number: '" + cells[c] + "'");
    }
    const std::string at = "line " + std::to_string(lineno) + ": ";
    if (stats) {
      require(v[0] > last_write, file, header[0],
              at + "write levels must be strictly increasing (" + cells[0] + " after " +
                  std::to_string(last_write) + ")");
      last_write = v[0];
      require(v[std_col] >= 0.0, file, header[std_col],
              at + "spread must be >= 0, got " + cells[std_col]);
      if (count_col >= 0) {
        require(v[count_col] >= 1.0 && v[count_col] == std::floor(v[count_col]), file,
                header[count_col], at + "must be an integer >= 1");
      }
      t.write.push_back(v[0]);
      t.mean.push_back(v[mean_col]);
      t.std.push_back(v[std_col]);
    } else {
      double r = v[1];
      if (domain == "log10") {
        require(r > 0.0, file, header[1], at + "must be > 0 for domain log10, got " + cells[1]);
        r = std::log10(r);
      }
      groups[v[0]].push_back(r);
    }
  }
  if (!stats) {
    for (auto& [w, s] : groups) {
      t.write.push_back(w);
      double m, sd;
      moments(s, m, sd);
      t.mean.push_back(m);
      t.std.push_back(sd);
      t.samples.push_back(std::move(s));
    }
  }
  require(!t.write.empty(), file, "", "empty file: no data rows after the header");
  require(t.write.size() >= 2, file, header[0],
          "needs at least 2 distinct write levels, found " + std::to_string(t.write.size()));
  return t;
}

MeasuredChannel::MeasuredChannel(MeasuredConfig cfg, const std::string& source)
    : cfg_(std::move(cfg)) {
  table_ = load_measured_table(cfg_.file, cfg_.domain);
  build(source.empty() ? cfg_.file.string() : source);
}

MeasuredChannel::MeasuredChannel(MeasuredConfig cfg, MeasuredTable table, const std::string& source)
    : cfg_(std::move(cfg)), table_(std::move(table)) {
  build(source.empty() ? cfg_.file.string() : source);
}

void MeasuredChannel::build(const std::string& source) {
  const auto& t = table_;
  require(cfg_.domain == "log10" || cfg_.domain == "linear", source, "measured.domain",
          "must be log10 or linear");
  require(cfg_.sampling == "empirical" || cfg_.sampling == "gaussian", source, "measured.sampling",
          "must be empirical or gaussian");
  require(t.write.size() >= 2 && t.mean.size() == t.write.size() && t.std.size() == t.write.size(),
          source, "measured.file", "needs at least 2 write levels with mean and std");
  for (size_t i = 0; i < t.write.size(); ++i) {
    require(i == 0 || t.write[i] > t.write[i - 1], source, "measured.file",
            "write levels must be strictly increasing");
    require(t.std[i] >= 0.0, source, "measured.file", "spread must be >= 0");
  }
  require(cfg_.dac_codes != 1, source, "measured.dac_codes", "must be 0 (per level) or >= 2");
  if (cfg_.sampling == "empirical") {
    require(t.has_samples(), source, "measured.sampling",
            "empirical sampling needs a raw-sample table; this file has per-level statistics");
    require(cfg_.dac_codes == 0, source, "measured.sampling",
            "empirical sampling needs one DAC code per measured level (dac_codes: 0); use "
            "sampling: gaussian with an interpolating DAC");
  }
  // Range of the domain values: all samples, or mean -/+ 3 std for a stats table.
  double vmin = HUGE_VAL, vmax = -HUGE_VAL;
  for (size_t i = 0; i < t.write.size(); ++i) {
    if (t.has_samples()) {
      for (double x : t.samples[i]) vmin = std::min(vmin, x), vmax = std::max(vmax, x);
    } else {
      vmin = std::min(vmin, t.mean[i] - 3.0 * t.std[i]);
      vmax = std::max(vmax, t.mean[i] + 3.0 * t.std[i]);
    }
  }
  require(vmax > vmin, source, "measured.file", "read values must not all be equal");
  if (cfg_.normalise) {
    a_ = 2.0 / (vmax - vmin);
    b_ = -1.0 - a_ * vmin;
    lo_ = -1.0;
    hi_ = 1.0;
  } else {
    a_ = 1.0;
    b_ = 0.0;
    lo_ = vmin;
    hi_ = vmax;
  }
  code_write_.clear(), code_mean_.clear(), code_std_.clear(), code_samples_.clear();
  if (cfg_.dac_codes == 0) {
    for (size_t i = 0; i < t.write.size(); ++i) {
      code_write_.push_back(t.write[i]);
      code_mean_.push_back(to_read(t.mean[i]));
      code_std_.push_back(a_ * t.std[i]);
      if (cfg_.sampling == "empirical") {
        std::vector<double> s;
        for (double x : t.samples[i]) s.push_back(to_read(x));
        code_samples_.push_back(std::move(s));
      }
    }
  } else {
    const double w0 = t.write.front(), w1 = t.write.back();
    for (uint32_t d = 0; d < cfg_.dac_codes; ++d) {
      const double w = w0 + (w1 - w0) * d / (cfg_.dac_codes - 1.0);
      const size_t hi =
          std::min<size_t>(std::upper_bound(t.write.begin(), t.write.end(), w) - t.write.begin(),
                           t.write.size() - 1);
      const size_t lo = hi - 1;
      const double f = std::clamp((w - t.write[lo]) / (t.write[hi] - t.write[lo]), 0.0, 1.0);
      code_write_.push_back(w);
      code_mean_.push_back(to_read(t.mean[lo] + f * (t.mean[hi] - t.mean[lo])));
      code_std_.push_back(a_ * (t.std[lo] + f * (t.std[hi] - t.std[lo])));
    }
  }
}

std::string MeasuredChannel::unit() const {
  std::string u = cfg_.domain == "log10" ? "log10(" + table_.read_name + ")" : table_.read_name;
  return cfg_.normalise ? u + " normalised to [-1, 1]" : u;
}

uint32_t MeasuredChannel::dac_codes() const {
  return static_cast<uint32_t>(code_write_.size());
}

double MeasuredChannel::write_setting(uint32_t dac) const {
  return code_write_[clamp(dac)];
}

double MeasuredChannel::write_normalised(uint32_t dac) const {
  const double w0 = table_.write.front(), w1 = table_.write.back();
  return 2.0 * (write_setting(dac) - w0) / (w1 - w0) - 1.0;
}

double MeasuredChannel::program_pulse(uint32_t dac, const CellNoise& noise, uint32_t pulse) const {
  const uint32_t d = clamp(dac);
  if (!code_samples_.empty()) {
    const auto& s = code_samples_[d];
    return s[noise.below(Draw::kSample, pulse, s.size())];
  }
  return code_mean_[d] + code_std_[d] * noise.normal(Draw::kProgram, pulse);
}

LevelStats MeasuredChannel::stats(uint32_t dac, double t_s) const {
  (void)t_s;
  return {code_mean_[clamp(dac)], code_std_[clamp(dac)]};
}

}  // namespace anvil::core
