// trials: auto (Monte Carlo that stops when the 95 % interval is tight, never past its cap)
// and test_subset (a seeded screening subset of the test split): parsing, the stopping
// rule, and a whole run_experiment that reports what it did.
#define BOOST_TEST_MODULE experiment_trials
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "flow/experiment.hpp"
#include "nn/models.hpp"
#include "nn/onnx_io.hpp"

namespace fs = std::filesystem;
using anvil::flow::ExperimentConfig;
using anvil::test::TempDir;

namespace {

const std::string kSchemes = R"(schemes:
  - {name: a, levels: 16, decode: ml}
  - {name: fp32, digital: {format: fp32, cell: slc, ecc: secded}}
)";

std::string with(const std::string& trials_line, const std::string& extra = "") {
  std::string s = anvil::test::kGaussianExperiment;
  s.replace(s.find("  trials: 3\n"), 12, trials_line + "\n" + extra);
  return s + kSchemes;
}

std::string field_of(const TempDir& t, const std::string& text) {
  try {
    anvil::flow::load_experiment(t.write("x.yaml", text));
  } catch (const anvil::Error& e) {
    return e.field();
  }
  return "<no error>";
}

}  // namespace

BOOST_AUTO_TEST_CASE(auto_trials_parse_with_cap_and_target) {
  TempDir t;
  const auto cfg = anvil::flow::load_experiment(
      t.write("a.yaml", with("  trials: {auto: {half_width_pp: 0.2, min: 4, max: 40}}",
                             "  test_subset: {images: 500, seed: 9}\n")));
  BOOST_TEST_REQUIRE(cfg.trials_auto.has_value());
  BOOST_TEST(cfg.trials_auto->half_width_pp == 0.2);
  BOOST_TEST(cfg.trials_auto->min == 4u);
  BOOST_TEST(cfg.trials == 40u);  // the cap
  BOOST_TEST_REQUIRE(cfg.test_subset.has_value());
  BOOST_TEST(cfg.test_subset->images == 500u);
  BOOST_TEST(cfg.test_subset->seed == 9u);
  const auto fixed = anvil::flow::load_experiment(t.write("f.yaml", with("  trials: 3")));
  BOOST_TEST(!fixed.trials_auto.has_value());
  BOOST_TEST(!fixed.test_subset.has_value());
}

BOOST_AUTO_TEST_CASE(bad_auto_trials_name_the_field) {
  TempDir t;
  BOOST_TEST(field_of(t, with("  trials: {auto: {half_width_pp: 0}}")) ==
             "experiment.trials.auto.half_width_pp");
  BOOST_TEST(field_of(t, with("  trials: {auto: {min: 1}}")) == "experiment.trials.auto.min");
  BOOST_TEST(field_of(t, with("  trials: {auto: {min: 6, max: 5}}")) ==
             "experiment.trials.auto.max");
  BOOST_TEST(field_of(t, with("  trials: {auto: {cap: 5}}")) == "experiment.trials.auto.cap");
  BOOST_TEST(field_of(t, with("  trials: {manual: 5}")) == "experiment.trials.manual");
  BOOST_TEST(field_of(t, with("  trials: 3", "  test_subset: {images: 0}\n")) ==
             "experiment.test_subset.images");
  BOOST_TEST(field_of(t, with("  trials: 3", "  test_subset: {n: 5}\n")) ==
             "experiment.test_subset.n");
}

BOOST_AUTO_TEST_CASE(stops_when_the_interval_is_tight) {
  const ExperimentConfig::AutoTrials policy{0.1, 3};
  std::string why;
  // Identical accuracies: zero width, but never before `min` trials.
  BOOST_TEST(!anvil::flow::trials_done({0.9, 0.9}, 50, policy, &why));
  BOOST_TEST(anvil::flow::trials_done({0.9, 0.9, 0.9}, 50, policy, &why));
  BOOST_TEST(why.find("<= target 0.1 pp after 3 trials") != std::string::npos, why);
  // Spread 0.0001 (0.01 pp): half-width t(2) * s / sqrt(3) = 0.0248 pp, tight.
  BOOST_TEST(anvil::flow::trials_done({0.9, 0.9001, 0.9002}, 50, policy, &why));
  // Spread 1 pp: 2.48 pp, not tight.
  BOOST_TEST(!anvil::flow::trials_done({0.90, 0.91, 0.92}, 50, policy, &why));
}

BOOST_AUTO_TEST_CASE(never_runs_past_the_cap) {
  const ExperimentConfig::AutoTrials policy{0.1, 3};
  std::vector<double> acc;
  std::string why;
  size_t ran = 0;
  for (; ran < 100; ++ran) {
    acc.push_back(ran % 2 ? 0.5 : 0.9);  // wide spread: the interval never closes
    if (anvil::flow::trials_done(acc, 7, policy, &why)) break;
  }
  BOOST_TEST(acc.size() == 7u);
  BOOST_TEST(why.find("cap of 7 trials reached") != std::string::npos, why);
  // A fixed count (no policy) stops exactly there and gives no reason.
  why.clear();
  BOOST_TEST(!anvil::flow::trials_done({0.1, 0.1}, 3, std::nullopt, &why));
  BOOST_TEST(anvil::flow::trials_done({0.1, 0.1, 0.1}, 3, std::nullopt, &why));
  BOOST_TEST(why.empty());
}

BOOST_AUTO_TEST_CASE(seeded_subset_is_reproducible_and_in_split_order) {
  anvil::nn::Dataset d;
  d.channels = 1;
  d.height = d.width = 1;
  for (int i = 0; i < 100; ++i) {
    d.images.push_back(static_cast<float>(i));
    d.labels.push_back(static_cast<uint8_t>(i % 10));
  }
  const auto a = anvil::flow::select_test_images(d, ExperimentConfig::TestSubset{10, 5});
  const auto b = anvil::flow::select_test_images(d, ExperimentConfig::TestSubset{10, 5});
  const auto c = anvil::flow::select_test_images(d, ExperimentConfig::TestSubset{10, 6});
  BOOST_TEST(a.size() == 10u);
  BOOST_TEST(a.images == b.images);
  BOOST_TEST(a.images != c.images);
  BOOST_TEST(std::is_sorted(a.images.begin(), a.images.end()));
  for (size_t i = 0; i < a.size(); ++i)
    BOOST_TEST(a.labels[i] == static_cast<uint8_t>(static_cast<int>(a.images[i]) % 10));
  BOOST_TEST(a.source.find("seeded subset: 10 of 100 images, seed 5") != std::string::npos);
  BOOST_TEST(anvil::flow::select_test_images(d, std::nullopt).size() == 100u);
  BOOST_TEST(anvil::flow::select_test_images(d, ExperimentConfig::TestSubset{500, 1}).size() ==
             100u);
}

// A whole run on 300 screening images: the tight target stops every analog scheme at `min`
// trials, an unreachable one runs to the cap; the report says which split and why.
BOOST_AUTO_TEST_CASE(run_experiment_reports_trials_used_and_split) {
  TempDir t;
  anvil::nn::save_onnx(anvil::nn::build_network("lenet5", {}, 3), t.path / "net.onnx");
  const std::string sigma_line = "gaussian: {sigma: 0.01}";
  for (const auto& [target, noisy] : {std::pair{"50", false}, std::pair{"0.000001", true}}) {
    std::string text =
        with(std::string("  trials: {auto: {half_width_pp: ") + target + ", min: 3, max: 5}}",
             "  test_subset: {images: 300, seed: 4}\n");
    if (noisy) text.replace(text.find(sigma_line), sigma_line.size(), "gaussian: {sigma: 0.3}");
    const auto cfg = anvil::flow::load_experiment(t.write("run.yaml", text));
    anvil::flow::RunOptions opt;
    opt.out = t.path / (noisy ? "noisy" : "tight");
    opt.quiet = true;
    opt.plots = false;
    opt.sweep = false;
    const auto rep = anvil::flow::run_experiment(cfg, opt);
    const auto j = nlohmann::json::parse(anvil::test::slurp(opt.out / "report.json"));
    BOOST_TEST(j["dataset"]["split"]["kind"].get<std::string>() == "seeded subset (screening)");
    BOOST_TEST(j["dataset"]["split"]["images"].get<size_t>() == 300u);
    BOOST_TEST(j["trials"]["mode"].get<std::string>() == "auto");
    BOOST_TEST(j["trials"]["max"].get<int>() == 5);
    for (const auto& row : rep.rows) {
      if (row.kind == "digital") {
        BOOST_TEST(row.trial_accuracy.size() == 1u);
        continue;
      }
      const size_t used = row.trial_accuracy.size();
      BOOST_TEST(used >= 3u);
      BOOST_TEST(used <= 5u);
      if (!noisy) BOOST_TEST(used == 3u, row.trials_stop);
      // Noisy channel, unreachable target: the cap, unless every trial gave the same figure.
      if (noisy && row.accuracy.ci95 > 0) BOOST_TEST(used == 5u, row.trials_stop);
      BOOST_TEST(!row.trials_stop.empty());
    }
    BOOST_TEST(j["schemes"][0]["trials_used"].get<size_t>() == rep.rows[0].trial_accuracy.size());
    BOOST_TEST(anvil::test::slurp(opt.out / "table.md").find("seeded subset") != std::string::npos);
  }
}
