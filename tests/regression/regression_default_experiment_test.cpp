// The default experiment (configs/default.yaml: LeNet-5, Fashion-MNIST, statistical PCM read
// one day after programming), run through run_experiment with 3 trials: naive storage
// collapses, at least one anvil scheme stays within the 0.5 pp budget at a fraction of the
// fp32-SLC-SECDED footprint, and a killed run resumes from its cached trials.
#define BOOST_TEST_MODULE regression_default_experiment
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "flow/experiment.hpp"
#include "nn/onnx_io.hpp"

using namespace anvil;
namespace fs = std::filesystem;

namespace {
const std::string kSrc = ANVIL_SOURCE_DIR;

const flow::SchemeResult& row(const flow::Report& r, const std::string& name) {
  for (const auto& s : r.rows)
    if (s.name == name) return s;
  throw std::runtime_error("no row " + name);
}
}  // namespace

BOOST_AUTO_TEST_CASE(default_experiment_claims_hold) {
  const auto cfg = flow::load_experiment(kSrc + "/configs/default.yaml");
  const fs::path out =
      fs::temp_directory_path() / ("anvil_regression_" + std::to_string(::getpid()));
  flow::RunOptions opt;
  opt.out = out;
  opt.trials = 3;
  opt.sweep = false;
  opt.quiet = true;
  const auto rep = flow::run_experiment(cfg, opt);

  BOOST_TEST(rep.reference_accuracy > 0.90);
  const auto& naive = row(rep, "naive");
  BOOST_TEST(flow::drop_pp(rep, naive) > 20.0, "naive storage must lose a large part");
  const auto& fp32 = row(rep, "fp32-slc-secded");
  BOOST_TEST(fp32.accuracy.mean == rep.reference_accuracy);
  // 32 bits per weight in 72-cell words of 64 data bits: 36 cells per weight.
  BOOST_TEST(fp32.cells_per_weight() >= 36.0);
  BOOST_TEST(fp32.cells_per_weight() < 36.1);

  double best_reduction = 0;
  std::string best;
  for (const auto& s : rep.rows) {
    if (s.kind != "analog" || !flow::within_budget(rep, s)) continue;
    const double red = static_cast<double>(fp32.cells()) / static_cast<double>(s.cells());
    if (red > best_reduction) {
      best_reduction = red;
      best = s.name;
    }
  }
  BOOST_TEST_MESSAGE("best analog scheme within budget: " << best << ", " << best_reduction
                                                          << "x vs fp32-slc-secded");
  BOOST_TEST(!best.empty(), "no analog scheme keeps accuracy within the budget");
  BOOST_TEST(best_reduction > 10.0);

  // Files written, and the JSON carries the seed.
  BOOST_TEST(fs::exists(out / "results.csv"));
  std::ifstream in(out / "report.json");
  const auto j = nlohmann::json::parse(in);
  BOOST_TEST(j.at("seed").get<uint64_t>() == cfg.seed);
  BOOST_TEST(j.at("schemes").size() == rep.rows.size());

  // Resume: a cached trial is taken as is. Overwrite one cached naive trial with a marker
  // value and rerun: the report must show it (and nothing is recomputed for it).
  size_t patched = 0;
  for (const auto& e : fs::directory_iterator(out / ".trials")) {
    std::ifstream f(e.path());
    auto t = nlohmann::json::parse(f);
    if (std::abs(t.at("accuracy").get<double>() - naive.trial_accuracy[0]) < 1e-12 &&
        e.path().filename().string().ends_with("-t0.json")) {
      t["accuracy"] = 0.123456;
      std::ofstream(e.path()) << t.dump();
      ++patched;
    }
  }
  BOOST_TEST_REQUIRE(patched >= 1u);
  const auto again = flow::run_experiment(cfg, opt);
  const auto& naive2 = row(again, "naive");
  BOOST_TEST(naive2.trial_accuracy[0] == 0.123456);
  fs::remove_all(out);
}

// Cached trials belong to the network's content: a network rewritten in place with the same
// size (as anvil optimize does when it retunes a design) is evaluated again, not read back.
BOOST_AUTO_TEST_CASE(cached_trials_follow_the_network_content) {
  auto cfg = flow::load_experiment(kSrc + "/configs/default.yaml");
  std::erase_if(cfg.schemes, [](const core::SchemeSpec& s) { return s.name != "split2x4"; });
  BOOST_TEST_REQUIRE(cfg.schemes.size() == 1u);
  const fs::path dir =
      fs::temp_directory_path() / ("anvil_regression_net_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  nn::Network net = nn::load_onnx(cfg.network);
  cfg.network = dir / "net.onnx";
  nn::save_onnx(net, cfg.network);
  flow::RunOptions opt;
  opt.out = dir / "run";
  opt.trials = 1;
  opt.sweep = false;
  opt.quiet = true;
  const double first = flow::run_experiment(cfg, opt).rows.at(0).accuracy.mean;
  // The same architecture with its first weight tensor negated: same file size.
  const auto size = fs::file_size(cfg.network);
  for (auto& p : net.parameters()) {
    if (p.role != nn::ParamRole::kWeight) continue;
    for (size_t i = 0; i < p.size; ++i) p.data[i] = -p.data[i];
    break;
  }
  nn::save_onnx(net, cfg.network);
  BOOST_TEST_REQUIRE(fs::file_size(cfg.network) == size);
  const double second = flow::run_experiment(cfg, opt).rows.at(0).accuracy.mean;
  opt.out = dir / "fresh";
  const double fresh = flow::run_experiment(cfg, opt).rows.at(0).accuracy.mean;
  BOOST_TEST(second == fresh);
  BOOST_TEST(second != first);
  fs::remove_all(dir);
}
