// flow::evaluate, the one evaluator of `anvil run` and `anvil cosim`: through the functional
// backend it gives the accuracy of core::reconstruct trial by trial; a backend held to a golden
// one has every differing code counted; a backend that reads a different number of cells than
// the scheme stores is refused; cached trials are not stored again; importance metric `score`
// is fed the Fisher information.
#define BOOST_TEST_MODULE evaluate
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <algorithm>
#include <cmath>

#include "compress/sensitivity.hpp"
#include "core/allocation.hpp"
#include "core/error.hpp"
#include "core/footprint.hpp"
#include "flow/evaluate.hpp"
#include "flow/experiment.hpp"
#include "nn/datasets.hpp"
#include "nn/models.hpp"
#include "nn/onnx_io.hpp"

namespace flow = anvil::flow;
namespace core = anvil::core;
using anvil::test::TempDir;

namespace {

// LeNet-5 (random weights) on 200 seeded test images, 4 levels on a noisy gaussian cell.
struct Fixture {
  TempDir dir;
  flow::ExperimentConfig cfg;
  flow::ExperimentSetup x;
  Fixture() : cfg(config(dir)), x(flow::prepare_experiment(cfg)) {}

  static flow::ExperimentConfig config(const TempDir& t) {
    anvil::nn::save_onnx(anvil::nn::build_network("lenet5", {}, 3), t.path / "net.onnx");
    std::string text = anvil::test::kGaussianExperiment;
    text.replace(text.find("sigma: 0.01"), 11, "sigma: 0.05");
    text += "  test_subset: {images: 200, seed: 1}\n";
    text += "schemes:\n  - {name: a, levels: 4, decode: ml}\n";
    return flow::load_experiment(t.write("e.yaml", text));
  }
  flow::EvaluateOptions options(uint32_t trials) const {
    flow::EvaluateOptions o;
    o.seed = cfg.seed;
    o.threads = 2;
    o.trials = trials;
    return o;
  }
};

// The functional backend, with its codes or its cell count altered and posing as simulated.
class Altered final : public flow::StorageBackend {
 public:
  Altered(int flip, int extra_reads) : inner_(1), flip_(flip), extra_reads_(extra_reads) {}
  bool simulated() const override { return true; }
  void set_array(const flow::CostTech&, const core::ArrayCost&) override {}
  std::optional<double> pulse_energy_pj(const core::Cell&) const override { return 2.0; }
  std::string unsupported(const core::Allocation&) const override { return ""; }
  flow::BackendTrial store_and_read(const core::Cell& cell, const core::Allocation& a,
                                    const std::vector<std::string>& names,
                                    const core::RandomStream& noise,
                                    const std::string& trace) override {
    flow::BackendTrial r = inner_.store_and_read(cell, a, names, noise, trace);
    for (int k = 0; k < flip_; ++k) r.decoded[0][static_cast<size_t>(k)] ^= 1;
    r.reads += static_cast<uint64_t>(extra_reads_);
    r.cycles = 100;
    r.wall_s = 0.5;
    return r;
  }

 private:
  flow::FunctionalBackend inner_;
  int flip_, extra_reads_;
};

// A backend that must not be called.
class Refusing final : public flow::StorageBackend {
 public:
  bool simulated() const override { return false; }
  void set_array(const flow::CostTech&, const core::ArrayCost&) override {}
  std::optional<double> pulse_energy_pj(const core::Cell&) const override { return {}; }
  std::string unsupported(const core::Allocation&) const override { return ""; }
  flow::BackendTrial store_and_read(const core::Cell&, const core::Allocation&,
                                    const std::vector<std::string>&, const core::RandomStream&,
                                    const std::string&) override {
    throw std::logic_error("stored although every trial was cached");
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(functional_backend_is_reconstruct_trial_by_trial, Fixture) {
  flow::FunctionalBackend backend(2);
  const auto& s = cfg.schemes[0];
  const flow::SchemeResult r = flow::evaluate(x.model, s, x.cell, x.test, backend, options(3));
  BOOST_TEST_REQUIRE(r.trial_accuracy.size() == 3u);
  const core::Allocation alloc = core::allocate(flow::stored_views(x.model), s, x.cell);
  BOOST_TEST(r.cells() == core::footprint(alloc, x.model.digital_bits).total());
  double pulses = 0;
  for (uint32_t t = 0; t < 3; ++t) {
    const auto rec = core::reconstruct(alloc, x.cell, core::RandomStream(cfg.seed, t), 1);
    anvil::nn::Network net = x.model.net;
    flow::load_stored(x.model, net, rec.tensors);
    BOOST_TEST(r.trial_accuracy[t] == net.accuracy(x.test, 1));  // bit for bit
    pulses += static_cast<double>(rec.stats.pulses);
  }
  BOOST_TEST(r.pulses_per_trial == pulses / 3);
  // The noisy channel moves the accuracy between trials: the trials are not one draw.
  BOOST_TEST(r.trial_accuracy[0] != r.noise_free_accuracy);
  BOOST_TEST(r.metrics.count("cycles") == 0u);  // not simulated
  // The plan (what r was evaluated from, and what anvil cosim asks its backend about): the
  // allocation made above, its cells, and each segment's tensor by name.
  const flow::SchemePlan plan = flow::plan_scheme(x.model, s, x.cell);
  BOOST_TEST(plan.row.cells() == core::footprint(alloc, x.model.digital_bits).total());
  BOOST_TEST_REQUIRE(plan.alloc.segments.size() == alloc.segments.size());
  const auto views = flow::stored_views(x.model);
  BOOST_TEST_REQUIRE(plan.names.size() == alloc.segments.size());
  for (size_t i = 0; i < alloc.segments.size(); ++i) {
    BOOST_TEST(plan.names[i] == views[alloc.segments[i].tensor].name);
    BOOST_TEST(plan.alloc.segments[i].codes == alloc.segments[i].codes,
               boost::test_tools::per_element());
  }
}

BOOST_FIXTURE_TEST_CASE(golden_comparison_counts_every_differing_code, Fixture) {
  flow::FunctionalBackend golden(2);
  auto o = options(2);
  o.golden = &golden;
  for (int flip : {0, 5}) {
    Altered backend(flip, 0);
    const auto r = flow::evaluate(x.model, cfg.schemes[0], x.cell, x.test, backend, o);
    BOOST_TEST(r.metrics.at("decoded_mismatches_vs_functional") == 2.0 * flip);
    BOOST_TEST(r.metrics.at("cycles") == 100.0);  // per trial
    BOOST_TEST(r.metrics.at("array_program_energy_uj_functional") ==
               r.pulses_per_trial * 2.0 * 1e-6);
    const double weights = static_cast<double>(r.weights - x.model.digital_floats);
    BOOST_TEST(r.metrics.at("weights_per_s_wall") == weights / 0.5);
  }
}

BOOST_FIXTURE_TEST_CASE(a_backend_reading_other_cells_is_refused, Fixture) {
  Altered backend(0, 1);
  BOOST_TEST(anvil::test::error_field_of([&] {
               flow::evaluate(x.model, cfg.schemes[0], x.cell, x.test, backend, options(1));
             }) == "schemes.a");
}

BOOST_FIXTURE_TEST_CASE(cached_trials_are_read_not_stored_again, Fixture) {
  const flow::TrialCache cache(dir.path / ".trials", "context");
  auto o = options(3);
  o.cache = &cache;
  flow::FunctionalBackend functional(2);
  const auto first = flow::evaluate(x.model, cfg.schemes[0], x.cell, x.test, functional, o);
  Refusing refusing;
  const auto again = flow::evaluate(x.model, cfg.schemes[0], x.cell, x.test, refusing, o);
  BOOST_TEST(again.trial_accuracy == first.trial_accuracy);
  BOOST_TEST(again.pulses_per_trial == first.pulses_per_trial);
  // Another context (seed, network, experiment) shares nothing.
  const flow::TrialCache other(dir.path / ".trials", "another context");
  o.cache = &other;
  BOOST_CHECK_THROW(flow::evaluate(x.model, cfg.schemes[0], x.cell, x.test, refusing, o),
                    std::logic_error);
}

// importance metric `score`: experiments score every stored weight by its Fisher information
// diagonal on training images (before, a config could name the metric but nothing fed it).
BOOST_AUTO_TEST_CASE(importance_by_score_uses_fisher_information) {
  TempDir t;
  anvil::nn::save_onnx(anvil::nn::build_network("lenet5", {}, 3), t.path / "net.onnx");
  const std::string text = std::string(anvil::test::kGaussianExperiment) +
                           "  test_subset: {images: 100, seed: 1}\nschemes:\n"
                           "  - {name: s, levels: 4, decode: ml,\n"
                           "     importance: {metric: score, fraction: 0.25, group: 8}}\n";
  const auto cfg = flow::load_experiment(t.write("e.yaml", text));
  BOOST_TEST(flow::needs_scores(cfg));
  flow::ExperimentSetup x = flow::prepare_experiment(cfg);
  BOOST_TEST_REQUIRE(x.model.scores.size() == x.model.stored.size());
  const auto params = x.model.net.parameters();
  const auto split = anvil::nn::load_dataset(cfg.dataset, cfg.data_dir, cfg.labels);
  const auto fisher = anvil::compress::fisher_diagonal(x.model.net, split.train, flow::kScoreImages,
                                                       cfg.seed, 1);  // thread count: same bits
  for (size_t k = 0; k < x.model.stored.size(); ++k) {
    BOOST_TEST(x.model.scores[k] == fisher[x.model.stored[k]]);
    BOOST_TEST(x.model.scores[k].size() == params[x.model.stored[k]].size);
  }
  const auto views = flow::stored_views(x.model);
  BOOST_TEST(views[0].score.data() == x.model.scores[0].data());
  // The groups the scheme protects in the first tensor are the quarter with the highest mean
  // score (groups of 8), and not the ones magnitude would pick.
  const auto protected_weights = [&](const core::SchemeSpec& s) {
    std::vector<uint32_t> idx;
    for (const auto& seg : flow::plan_scheme(x.model, s, x.cell).alloc.segments)
      if (seg.tensor == 0 && seg.klass == 1) idx = seg.index;
    return idx;
  };
  const std::vector<uint32_t> prot = protected_weights(cfg.schemes[0]);
  const auto& score = x.model.scores[0];
  const size_t groups = (score.size() + 7) / 8;
  std::vector<double> mean(groups, 0.0);
  std::vector<bool> is_prot(groups, false);
  for (size_t g = 0; g < groups; ++g) {
    const size_t b = g * 8, e = std::min(score.size(), b + 8);
    for (size_t i = b; i < e; ++i) mean[g] += score[i] / static_cast<double>(e - b);
  }
  for (uint32_t i : prot) is_prot[i / 8] = true;
  const auto n_prot = static_cast<size_t>(std::count(is_prot.begin(), is_prot.end(), true));
  BOOST_TEST(n_prot == static_cast<size_t>(std::ceil(0.25 * static_cast<double>(groups))));
  double lowest_protected = INFINITY, highest_other = -INFINITY;
  for (size_t g = 0; g < groups; ++g) {
    if (is_prot[g])
      lowest_protected = std::min(lowest_protected, mean[g]);
    else
      highest_other = std::max(highest_other, mean[g]);
  }
  BOOST_TEST(lowest_protected >= highest_other);
  core::SchemeSpec by_magnitude = cfg.schemes[0];
  by_magnitude.importance.metric = core::ImportanceMetric::kMax;
  BOOST_TEST(protected_weights(by_magnitude) != prot);
  // No training split to score on: one error line naming the schemes.
  BOOST_TEST(anvil::test::error_field_of(
                 [&] { flow::score_weights(cfg, x.model, anvil::nn::Dataset{}, 1); }) == "schemes");
}
