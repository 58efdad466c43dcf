// Sweep files: expansion (grid, list, random, Latin hypercube), content-addressed ids, strict
// paths and value types, shard specs.
#define BOOST_TEST_MODULE sweep
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <cmath>
#include <set>

#include "core/error.hpp"
#include "flow/sweep.hpp"

using anvil::test::TempDir;
namespace flow = anvil::flow;

namespace {
const std::string kBase = std::string(anvil::test::kGaussianExperiment) + R"(  threads: 2
schemes:
  - {name: a, levels: 4, decode: ml}
  - {name: b, levels: 8, decode: ml}
)";

flow::SweepSpec load(const TempDir& t, const std::string& body) {
  t.write("base.yaml", kBase);
  return flow::load_sweep(t.write("s.yaml", body));
}

// The field of the error a sweep file raises.
std::string field_of(const TempDir& t, const std::string& body) {
  try {
    load(t, body);
  } catch (const anvil::Error& e) {
    BOOST_TEST(e.file() == (t.path / "s.yaml").string());
    BOOST_TEST_MESSAGE(e.what());
    return e.field();
  }
  return "<no error>";
}
}  // namespace

BOOST_AUTO_TEST_CASE(grid_is_the_full_product_last_axis_fastest) {
  TempDir t;
  const auto s = load(t, R"(sweep: {base: base.yaml}
axes:
  device.adc_bits: [4, 6, 8]
  schemes.a.levels: [2, 4]
  experiment.read_time_s: [1, 86400]
)");
  BOOST_TEST(s.points.size() == 12u);
  BOOST_TEST(s.axes == (std::vector<std::string>{"device.adc_bits", "schemes.a.levels",
                                                 "experiment.read_time_s"}));
  BOOST_TEST(s.points[0].values[0].get<double>() == 4.0);
  BOOST_TEST(s.points[1].values[2].get<double>() == 86400.0);
  BOOST_TEST(s.points[2].values[1].get<double>() == 4.0);
  BOOST_TEST(s.points[11].values[0].get<double>() == 8.0);
  std::set<std::string> ids;
  for (const auto& p : s.points) ids.insert(p.id);
  BOOST_TEST(ids.size() == 12u);
  // The resolved document carries the value, in the right scheme only.
  BOOST_TEST(s.points[0].config["schemes"][0]["levels"].as<int>() == 2);
  BOOST_TEST(s.points[0].config["schemes"][1]["levels"].as<int>() == 8);
  BOOST_TEST(s.points[0].config["experiment"]["device"]["adc_bits"].as<int>() == 4);
  BOOST_TEST(s.points[0].threads == 2);
}

BOOST_AUTO_TEST_CASE(ids_depend_on_the_config_not_on_threads_or_spelling) {
  TempDir t;
  const std::string head = "sweep: {base: base.yaml}\naxes:\n";
  const auto a = load(t, head + "  experiment.read_time_s: [86400, 5]\n");
  const auto b =
      load(t, head + "  experiment.read_time_s: [8.64e4]\nset: {experiment.threads: 1}\n");
  BOOST_TEST(a.points[0].id == b.points[0].id);
  BOOST_TEST(a.points[0].id != a.points[1].id);
  BOOST_TEST(b.points[0].threads == 1);
  BOOST_TEST(a.points[0].id.size() == 16u);
  // Duplicates (same resolved config) are dropped and counted.
  const auto c = load(t, head + "  experiment.read_time_s: [1, 1.0, 2]\n");
  BOOST_TEST(c.points.size() == 2u);
  BOOST_TEST(c.duplicates == 1u);
}

BOOST_AUTO_TEST_CASE(list_mode_leaves_unnamed_paths_at_the_base) {
  TempDir t;
  const auto s = load(t, R"(sweep: {base: base.yaml, mode: list}
points:
  - {device.adc_bits: 4}
  - {device.adc_bits: 5, schemes.b.split: 2}
)");
  BOOST_TEST(s.points.size() == 2u);
  BOOST_TEST(s.axes.size() == 2u);
  BOOST_TEST(s.points[0].values[1].is_null());
  BOOST_TEST(!s.points[0].config["schemes"][1]["split"]);
  BOOST_TEST(s.points[1].config["schemes"][1]["split"].as<int>() == 2);
}

BOOST_AUTO_TEST_CASE(latin_hypercube_hits_every_stratum_once_and_is_seeded) {
  TempDir t;
  const std::string body = R"(sweep: {base: base.yaml, mode: lhs, seed: 11, samples: 20}
axes:
  experiment.read_time_s: {min: 0, max: 100}
  device.adc_bits: {min: 3, max: 8, integer: true}
)";
  const auto s = load(t, body);
  BOOST_TEST(s.points.size() == 20u);
  std::set<int> strata;
  for (const auto& p : s.points) {
    const double v = p.values[0].get<double>();
    BOOST_TEST(v >= 0.0);
    BOOST_TEST(v < 100.0);
    strata.insert(static_cast<int>(v / 5.0));
    const double bits = p.values[1].get<double>();
    BOOST_TEST(bits == std::round(bits));
  }
  BOOST_TEST(strata.size() == 20u);
  const auto again = load(t, body);
  for (size_t i = 0; i < s.points.size(); ++i) BOOST_TEST(again.points[i].id == s.points[i].id);
  const auto other = load(t, std::string(body).replace(body.find("seed: 11"), 8, "seed: 12"));
  BOOST_TEST(other.points[0].values[0] != s.points[0].values[0]);
}

BOOST_AUTO_TEST_CASE(random_mode_samples_from_lists) {
  TempDir t;
  const auto s = load(t, R"(sweep: {base: base.yaml, mode: random, seed: 3, samples: 40}
axes:
  schemes.a.levels: [2, 4, 8]
  experiment.read_time_s: {min: 1, max: 1.0e8, log: true}
)");
  std::set<double> levels;
  for (const auto& p : s.points) levels.insert(p.values[0].get<double>());
  BOOST_TEST(levels.size() == 3u);
  BOOST_TEST(s.points.size() + s.duplicates == 40u);
}

BOOST_AUTO_TEST_CASE(bad_sweep_files_name_the_field) {
  TempDir t;
  const std::string h = "sweep: {base: base.yaml}\naxes:\n";
  BOOST_TEST(field_of(t, h + "  experiment.trails: [1]\n") == "axes.experiment.trails");
  BOOST_TEST(field_of(t, h + "  device.gaussian.sigmaa: [1]\n") == "axes.device.gaussian.sigmaa");
  BOOST_TEST(field_of(t, h + "  schemes.zz.levels: [2]\n") == "axes.schemes.zz.levels");
  BOOST_TEST(field_of(t, h + "  levels: [2]\n") == "axes.levels");
  BOOST_TEST(field_of(t, h + "  device.adc_bits: []\n") == "axes.device.adc_bits");
  BOOST_TEST(field_of(t, h + "  device.adc_bits: [4, six]\n") == "axes.device.adc_bits");
  BOOST_TEST(field_of(t, h + "  schemes.a.decode: [ml, 3]\n") == "axes.schemes.a.decode");
  BOOST_TEST(field_of(t, h + "  device.adc_bits: 4\n") == "axes.device.adc_bits");
  BOOST_TEST(field_of(t, "sweep: {base: base.yaml, mode: cube}\naxes: {device.adc_bits: [4]}\n") ==
             "sweep.mode");
  BOOST_TEST(field_of(t, "sweep: {base: base.yaml, mode: lhs}\naxes: {device.adc_bits: [4]}\n") ==
             "sweep.samples");
  BOOST_TEST(field_of(t, "sweep: {base: base.yaml}\n") == "axes");
  BOOST_TEST(
      field_of(t, "sweep: {base: base.yaml, schemes: [q]}\naxes: {device.adc_bits: [4]}\n") ==
      "sweep.schemes");
  BOOST_TEST(field_of(t, h + "  device.adc_bits: [4]\nslurm: {queue: x}\n") == "slurm.queue");
}

BOOST_AUTO_TEST_CASE(a_bad_value_is_the_point_s_failure_not_the_file_s) {
  TempDir t;
  // levels: 1 is out of range; the file is fine, that point will fail when it runs.
  const auto s = load(t, "sweep: {base: base.yaml}\naxes:\n  schemes.a.levels: [1, 4]\n");
  BOOST_TEST(s.points.size() == 2u);
}

BOOST_AUTO_TEST_CASE(shard_specs) {
  const auto s = flow::parse_shard("2/5", "f");
  BOOST_TEST(s.index == 2u);
  BOOST_TEST(s.count == 5u);
  for (const char* bad : {"5/5", "0/0", "1", "a/2", "-1/2", "1/2/3", ""}) {
    try {
      flow::parse_shard(bad, "f");
      BOOST_TEST(false, "no error for " << bad);
    } catch (const anvil::Error& e) {
      BOOST_TEST(e.field() == "--shard");
    }
  }
}
