// anvil optimize end to end on a small search (LeNet-300-100, Fashion-MNIST, PCM after a day):
// the same design bits with 1 and 2 threads; the design YAML it writes runs unchanged with
// `anvil run` and reproduces the confirmed accuracy; a killed run resumes to the same design.
#define BOOST_TEST_MODULE regression_optimize
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "../unit/cli_test.hpp"

namespace {

const std::string kSrc = ANVIL_SOURCE_DIR;

// A search small enough for CI: one structured and one unstructured step, one epoch of
// fine-tuning on 8,000 images, a two-codec menu, two confirmation trials.
std::string config(const TempDir& tmp) {
  const fs::path p = tmp.path / "opt.yaml";
  anvil::test::write_bytes(p,
                           "experiment:\n"
                           "  name: opt-small\n"
                           "  network: " +
                               kSrc +
                               "/models/networks/lenet300-fashion-mnist.onnx\n"
                               "  dataset: fashion-mnist\n"
                               "  device: " +
                               kSrc +
                               "/models/devices/pcm.yaml\n"
                               "  read_time_s: 86400\n"
                               "  seed: 7\n"
                               "  threads: 2\n"
                               "  accuracy_drop_pp: 1.5\n"
                               "optimize:\n"
                               "  keep: [0.5]\n"
                               "  sparsity: [0.5]\n"
                               "  compress_epochs: 1\n"
                               "  finetune_epochs: 1\n"
                               "  train_images: 8000\n"
                               "  levels: [7]\n"
                               "  split_levels: [4]\n"
                               "  digital_bits: [3, 4, 8]\n"
                               "  screen_images: 500\n"
                               "  screen_trials: 1\n"
                               "  confirm_trials: 2\n");
  return p.string();
}

nlohmann::json report(const fs::path& dir) {
  return nlohmann::json::parse(slurp(dir / "report.json"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(deterministic_rerunnable_resumable) {
  TempDir tmp;
  const std::string cfg = config(tmp);
  const fs::path one = tmp.path / "t1", two = tmp.path / "t2";
  const auto r2 = run_anvil("optimize " + cfg + " --out " + two.string() + " --threads 2", tmp);
  BOOST_TEST_REQUIRE(r2.status == 0, r2.err);
  const auto r1 = run_anvil("optimize " + cfg + " --out " + one.string() + " --threads 1", tmp);
  BOOST_TEST_REQUIRE(r1.status == 0, r1.err);
  // Same design bits: the network file and the scheme.
  BOOST_TEST(slurp(one / "design" / "design.onnx") == slurp(two / "design" / "design.onnx"));
  const auto j1 = report(one), j2 = report(two);
  BOOST_TEST(j1["design"]["allocation"].dump() == j2["design"]["allocation"].dump());
  BOOST_TEST(j1["design"]["row"]["accuracy"].get<double>() ==
             j2["design"]["row"]["accuracy"].get<double>());
  BOOST_TEST(j1["design"]["row"]["cells"].get<uint64_t>() ==
             j2["design"]["row"]["cells"].get<uint64_t>());
  // Footprints are real: fewer cells than fp32 on SLC, and the reductions are their ratios.
  const double fp32 = j2["baselines"]["fp32_slc_secded"]["cells"].get<double>();
  const double design = j2["design"]["row"]["cells"].get<double>();
  BOOST_TEST(design < fp32 / 10);
  BOOST_TEST(j2["reductions"]["vs_fp32_slc_secded"].get<double>() == fp32 / design);

  // Confirmation attempts only add cells; the design is the first within the budget (else the
  // one that dropped least), with its confirmed drop and cells.
  const auto& attempts = j2["stages"]["confirm"];
  BOOST_TEST_REQUIRE(attempts.size() >= 1u);
  const double budget = j2["budget_pp"].get<double>();
  const nlohmann::json* pick = nullptr;
  for (size_t i = 0; i < attempts.size(); ++i) {
    if (i > 0)
      BOOST_TEST(attempts[i]["cells"].get<uint64_t>() >= attempts[i - 1]["cells"].get<uint64_t>());
    const double drop = attempts[i]["confirmed_drop_pp"].get<double>();
    if (drop <= budget) {
      pick = &attempts[i];
      break;
    }
    if (!pick || drop < (*pick)["confirmed_drop_pp"].get<double>()) pick = &attempts[i];
  }
  BOOST_TEST((*pick)["confirmed_drop_pp"].get<double>() ==
             j2["design"]["row"]["drop_pp"].get<double>());
  BOOST_TEST((*pick)["cells"].get<uint64_t>() == j2["design"]["row"]["cells"].get<uint64_t>());

  // The design runs unchanged through `anvil run` and gives the confirmed accuracy.
  const fs::path rerun = tmp.path / "rerun";
  const auto rr = run_anvil(
      "run " + (two / "design" / "design.yaml").string() + " --out " + rerun.string() + " --quiet",
      tmp);
  BOOST_TEST_REQUIRE(rr.status == 0, rr.err);
  const auto rep = nlohmann::json::parse(slurp(rerun / "report.json"));
  BOOST_TEST(rep["schemes"][0]["accuracy"]["mean"].get<double>() ==
             j2["design"]["row"]["accuracy"].get<double>());

  // Killed midway (after its first stage is cached), it resumes to the same design.
  const fs::path killed = tmp.path / "killed";
  const pid_t pid = fork();
  if (pid == 0) {
    execl(ANVIL_EXE, ANVIL_EXE, "optimize", cfg.c_str(), "--out", killed.c_str(), "--quiet",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto cached = [&] {
    if (!fs::exists(killed / ".optimize")) return false;
    for (const auto& e : fs::directory_iterator(killed / ".optimize"))
      if (e.path().extension() == ".json") return true;
    return false;
  };
  while (!cached() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(300))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  BOOST_TEST(WIFSIGNALED(status));
  BOOST_TEST(!fs::exists(killed / "report.json"));
  const auto rk = run_anvil("optimize " + cfg + " --out " + killed.string(), tmp);
  BOOST_TEST_REQUIRE(rk.status == 0, rk.err);
  BOOST_TEST(slurp(killed / "design" / "design.onnx") == slurp(two / "design" / "design.onnx"));
  BOOST_TEST(rk.err.find("[optimize]") != std::string::npos);
}
