// anvil sweep end to end on a small real sweep (LeNet-5, Fashion-MNIST, gaussian cells, one
// trial): a sweep killed with SIGKILL midway and rerun completes its table with no point run
// twice; a failing point is reported with its error while the others complete; bad sweep
// files and shard specs give one error line each.
#define BOOST_TEST_MODULE cli_sweep
#include <boost/test/unit_test.hpp>

#include "cli_test.hpp"

#include <signal.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

namespace {

std::string base_yaml() {
  return std::string("experiment:\n  name: tiny\n  network: ") + ANVIL_SOURCE_DIR +
         "/models/networks/lenet5-fashion-mnist.onnx\n"
         "  dataset: fashion-mnist\n"
         "  device: {channel: gaussian, gaussian: {levels: 16, sigma: 0.03}, adc_bits: 6}\n"
         "  trials: 1\n  seed: 5\n  threads: 1\n"
         "schemes:\n  - {name: a, levels: 4, decode: ml}\n";
}

fs::path sweep_file(const TempDir& t, const std::string& axes) {
  t.write("base.yaml", base_yaml());
  return t.write("s.yaml", "sweep: {name: tiny, base: base.yaml}\naxes:\n" + axes);
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

std::vector<std::string> point_ids(const fs::path& out) {
  std::vector<std::string> ids;
  std::ifstream in(out / "sweep.json");
  const auto m = nlohmann::json::parse(in);
  for (const auto& p : m["points"]) ids.push_back(p["id"]);
  return ids;
}

size_t results_present(const fs::path& out) {
  size_t n = 0;
  if (!fs::exists(out / "points")) return 0;
  for (const auto& d : fs::directory_iterator(out / "points"))
    n += fs::exists(d.path() / "result.json");
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(killed_sweep_resumes_without_running_a_point_twice) {
  TempDir t;
  const auto sf = sweep_file(t, "  schemes.a.levels: [2, 4, 8, 16]\n  device.adc_bits: [4, 6]\n");
  const fs::path out = t.path / "out";
  // Start it in the background, SIGKILL it once two points have finished.
  const fs::path pidf = t.path / "pid";
  const std::string cmd = std::string("ANVIL_PYTHON=/nonexistent '") + ANVIL_EXE + "' sweep '" +
                          sf.string() + "' --out '" + out.string() + "' --jobs 1 >'" +
                          (t.path / "log1").string() + "' 2>&1 & echo $! >'" + pidf.string() + "'";
  BOOST_REQUIRE(std::system(cmd.c_str()) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const pid_t pid = std::stoi(slurp(pidf));
  const auto t0 = std::chrono::steady_clock::now();
  while (results_present(out) < 2 &&
         std::chrono::steady_clock::now() - t0 < std::chrono::minutes(3))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  BOOST_REQUIRE(::kill(pid, SIGKILL) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const size_t before = results_present(out);
  BOOST_TEST_MESSAGE("points done when killed: " << before);
  BOOST_TEST(before >= 2u);
  BOOST_TEST(before < 8u);

  const auto r = run_anvil("sweep '" + sf.string() + "' --out '" + out.string() + "' --jobs 2", t);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out.find(std::to_string(8 - before) + " ran now, " + std::to_string(before) +
                        " done before, 0 failed") != std::string::npos,
             r.out);
  const auto ids = point_ids(out);
  BOOST_TEST(ids.size() == 8u);
  for (const auto& id : ids) {
    const std::string log = slurp(out / "points" / id / "runs.log");
    BOOST_TEST(count(log, "done pid") == 1u, id << ": " << log);
    // A point finished before the kill was never started again.
    if (count(log, "start") > 1) BOOST_TEST(count(log, "start") == 2u);
  }
  // A third run runs nothing.
  const auto again = run_anvil("sweep '" + sf.string() + "' --out '" + out.string() + "'", t);
  BOOST_TEST(again.out.find("0 ran now, 8 done before") != std::string::npos, again.out);
  const auto m = run_anvil("sweep merge '" + out.string() + "'", t);
  BOOST_TEST(m.status == 0, m.err);
  const std::string csv = slurp(out / "results.csv");
  BOOST_TEST(count(csv, "\n") == 9u);
  BOOST_TEST(count(csv, ",done,") == 8u);
  BOOST_TEST(csv.rfind("point,status,schemes.a.levels,device.adc_bits,scheme,", 0) == 0);
  BOOST_TEST(fs::exists(out / "pareto.csv"));
}

BOOST_AUTO_TEST_CASE(failing_point_is_reported_and_the_rest_complete) {
  TempDir t;
  // levels: 1 is invalid for a scheme: that point fails, the two others run.
  const auto sf = sweep_file(t, "  schemes.a.levels: [2, 1, 4]\n");
  const fs::path out = t.path / "out";
  const auto r = run_anvil("sweep '" + sf.string() + "' --out '" + out.string() + "'", t);
  BOOST_TEST(r.status != 0);
  BOOST_TEST(
      r.out.find("3 points in this shard, 3 ran now, 0 done before, 1 failed") != std::string::npos,
      r.out);
  BOOST_TEST(r.out.find("levels") != std::string::npos, r.out);
  const auto st = run_anvil("sweep status '" + out.string() + "'", t);
  BOOST_TEST(st.out.find("3 points: 2 done, 1 failed, 0 pending") != std::string::npos, st.out);
  run_anvil("sweep merge '" + out.string() + "'", t);
  const std::string csv = slurp(out / "results.csv");
  BOOST_TEST(count(csv, ",done,") == 2u);
  BOOST_TEST(count(csv, ",failed,") == 1u);
  BOOST_TEST(csv.find("schemes[0].levels") != std::string::npos, csv);
  // The failed point keeps its error on rerun; it is not run again.
  const auto again = run_anvil("sweep '" + sf.string() + "' --out '" + out.string() + "'", t);
  BOOST_TEST(again.out.find("0 ran now, 3 done before, 1 failed") != std::string::npos, again.out);
}

BOOST_AUTO_TEST_CASE(bad_sweep_files_give_one_error_line) {
  TempDir t;
  const fs::path out = t.path / "out";
  auto check = [&](const std::string& axes, const std::string& field, const std::string& rule) {
    const auto sf = sweep_file(t, axes);
    const auto r = run_anvil("sweep '" + sf.string() + "' --out '" + out.string() + "'", t);
    expect_one_line_error(r, sf.string(), field);
    BOOST_TEST(r.err.find(rule) != std::string::npos, r.err);
  };
  check("  experiment.trails: [1, 2]\n", "axes.experiment.trails", "unknown path");
  check("  schemes.nope.levels: [2]\n", "axes.schemes.nope.levels", "no scheme named 'nope'");
  check("  device.adc_bits: []\n", "axes.device.adc_bits", "empty axis");
  check("  device.adc_bits: [4, many]\n", "axes.device.adc_bits", "wrong type");
  check("  experiment.read_time_s: [[1]]\n", "axes.experiment.read_time_s", "wrong type");
  const auto sf = sweep_file(t, "  device.adc_bits: [4]\n");
  for (const char* shard : {"2/2", "0/0", "x"}) {
    const auto r =
        run_anvil("sweep '" + sf.string() + "' --out '" + out.string() + "' --shard " + shard, t);
    expect_one_line_error(r, sf.string(), "--shard");
  }
  const auto r = run_anvil("sweep merge '" + (t.path / "nothing").string() + "'", t);
  BOOST_TEST(r.status != 0);
}
