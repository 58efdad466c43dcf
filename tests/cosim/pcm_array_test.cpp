// pcm_array: the TLM-2.0 target's error responses, debug transport, counters and timing, and
// its agreement with the functional store (same cell, same stream, same ADC codes). One
// SystemC elaboration for the whole executable: a global fixture builds the modules, binds an
// initiator socket and runs the zero-time step; the test cases then issue transactions.
#define BOOST_TEST_MODULE pcm_array
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include "core/codec.hpp"
#include "core/pcm_channel.hpp"
#include "core/store.hpp"
#include "core/synthetic.hpp"
#include "systemc/pcm_array.hpp"

using namespace anvil;
using cosim::pcm_array;

namespace anvil::cosim {
std::ostream& operator<<(std::ostream& o, PcmArrayStatus s) {
  return o << to_string(s);
}
}  // namespace anvil::cosim

// Boost.Test provides main(); libsystemc still needs the symbol.
int sc_main(int, char*[]) {
  return 0;
}

namespace {

struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator> socket{"socket"};
  explicit Initiator(sc_core::sc_module_name n) : sc_module(n) {}
};

// Geometry: 2 banks x 4 rows x 32 columns = 256 cells; 8 columns programmed in parallel.
cosim::PcmArrayConfig small_config() {
  cosim::PcmArrayConfig c;
  c.geometry = {2, 4, 32};
  c.parallel_columns = 8;
  return c;
}

struct Bench {
  core::Cell cell = core::gaussian_cell(0.02, 0.01);
  core::RandomStream noise{core::seed_from_env("ANVIL_TEST_SEED", 1234), 7};
  Initiator init{"init"};
  pcm_array array{"array", cell, noise, small_config()};
  Bench() {
    init.socket.bind(array.socket);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
};

Bench& bench() {
  static Bench b;
  return b;
}

struct Tx {
  tlm::tlm_generic_payload p;
  std::vector<uint16_t> data;
  Tx(tlm::tlm_command cmd, uint64_t first_cell, size_t cells) : data(cells) {
    p.set_command(cmd);
    p.set_address(first_cell * pcm_array::kBytesPerCell);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(data.data()));
    p.set_data_length(static_cast<unsigned>(cells * pcm_array::kBytesPerCell));
    p.set_streaming_width(p.get_data_length());
    p.set_byte_enable_ptr(nullptr);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  }
  tlm::tlm_response_status run(sc_core::sc_time* delay = nullptr) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    bench().init.socket->b_transport(p, d);
    if (delay) *delay = d;
    return p.get_response_status();
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(write_then_read_round_trip) {
  Tx w(tlm::TLM_WRITE_COMMAND, 0, 16);
  for (size_t i = 0; i < 16; ++i) w.data[i] = static_cast<uint16_t>(i * 17);
  BOOST_TEST(w.run() == tlm::TLM_OK_RESPONSE);
  Tx r(tlm::TLM_READ_COMMAND, 0, 16);
  BOOST_TEST(r.run() == tlm::TLM_OK_RESPONSE);
  // DAC d of 256 writes d/255; 6-bit ADC over the read range: monotone up to noise.
  BOOST_TEST(r.data[15] > r.data[0]);
}

BOOST_AUTO_TEST_CASE(address_beyond_array_is_address_error) {
  const uint64_t cells = bench().array.storage().cells();
  Tx w(tlm::TLM_WRITE_COMMAND, cells, 1);
  BOOST_TEST(w.run() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  Tx far(tlm::TLM_READ_COMMAND, uint64_t{1} << 60, 1);
  BOOST_TEST(far.run() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

BOOST_AUTO_TEST_CASE(burst_beyond_array_is_address_error_and_changes_nothing) {
  const uint64_t cells = bench().array.storage().cells();
  const auto before = bench().array.counters().programmed;
  Tx w(tlm::TLM_WRITE_COMMAND, cells - 4, 8);
  BOOST_TEST(w.run() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  BOOST_TEST(bench().array.counters().programmed == before);
  BOOST_TEST(bench().array.storage().state(cells - 1) == nullptr);
  // Address wrap-around: the end of the burst overflows 64 bits.
  Tx wrap(tlm::TLM_READ_COMMAND, 0, 4);
  wrap.p.set_address(~uint64_t{0} - 1);
  BOOST_TEST(wrap.run() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

BOOST_AUTO_TEST_CASE(misaligned_address_or_partial_cell_is_address_error) {
  Tx w(tlm::TLM_WRITE_COMMAND, 0, 2);
  w.p.set_address(1);
  BOOST_TEST(w.run() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  Tx odd(tlm::TLM_WRITE_COMMAND, 0, 2);
  odd.p.set_data_length(3);
  odd.p.set_streaming_width(3);
  BOOST_TEST(odd.run() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

BOOST_AUTO_TEST_CASE(byte_enables_are_byte_enable_error) {
  Tx w(tlm::TLM_WRITE_COMMAND, 0, 2);
  unsigned char be[4] = {0xff, 0xff, 0, 0xff};
  w.p.set_byte_enable_ptr(be);
  w.p.set_byte_enable_length(4);
  BOOST_TEST(w.run() == tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
}

BOOST_AUTO_TEST_CASE(streaming_width_is_burst_error) {
  Tx w(tlm::TLM_WRITE_COMMAND, 0, 4);
  w.p.set_streaming_width(2);
  BOOST_TEST(w.run() == tlm::TLM_BURST_ERROR_RESPONSE);
}

BOOST_AUTO_TEST_CASE(ignore_command_is_command_error) {
  Tx w(tlm::TLM_IGNORE_COMMAND, 0, 1);
  BOOST_TEST(w.run() == tlm::TLM_COMMAND_ERROR_RESPONSE);
}

BOOST_AUTO_TEST_CASE(bad_dac_code_and_unprogrammed_read_are_generic_errors) {
  Tx w(tlm::TLM_WRITE_COMMAND, 100, 2);
  w.data = {3, 256};  // the channel has DAC codes 0 .. 255
  BOOST_TEST(w.run() == tlm::TLM_GENERIC_ERROR_RESPONSE);
  BOOST_TEST(bench().array.storage().state(100) == nullptr);
  Tx r(tlm::TLM_READ_COMMAND, 200, 1);
  BOOST_TEST(r.run() == tlm::TLM_GENERIC_ERROR_RESPONSE);
}

BOOST_AUTO_TEST_CASE(debug_read_has_no_side_effects_and_matches_next_read) {
  Tx w(tlm::TLM_WRITE_COMMAND, 32, 8);
  for (size_t i = 0; i < 8; ++i) w.data[i] = static_cast<uint16_t>(30 * i);
  BOOST_TEST(w.run() == tlm::TLM_OK_RESPONSE);
  const cosim::PcmArrayCounters before = bench().array.counters();
  Tx dbg(tlm::TLM_READ_COMMAND, 32, 8);
  BOOST_TEST(bench().init.socket->transport_dbg(dbg.p) == 16u);
  BOOST_TEST(dbg.p.get_response_status() == tlm::TLM_OK_RESPONSE);
  BOOST_TEST(bench().array.counters().reads == before.reads);
  BOOST_TEST(bench().array.counters().busy_ns == before.busy_ns);
  Tx r(tlm::TLM_READ_COMMAND, 32, 8);
  BOOST_TEST(r.run() == tlm::TLM_OK_RESPONSE);
  BOOST_TEST(r.data == dbg.data, boost::test_tools::per_element());
  // Debug writes and out-of-range debug reads transfer nothing.
  Tx dw(tlm::TLM_WRITE_COMMAND, 32, 1);
  BOOST_TEST(bench().init.socket->transport_dbg(dw.p) == 0u);
  Tx dr(tlm::TLM_READ_COMMAND, bench().array.storage().cells(), 1);
  BOOST_TEST(bench().init.socket->transport_dbg(dr.p) == 0u);
}

BOOST_AUTO_TEST_CASE(counters_delay_and_energy) {
  const cosim::PcmArrayCounters before = bench().array.counters();
  // 20 cells from column 4 of row 2 (cell 68): parallel groups [4,8) [8,16) [16,24) -> 3
  // steps, one pulse each (no write-verify).
  Tx w(tlm::TLM_WRITE_COMMAND, 68, 20);
  sc_core::sc_time d;
  BOOST_TEST(w.run(&d) == tlm::TLM_OK_RESPONSE);
  BOOST_TEST(d.to_seconds() * 1e9 == 300.0, boost::test_tools::tolerance(1e-9));
  const auto& c = bench().array.counters();
  BOOST_TEST(c.programmed - before.programmed == 20u);
  BOOST_TEST(c.pulses - before.pulses == 20u);
  BOOST_TEST(c.program_energy_pj - before.program_energy_pj == 200.0,
             boost::test_tools::tolerance(1e-9));
  Tx r(tlm::TLM_READ_COMMAND, 68, 20);
  BOOST_TEST(r.run(&d) == tlm::TLM_OK_RESPONSE);
  BOOST_TEST(d.to_seconds() * 1e9 == 150.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(c.reads - before.reads == 20u);
  BOOST_TEST(c.read_energy_pj - before.read_energy_pj == 50.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(c.busy_ns - before.busy_ns == 450.0, boost::test_tools::tolerance(1e-9));
  // A row boundary starts a new group: cells 94..97 span rows 2 and 3.
  Tx x(tlm::TLM_WRITE_COMMAND, 94, 4);
  BOOST_TEST(x.run(&d) == tlm::TLM_OK_RESPONSE);
  BOOST_TEST(d.to_seconds() * 1e9 == 200.0, boost::test_tools::tolerance(1e-9));
  const cosim::CellAddress a = bench().array.storage().address(2 * 128 + 3 * 32 + 5);
  BOOST_TEST(a.bank == 2u);
  BOOST_TEST(a.row == 3u);
  BOOST_TEST(a.column == 5u);
}

BOOST_AUTO_TEST_CASE(same_codes_as_the_functional_store) {
  // Weights through the codec, cells through TLM; compare with core::store_and_read.
  core::CodecParams p;
  p.shape.levels = 4;
  p.shape.replicas = 3;
  p.dac_bits = 8;
  p.adc_bits = 6;
  p.level_dac = {0, 85, 170, 255};
  for (uint32_t a = 0; a < 64; ++a) p.adc_digit.push_back(std::min(a * 4 / 64, 3u));
  core::validate(p);
  const uint32_t cpw = core::cells_per_weight(p);
  const uint64_t base = 130;
  std::vector<int32_t> codes = {-2, -1, 0, 1, -2, 1, 0, 0, 1, -1};
  std::vector<int32_t> golden(codes.size());
  core::store_and_read(bench().cell, p, codes, base, bench().noise, golden);
  std::vector<uint32_t> dac(cpw), adc(cpw);
  for (size_t i = 0; i < codes.size(); ++i) {
    core::encode(p, codes[i], dac);
    Tx w(tlm::TLM_WRITE_COMMAND, base + i * cpw, cpw);
    for (uint32_t c = 0; c < cpw; ++c) w.data[c] = static_cast<uint16_t>(dac[c]);
    BOOST_TEST_REQUIRE(w.run() == tlm::TLM_OK_RESPONSE);
    Tx r(tlm::TLM_READ_COMMAND, base + i * cpw, cpw);
    BOOST_TEST_REQUIRE(r.run() == tlm::TLM_OK_RESPONSE);
    for (uint32_t c = 0; c < cpw; ++c) adc[c] = r.data[c];
    BOOST_TEST(core::decode(p, adc) == golden[i]);
  }
}

BOOST_AUTO_TEST_CASE(simulated_drift_time_equals_retention_at_the_read_time) {
  // PCM drifts: with DriftTime::kSimulated a read at program time + read_time_s gives the
  // codes of the retention clock; an early read differs (conductance has not drifted yet).
  core::CellSpec spec;
  spec.adc_bits = 8;
  spec.read_time_s = 86400.0;
  const core::Cell pcm(std::make_shared<core::PcmChannel>(core::PcmConfig{}), spec);
  const core::RandomStream rs(77, 1);
  cosim::PcmArrayConfig retention = small_config(), simulated = small_config();
  simulated.drift = cosim::DriftTime::kSimulated;
  cosim::PcmArrayStorage a(pcm, rs, retention), b(pcm, rs, simulated);
  std::vector<uint16_t> dac(64);
  for (size_t i = 0; i < dac.size(); ++i) dac[i] = static_cast<uint16_t>(100 + 2 * i);
  BOOST_TEST_REQUIRE(a.program(0, dac, 0.0, nullptr) == cosim::PcmArrayStatus::kOk);
  BOOST_TEST_REQUIRE(b.program(0, dac, 5.0, nullptr) == cosim::PcmArrayStatus::kOk);
  std::vector<uint16_t> ra(64), rb(64), early(64);
  BOOST_TEST_REQUIRE(a.peek(0, ra, 1.0) == cosim::PcmArrayStatus::kOk);
  BOOST_TEST_REQUIRE(b.peek(0, rb, 5.0 + 86400.0) == cosim::PcmArrayStatus::kOk);
  BOOST_TEST(ra == rb, boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(b.peek(0, early, 5.0 + 1.0) == cosim::PcmArrayStatus::kOk);
  BOOST_TEST(early != rb);
}
