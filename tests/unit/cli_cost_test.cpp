// anvil cost: a bare array organisation (--array) gives area, latency and energy from the
// technology files; a bad technology file is one error line naming file, field and rule.
#define BOOST_TEST_MODULE cli_cost
#include <boost/test/unit_test.hpp>

#include "cli_test.hpp"

#include <string>

#include <nlohmann/json.hpp>

namespace {

const std::string kTech = std::string(ANVIL_SOURCE_DIR) + "/models/tech";

}  // namespace

BOOST_AUTO_TEST_CASE(nvsim_sample_array) {
  TempDir tmp;
  run_anvil_ok("cost --array --tech '" + kTech + "' --capacity-mb 16 --word-width 64 --out '" +
                   tmp.path.string() + "'",
               tmp);
  const auto j = nlohmann::json::parse(slurp(tmp.path / "cost.json"));
  BOOST_TEST(j["capacity_cells"].get<uint64_t>() == 16ull * 1024 * 1024 * 8);
  BOOST_TEST(j["subarrays"].get<uint64_t>() == 512u);  // 128 Mi cells / (512 x 512)
  BOOST_TEST(j["node_nm"].get<double>() == 90.0);
  // Cells alone: 2^27 x 9 F^2 at 90 nm = 9.785 mm^2; the periphery adds to it.
  BOOST_TEST(j["cell_area_mm2"].get<double>() == 134217728 * 9 * 0.09 * 0.09 * 1e-6,
             tt::tolerance(1e-9));
  BOOST_TEST(j["area_mm2"].get<double>() > j["cell_area_mm2"].get<double>());
  BOOST_TEST(j["read_latency_ns"].get<double>() > 48.0);  // the cell's sensing time and more
  BOOST_TEST(fs::exists(tmp.path / "cost.md"));
  // Twice the capacity: twice the cells, same access path.
  TempDir t2;
  run_anvil_ok("cost --array --tech '" + kTech + "' --capacity-mb 32 --word-width 64 --out '" +
                   t2.path.string() + "'",
               t2);
  const auto j2 = nlohmann::json::parse(slurp(t2.path / "cost.json"));
  BOOST_TEST(j2["cell_area_mm2"].get<double>() == 2 * j["cell_area_mm2"].get<double>(),
             tt::tolerance(1e-9));
  BOOST_TEST(j2["read_energy_pj"].get<double>() == j["read_energy_pj"].get<double>(),
             tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(bad_cell_file_is_one_line) {
  TempDir tmp;
  std::string text = slurp(kTech + "/pcm_cell.yaml");
  const std::string from = "{value: 300,  unit: uA,";
  BOOST_REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), "{value: 300,  unit: mA,");
  const fs::path cell = tmp.write("cell.yaml", text);
  const Run r =
      run_anvil("cost --array --tech '" + kTech + "' --cell '" + cell.string() + "'", tmp);
  expect_one_line_error(r, cell.string(), "tech.values.reset_current.unit");
}
