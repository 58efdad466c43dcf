// Experiment YAML: strict keys and ranges, each error naming file and field.
#define BOOST_TEST_MODULE experiment
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "flow/experiment.hpp"

namespace fs = std::filesystem;

using anvil::test::TempDir;

namespace {
const std::string kGood = std::string(anvil::test::kGaussianExperiment) + R"(schemes:
  - {name: a, levels: 4, decode: ml}
  - {name: fp32, digital: {format: fp32, cell: slc, ecc: secded}}
)";

// The field named by the error `text` produces.
std::string field_of(const TempDir& t, const std::string& text) {
  const auto p = t.write("x.yaml", text);
  try {
    anvil::flow::load_experiment(p);
  } catch (const anvil::Error& e) {
    BOOST_TEST(e.file() == p.string());
    return e.field();
  }
  return "<no error>";
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  s.replace(s.find(from), from.size(), to);
  return s;
}
}  // namespace

BOOST_AUTO_TEST_CASE(good_config_parses) {
  TempDir t;
  const auto cfg = anvil::flow::load_experiment(t.write("good.yaml", kGood));
  BOOST_TEST(cfg.name == "t");
  BOOST_TEST(cfg.trials == 3u);
  BOOST_TEST(cfg.seed == 7u);
  BOOST_TEST(cfg.network == t.path / "net.onnx");
  BOOST_TEST(cfg.schemes.size() == 2u);
  BOOST_TEST(cfg.schemes[1].is_digital);
  const auto cell = anvil::flow::experiment_cell(cfg, 5.0);
  BOOST_TEST(cell.spec().read_time_s == 5.0);
  BOOST_TEST(cell.channel().kind() == "gaussian");
}

BOOST_AUTO_TEST_CASE(bad_configs_name_the_field) {
  TempDir t;
  const std::string g = kGood;
  BOOST_TEST(field_of(t, replace(g, "  trials: 3", "  trails: 3")) == "experiment.trails");
  BOOST_TEST(field_of(t, replace(g, "  trials: 3", "  trials: 0")) == "experiment.trials");
  BOOST_TEST(field_of(t, replace(g, "  seed: 7", "  seed: [1]")) == "experiment.seed");
  BOOST_TEST(field_of(t, g + "extra: 1\n") == "extra");
  BOOST_TEST(field_of(t, replace(g, "  network: net.onnx\n", "")) == "experiment.network");
  BOOST_TEST(field_of(t, replace(g, "levels: 4", "levels: 1")).find("levels") != std::string::npos);
  BOOST_TEST(field_of(t, replace(g, "levels: 4", "levels: 4, replicas: 0")).find("replicas") !=
             std::string::npos);
  BOOST_TEST(field_of(t, replace(g, "sigma: 0.01", "sigma: -1")).find("sigma") !=
             std::string::npos);
  BOOST_TEST(field_of(t, "experiment: [1, 2\n").find("line") != std::string::npos);
}
