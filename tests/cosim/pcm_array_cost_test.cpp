// Programming energy (issue 11, done-when 4): the SystemC array's storage, given the figures
// of the technology files (cosim::tech_pcm_array_cost), counts energy as the sum over the
// pulses it applied (each pulse plus its verify read); the functional estimate of flow/cost
// from the channel library's own pulse count agrees with it within 1 % (here: exactly, the
// pulses being the same cells programmed with the same keyed noise).
#define BOOST_TEST_MODULE pcm_array_cost
#include <boost/test/unit_test.hpp>

#include <memory>
#include <vector>

#include "core/gaussian_channel.hpp"
#include "flow/cost.hpp"
#include "systemc/pcm_array_cost.hpp"
#include "systemc/pcm_array_storage.hpp"

using namespace anvil;
namespace tt = boost::test_tools;

// Boost.Test provides main(); libsystemc still needs the symbol.
int sc_main(int, char*[]) {
  return 0;
}

namespace {

core::Cell verify_cell() {
  core::GaussianConfig g;
  g.levels = 256;
  g.sigma = {0.03};
  core::CellSpec spec;
  spec.adc_bits = 6;
  spec.verify = {true, 0.02, 8};  // write-and-verify: 1..8 pulses per cell
  return core::Cell(std::make_shared<core::GaussianChannel>(g), spec);
}

}  // namespace

BOOST_AUTO_TEST_CASE(program_energy_is_the_sum_over_counted_pulses) {
  const flow::CostTech tech = flow::load_cost_tech(std::string(ANVIL_SOURCE_DIR) + "/models/tech");
  const core::Cell cell = verify_cell();
  const core::RandomStream noise(core::seed_from_env("ANVIL_TEST_SEED", 11), 3);
  // The array flow/cost prices for 1,000 analog cells read at 6 bits: the SystemC array takes
  // its pulse, verify-read energy and read latency.
  core::SchemeSpec s;
  s.name = "analog";
  flow::SchemeResult row;
  row.name = "analog";
  row.weight_cells = 1000;
  const core::ArrayCost priced = flow::cost_scheme(s, row, 6, true, 0.0, tech).array;
  const auto cost = cosim::tech_pcm_array_cost(priced, tech.cell);
  BOOST_TEST(cost->read_time_ns() == priced.read_latency_ns);
  cosim::PcmArrayConfig cfg;
  cfg.geometry = {1, 16, 64};
  cfg.cost = cost;
  cosim::PcmArrayStorage array(cell, noise, cfg);

  const uint64_t n = row.weight_cells;
  std::vector<uint16_t> dac(n);
  for (uint64_t i = 0; i < n; ++i) dac[i] = static_cast<uint16_t>((i * 37) % 256);
  double latency_ns = 0.0;
  const bool ok = array.program(0, dac, 0.0, &latency_ns) == cosim::PcmArrayStatus::kOk;
  BOOST_TEST_REQUIRE(ok);
  const auto& c = array.counters();
  BOOST_TEST(c.pulses > n);  // write-verify spent extra pulses on some cells
  BOOST_TEST(c.verify_reads == c.pulses);

  // The sum over the pulses the array counted: 21.6 pJ (1.8 V x 300 uA x 40 ns) per pulse plus
  // a verify read (2 pJ cell + the 6-bit ADC conversion at 90 nm).
  const double pulse_pj = 21.6;
  const double verify_pj = 2.0 + tech.adc.energy_pj(6, 90.0);
  BOOST_TEST(cost->pulse_energy_pj() == pulse_pj, tt::tolerance(1e-12));
  BOOST_TEST(c.program_energy_pj == static_cast<double>(c.pulses) * (pulse_pj + verify_pj),
             tt::tolerance(1e-12));

  // The functional estimate from the channel library's pulses (same cells, same keyed noise).
  uint64_t functional_pulses = 0;
  for (uint64_t i = 0; i < n; ++i)
    functional_pulses += cell.program(dac[i], core::CellNoise(noise, i)).pulses;
  const flow::SchemeCost fc =
      flow::cost_scheme(s, row, 6, true, static_cast<double>(functional_pulses), tech);
  BOOST_TEST(fc.program_energy_uj * 1e6 == c.program_energy_pj, tt::tolerance(0.01));
  BOOST_TEST(functional_pulses == c.pulses);
}
