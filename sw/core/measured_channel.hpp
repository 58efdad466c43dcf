// measured: a channel given by a table of measurements, e.g. the partial-reset PCM data in
// ../shared/data/pcm (40 write voltages x 380 resistance reads). Two CSV forms, told apart by
// their header:
//   raw samples:   <write level>,<read value>            (one row per read; any row order)
//   level stats:   <write level>,samples,mean_*,std_*    (one row per level, strictly increasing
//                                                         write level; statistics already in
//                                                         the working domain)
// Read values are mapped to the working domain (log10, default, for resistances; or linear)
// and then, by default, linearly onto [-1, 1] by their min and max (for a stats-only table:
// of mean -/+ 3 std), as the data README describes; write levels likewise onto [-1, 1]
// (write_normalised). DAC code d is the d-th measured write level (sorted), or, with
// dac_codes = N, N write settings spread evenly over the measured range whose mean and std are
// interpolated linearly between the neighbouring levels (Gaussian sampling). Programming draws
// either one of the level's measured samples (sampling: empirical, Draw::kSample picks the
// index) or mean + std N (sampling: gaussian, Draw::kProgram). No drift, no extra read noise:
// the measurements are reads.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/channel.hpp"

namespace anvil::core {

struct MeasuredConfig {
  std::filesystem::path file;
  std::string domain = "log10";        // log10 | linear
  std::string sampling = "empirical";  // empirical | gaussian
  bool normalise = true;               // read values onto [-1, 1]
  uint32_t dac_codes = 0;              // 0: one per measured level; else interpolated (>= 2)
};

// The table as loaded, in the working domain (before normalisation).
struct MeasuredTable {
  std::string write_name, read_name;         // column headers
  std::vector<double> write;                 // distinct write levels, increasing
  std::vector<std::vector<double>> samples;  // per level (empty for a stats table)
  std::vector<double> mean, std;             // per level (population std)
  bool has_samples() const { return !samples.empty(); }
};

// Parses a measured CSV (either form). Errors name the file, the column or line, and the rule.
MeasuredTable load_measured_table(const std::filesystem::path& file, const std::string& domain);

class MeasuredChannel : public RangedChannel {
 public:
  // `source` names the config file for messages ("" = the CSV itself).
  explicit MeasuredChannel(MeasuredConfig cfg, const std::string& source = "");
  MeasuredChannel(MeasuredConfig cfg, MeasuredTable table, const std::string& source = "");

  const MeasuredConfig& config() const { return cfg_; }
  const MeasuredTable& table() const { return table_; }  // unnormalised domain values
  uint32_t levels() const { return static_cast<uint32_t>(table_.write.size()); }
  // Write setting of a DAC code mapped onto [-1, 1] by the measured min and max.
  double write_normalised(uint32_t dac) const;
  // Domain value (e.g. log10 ohm) -> read value (normalised if configured), and back.
  double to_read(double domain_value) const { return a_ * domain_value + b_; }
  double from_read(double read_value) const { return (read_value - b_) / a_; }

  std::string kind() const override { return "measured"; }
  std::string unit() const override;
  uint32_t dac_codes() const override;
  double write_setting(uint32_t dac) const override;
  double target(uint32_t dac) const override { return code_mean_[clamp(dac)]; }
  double program_pulse(uint32_t dac, const CellNoise& noise, uint32_t pulse) const override;
  LevelStats stats(uint32_t dac, double t_s) const override;

 private:
  void build(const std::string& source);
  uint32_t clamp(uint32_t dac) const { return dac < dac_codes() ? dac : dac_codes() - 1; }

  MeasuredConfig cfg_;
  MeasuredTable table_;
  double a_ = 1.0, b_ = 0.0;                               // domain -> read value
  std::vector<double> code_write_, code_mean_, code_std_;  // per DAC code, read-value units
  std::vector<std::vector<double>> code_samples_;          // per DAC code (empirical only)
};

}  // namespace anvil::core
