// An experiment: one network x one data set x one device (channel + periphery) x a list of
// storage schemes (analog schemes and digital baselines), evaluated by Monte Carlo over
// channel draws. Parsed from YAML with strict keys:
//
//   experiment:
//     name: lenet5-fashion-pcm
//     network: ../models/networks/lenet5.onnx    # relative to this file
//     dataset: fashion-mnist                      # fashion-mnist | mnist | cifar10 | imagenet
//     data_dir: ""                                # optional override of the data folder
//     labels: val.txt                             # imagenet, flat folder: 'FILE LABEL' lines
//     device: ../models/devices/pcm.yaml          # a device file, or an inline device map
//     read_time_s: 86400                          # optional: overrides the device's
//     trials: 10                                  # Monte Carlo trials per analog scheme, or
//     # trials: {auto: {half_width_pp: 0.1, min: 5, max: 50}}: stop once the 95 % interval
//     #   of the mean accuracy is at most half_width_pp wide on each side (after at least
//     #   `min` trials), never past `max`; the report says how many ran and why they stopped
//     test_subset: {images: 1000, seed: 7}        # optional: screen on a seeded subset of the
//                                                 # test split (the report says which split)
//     seed: 2026                                  # trial t draws from RandomStream(seed, t)
//     threads: 2
//     accuracy_drop_pp: 0.5                       # budget for "keeps accuracy"
//     sweep_read_time_s: [1, 3600, 86400]         # optional: drift sweep (drift.csv)
//     sweep_trials: 3                             # trials per sweep point
//     parameter_format: fp32                      # fp32 | fp16 | int8: the digital parameters
//     reference_network: ../models/x.onnx         # optional: the uncompressed network the
//                                                 # accuracy drop is measured from (designs)
//   schemes:                                      # core/scheme.hpp
//     - {name: naive, levels: 256, decode: naive}
//     - {name: fp32-slc-secded, digital: {format: fp32, cell: slc, ecc: secded}}
//
// What is stored where: the weight tensors of Conv/Linear nodes (after BatchNorm folding,
// the inference form) go through each scheme; biases and any remaining BatchNorm vectors
// are stored digitally (fp32, fp16, or int8 with one fp32 scale per tensor) in the scheme's
// metadata stream, and every accuracy is measured with them in that format.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/allocation.hpp"
#include "core/cell.hpp"
#include "core/scheme.hpp"
#include "flow/report.hpp"
#include "nn/dataset.hpp"
#include "nn/network.hpp"

namespace anvil::flow {

struct ExperimentConfig {
  std::string file;  // the YAML it came from
  std::string name;
  std::filesystem::path network;
  std::string dataset = "fashion-mnist";
  std::string data_dir;
  std::string labels;  // imagenet: label file of a flat folder of JPEGs
  YAML::Node device;   // the device section as written (echoed, copied into designs)
  std::string device_file;
  std::shared_ptr<const core::Cell> cell;  // the device parsed once, at its own read time
  std::optional<double> read_time_s;
  uint32_t trials = 10;  // fixed count; with trials_auto, the cap
  struct AutoTrials {
    double half_width_pp = 0.1;  // target 95 % half-width, percentage points
    uint32_t min = 5;
  };
  std::optional<AutoTrials> trials_auto;
  struct TestSubset {
    size_t images = 0;
    uint64_t seed = 0;
  };
  std::optional<TestSubset> test_subset;
  uint64_t seed = 2026;
  int threads = 2;
  double accuracy_drop_pp = 0.5;
  std::vector<double> sweep_read_time_s;
  uint32_t sweep_trials = 3;
  std::vector<core::SchemeSpec> schemes;
  std::string parameter_format = "fp32";
  std::filesystem::path reference_network;  // empty: the network itself
  YAML::Node optimize;  // the `optimize:` section (flow/optimize parses it), or null
  nlohmann::json echo;  // the config as read, for the report
};

ExperimentConfig load_experiment(const std::filesystem::path& file);
// The same from an in-memory document (a sweep point): relative paths resolve against `dir`,
// errors name `label`.
ExperimentConfig load_experiment(const YAML::Node& root, const std::filesystem::path& dir,
                                 const std::string& label);

// A stable 16-hex-digit key of `text` (FNV-1a 64): cached trials, sweep point ids.
std::string content_hash(const std::string& text);

// The weights stored through a scheme, and the parameters kept digitally as metadata.
struct StoredModel {
  nn::Network net;              // inference form (BatchNorm folded)
  std::vector<size_t> stored;   // indices into net.parameters() stored by the scheme
  uint64_t digital_floats = 0;  // parameters kept digitally (biases, BatchNorm vectors)
  uint64_t digital_bits = 0;    // their bits in `parameter_format`
  // Per stored tensor, one importance score per weight (importance metric `score`); empty
  // unless an experiment's scheme protects by it (score_weights).
  std::vector<std::vector<float>> scores;
};

// Folds BatchNorm and rounds the digital parameters to `parameter_format` (fp32 | fp16 |
// int8), in place, so every accuracy sees what storage would give back.
StoredModel prepare_model(const nn::Network& net, const std::string& parameter_format = "fp32");
// Whether a scheme of `cfg` (or one of its per-tensor overrides) protects by importance
// metric `score`.
bool needs_scores(const ExperimentConfig& cfg);
// Importance metric `score`: the diagonal of the empirical Fisher information of every stored
// weight (compress::fisher_diagonal, the inference-form network) over kScoreImages images of
// `train` drawn with the experiment's seed; bit-identical for any thread count.
inline constexpr size_t kScoreImages = 1000;
void score_weights(const ExperimentConfig& cfg, StoredModel& m, const nn::Dataset& train,
                   int threads);
// Views of the stored tensors of `m` (valid while m.net lives and is not modified).
std::vector<core::TensorView> stored_views(const StoredModel& m);
// Writes reconstructed tensors (in stored order) into `net`, a copy of m.net.
void load_stored(const StoredModel& m, nn::Network& net,
                 const std::vector<std::vector<float>>& tensors);

// A report row's footprint: the allocation's cells with the model's digital parameters in
// its metadata stream (row.cells() == core::footprint(a, m.digital_bits).total()).
SchemeResult footprint_row(const core::Allocation& a, const StoredModel& m);

// The cell an experiment uses at read time `t_s` (the parsed device, read_time_s overridden;
// nothing is parsed or loaded again).
core::Cell experiment_cell(const ExperimentConfig& cfg, std::optional<double> t_s = {});

// The test images an experiment evaluates on: the whole split, or `images` of them drawn
// without replacement by a seeded shuffle (kept in split order); the name and source say so.
nn::Dataset select_test_images(const nn::Dataset& test,
                               const std::optional<ExperimentConfig::TestSubset>& subset);

// Whether Monte Carlo may stop after the accuracies so far: the number needed is reached
// (fixed count or cap), or the 95 % half-width is on target. `why` says which.
bool trials_done(const std::vector<double>& accuracy, uint32_t cap,
                 const std::optional<ExperimentConfig::AutoTrials>& policy, std::string* why);

// Noise-free accuracy of the uncompressed network: experiment.reference_network (folded,
// fp32 parameters) if set, else the stored model itself.
double reference_accuracy(const ExperimentConfig& cfg, const StoredModel& model,
                          const nn::Dataset& test, int threads);

// What an experiment evaluates, loaded and checked once: the stored model, the test images
// (the seeded subset when the experiment asks for one) and the cell at its read time.
struct ExperimentSetup {
  StoredModel model;
  nn::Dataset test;
  core::Cell cell;
};
ExperimentSetup prepare_experiment(const ExperimentConfig& cfg);

// The header of every experiment report (`anvil run`, `anvil cosim`): build, the config as
// read, seed, trials (and the auto policy), noise generator, network, data set and split,
// device.
nlohmann::json report_header(const ExperimentConfig& cfg, const ExperimentSetup& x, uint64_t seed,
                             uint32_t trials, int threads,
                             const std::optional<ExperimentConfig::AutoTrials>& policy);

struct RunOptions {
  std::filesystem::path out;       // report folder; per-trial results are cached under it
  std::optional<int> threads;      // overrides the config
  std::optional<uint32_t> trials;  // overrides the config
  std::optional<uint64_t> seed;    // overrides the config
  bool quiet = false;
  bool sweep = true;  // run the drift sweep when the experiment has one
  bool plots = true;  // draw the PNG plots (python3); sweep points leave them to the merge
};

// Runs every scheme (resuming cached trials from a killed run), writes report.json,
// results.csv, table.md and the plots into opt.out, and returns the report.
Report run_experiment(const ExperimentConfig& cfg, const RunOptions& opt);

}  // namespace anvil::flow
