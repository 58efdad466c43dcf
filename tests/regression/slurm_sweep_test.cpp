// A real single-node Slurm cluster (munge, slurmctld, slurmd from Debian's slurm-wlm, started
// by slurm_cluster.sh as root, stopped at the end even when a check fails) runs a small sweep
// as a job array of 3 tasks; its merged table must be byte-identical to the local backend's.
#define BOOST_TEST_MODULE slurm_sweep
#include <boost/test/unit_test.hpp>

#include "../unit/cli_test.hpp"

#include <chrono>
#include <cstdlib>

namespace {

const std::string kScript = std::string(ANVIL_SOURCE_DIR) + "/tests/regression/slurm_cluster.sh";

// Starts the cluster in the constructor, stops it in the destructor (also on a failed check).
struct Cluster {
  fs::path state;
  bool up = false;
  explicit Cluster(const fs::path& s) : state(s) {
    const std::string cmd = "bash '" + kScript + "' start '" + state.string() + "'";
    up = std::system(cmd.c_str()) == 0;
    if (up) ::setenv("SLURM_CONF", (state / "slurm.conf").c_str(), 1);
  }
  ~Cluster() {
    const std::string cmd = "bash '" + kScript + "' stop '" + state.string() + "'";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "slurm_cluster stop failed\n");
  }
};

void write_sweep(const TempDir& t) {
  t.write("base.yaml",
          std::string("experiment:\n  name: tiny\n  network: ") + ANVIL_SOURCE_DIR +
              "/models/networks/lenet5-fashion-mnist.onnx\n"
              "  dataset: fashion-mnist\n"
              "  device: " +
              ANVIL_SOURCE_DIR +
              "/models/devices/pcm.yaml\n"
              "  trials: 2\n  seed: 9\n  threads: 1\n"
              "schemes:\n  - {name: a, levels: 4, levels_from: select, decode: ml}\n"
              "  - {name: int4-mlc2, digital: {format: int4, cell: mlc2, ecc: auto}}\n");
  t.write("s.yaml",
          "sweep: {name: tiny-slurm, base: base.yaml}\n"
          "axes:\n  schemes.a.split: [1, 2]\n  experiment.read_time_s: [1, 86400, 31536000]\n"
          "slurm: {shards: 3, cpus_per_task: 1, time: \"00:10:00\"}\n");
}

}  // namespace

BOOST_AUTO_TEST_CASE(slurm_job_array_matches_the_local_backend_byte_for_byte) {
  TempDir t;
  write_sweep(t);
  const std::string sf = (t.path / "s.yaml").string();
  const fs::path local = t.path / "local", slurm = t.path / "slurm";
  const auto t0 = std::chrono::steady_clock::now();

  const auto l = run_anvil("sweep '" + sf + "' --out '" + local.string() + "' --jobs 2", t);
  BOOST_REQUIRE_MESSAGE(l.status == 0, l.err);
  BOOST_REQUIRE(run_anvil("sweep merge '" + local.string() + "'", t).status == 0);

  Cluster cluster(t.path / "cluster");
  BOOST_REQUIRE_MESSAGE(cluster.up, "slurm_cluster.sh start failed (see its output above)");
  const auto s =
      run_anvil("sweep '" + sf + "' --out '" + slurm.string() + "' --backend slurm --wait", t);
  BOOST_REQUIRE_MESSAGE(s.status == 0, s.err);
  BOOST_TEST(s.out.find("submitted job") != std::string::npos, s.out);
  const std::string script = slurp(slurm / "slurm" / "sweep.sbatch");
  BOOST_TEST(script.find("#SBATCH --array=0-2") != std::string::npos, script);
  BOOST_TEST(script.find("--shard \"$SLURM_ARRAY_TASK_ID/3\"") != std::string::npos);
  BOOST_TEST(script.find("#SBATCH --time=00:10:00") != std::string::npos);
  // Every array task ran its shard (2 points each) through anvil sweep --shard.
  for (int task = 0; task < 3; ++task) {
    const std::string log = slurp(slurm / "slurm" / ("task-" + std::to_string(task) + ".err"));
    BOOST_TEST(log.find("shard " + std::to_string(task) + "/3, 2 points") != std::string::npos,
               "task " << task << ": " << log);
  }
  const auto st = run_anvil("sweep status '" + slurm.string() + "'", t);
  BOOST_TEST(st.out.find("6 points: 6 done, 0 failed, 0 pending") != std::string::npos, st.out);
  BOOST_TEST(st.out.find("slurm job ") != std::string::npos, st.out);
  BOOST_REQUIRE(run_anvil("sweep merge '" + slurm.string() + "'", t).status == 0);

  const std::string a = slurp(local / "results.csv"), b = slurp(slurm / "results.csv");
  BOOST_TEST(a.size() > 100u);
  BOOST_TEST(a == b);
  BOOST_TEST(slurp(local / "results.jsonl") == slurp(slurm / "results.jsonl"));
  BOOST_TEST(slurp(local / "pareto.csv") == slurp(slurm / "pareto.csv"));
  BOOST_TEST_MESSAGE("local + slurm sweeps: "
                     << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
                     << " s");
}
