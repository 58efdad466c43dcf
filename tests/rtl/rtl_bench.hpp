// Shared harness of the Verilator C++ benches (plain C++, no SystemC): bit access to the flat
// port vectors, random codec configurations with random tables, and a valid/ready stream
// driver with random back-pressure, a mid-stream reset and a throughput/latency measurement.
// The reference is always the golden model in sw/core (core::encode / core::decode).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <verilated.h>
#include <boost/test/unit_test.hpp>

#include "core/codec.hpp"
#include "core/codec_rtl.hpp"
#include "core/random.hpp"
#include "flow/rtl_export.hpp"

namespace anvil::rtl_bench {

// Randomized tests take their seed from ANVIL_TEST_SEED (printed), default fixed.
inline uint64_t seed() {
  static const uint64_t s = core::seed_from_env("ANVIL_TEST_SEED", 20261128u);
  return s;
}

using Rng = std::mt19937_64;

inline uint64_t mask(unsigned w) {
  return w >= 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1;
}

// Bits [lsb, lsb + w) of a Verilated port (CData/SData/IData/QData or VlWide<N>).
template <class T>
uint64_t get_bits(const T& v, unsigned lsb, unsigned w) {
  if constexpr (std::is_integral_v<T>) {
    return (static_cast<uint64_t>(v) >> lsb) & mask(w);
  } else {
    uint64_t r = 0;
    for (unsigned b = 0; b < w; ++b) {
      const unsigned k = lsb + b;
      r |= static_cast<uint64_t>(v.m_storage[k / 32] >> (k % 32) & 1u) << b;
    }
    return r;
  }
}

template <class T>
void set_bits(T& v, unsigned lsb, unsigned w, uint64_t x) {
  if constexpr (std::is_integral_v<T>) {
    const uint64_t m = mask(w) << lsb;
    v = static_cast<T>((static_cast<uint64_t>(v) & ~m) | ((x << lsb) & m));
  } else {
    for (unsigned b = 0; b < w; ++b) {
      const unsigned k = lsb + b;
      const uint32_t bit = 1u << (k % 32);
      if (x >> b & 1u)
        v.m_storage[k / 32] |= bit;
      else
        v.m_storage[k / 32] &= ~bit;
    }
  }
}

// One parameterisation of the RTL (the same numbers are passed to Verilator as -G values).
struct RtlConfig {
  const char* name;
  uint32_t levels, split, replicas, sign_cell, sign_replicas, combine;  // combine: RTL value
  uint32_t dac_bits, adc_bits, soft_frac_bits;
  uint32_t code_bits;  // CodeBits; 0 = derived
};

// Codec parameters of `c` with random (but valid) tables.
inline core::CodecParams random_params(const RtlConfig& c, Rng& rng) {
  core::CodecParams p;
  p.shape.levels = c.levels;
  p.shape.split = c.split;
  p.shape.replicas = c.replicas;
  p.shape.sign_cell = c.sign_cell != 0;
  p.shape.sign_replicas = c.sign_replicas;
  p.shape.combine = c.combine == core::kRtlCombineMean ? core::Combine::kMean
                    : c.combine == core::kRtlCombineMl ? core::Combine::kMl
                                                       : core::Combine::kMedian;
  p.dac_bits = c.dac_bits;
  p.adc_bits = c.adc_bits;
  p.soft_frac_bits = c.soft_frac_bits;
  const uint32_t adcs = 1u << c.adc_bits;
  auto uni = [&rng](uint64_t n) { return static_cast<uint32_t>(rng() % n); };
  for (uint32_t d = 0; d < c.levels; ++d) p.level_dac.push_back(uni(uint64_t{1} << c.dac_bits));
  p.sign_dac[0] = uni(uint64_t{1} << c.dac_bits);
  p.sign_dac[1] = uni(uint64_t{1} << c.dac_bits);
  const uint64_t top = uint64_t{c.levels - 1} << c.soft_frac_bits;
  for (uint32_t a = 0; a < adcs; ++a) {
    p.adc_digit.push_back(uni(c.levels));
    // Mostly anywhere in range; sometimes exactly on a level or at the ends.
    const uint32_t kind = uni(4);
    p.adc_soft.push_back(kind == 0   ? static_cast<uint32_t>(top)
                         : kind == 1 ? uni(c.levels) << c.soft_frac_bits
                                     : uni(top + 1));
    p.adc_sign.push_back(static_cast<uint8_t>(uni(2)));
  }
  // Log-likelihoods: half the codes over the whole signed 16-bit range (the sums must not
  // wrap), half from {-2, -1, 0} so that equal sums (ties: lowest level wins) are frequent.
  // One entry at the minimum: the table needs the models' LlrBits (16) exactly.
  const int32_t lo = -(int32_t{1} << (core::kRtlLlrBits - 1));
  for (uint32_t a = 0; a < adcs; ++a) {
    const bool narrow = uni(2) == 0;
    for (uint32_t d = 0; d < c.levels; ++d)
      p.adc_llr.push_back(narrow
                              ? -static_cast<int32_t>(uni(3))
                              : lo + static_cast<int32_t>(uni(uint64_t{1} << core::kRtlLlrBits)));
  }
  p.adc_llr[uni(p.adc_llr.size())] = lo;
  core::validate_rtl(p, c.name);
  return p;
}

inline uint32_t code_bits_of(const RtlConfig& c, const core::CodecParams& p) {
  return c.code_bits ? c.code_bits : core::code_bits(p);
}

// A Verilated model with a clock; reset and table loading.
template <class M>
class Harness {
 public:
  explicit Harness(const char* name)
      : ctx_(std::make_unique<VerilatedContext>()), m_(std::make_unique<M>(ctx_.get(), name)) {
    m_->clk_i = 0;
    m_->rst_ni = 1;
    m_->cfg_we_i = 0;
    m_->valid_i = 0;
    m_->ready_i = 0;
    m_->eval();
  }
  ~Harness() { m_->final(); }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  M& m() { return *m_; }
  uint64_t cycle() const { return cycle_; }
  void eval() { m_->eval(); }
  void tick() {
    m_->clk_i = 1;
    m_->eval();
    m_->clk_i = 0;
    m_->eval();
    ++cycle_;
  }
  void reset(int cycles = 2) {
    m_->rst_ni = 0;
    m_->valid_i = 0;
    for (int i = 0; i < cycles; ++i) tick();
    m_->rst_ni = 1;
    m_->eval();
  }
  void load(const std::vector<core::RtlCfgWrite>& writes) {
    for (const auto& w : writes) {
      m_->cfg_we_i = 1;
      m_->cfg_addr_i = w.addr;
      m_->cfg_wdata_i = w.data;
      tick();
    }
    m_->cfg_we_i = 0;
    m_->eval();
  }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<M> m_;
  uint64_t cycle_ = 0;
};

struct StreamOptions {
  double p_valid = 1.0;           // probability the source offers the next item in a cycle
  double p_ready = 1.0;           // probability the sink is ready in a cycle
  size_t reset_after = SIZE_MAX;  // assert rst_ni once, after this many items were accepted
};

struct StreamStats {
  uint64_t accepted = 0;
  uint64_t checked = 0;
  uint64_t mismatches = 0;
  uint64_t dropped_by_reset = 0;
  uint64_t first_in_cycle = 0, first_out_cycle = 0, last_out_cycle = 0;
  bool saw_output = false;
};

// What a block bench supplies: how to drive one item, its golden expectation, how to read
// the model's output, and how to describe a mismatch.
template <class M, class Item, class Expect>
struct Checks {
  std::function<void(M&, const Item&)> drive;
  std::function<Expect(const Item&)> golden;
  std::function<Expect(M&)> sample;
  std::function<std::string(const Item&, const Expect&, const Expect&)> describe;
};

// Streams `items` through the model: the source holds valid_i and the data until accepted, the
// sink drops ready_i at random. Every output is compared with the golden expectation of the
// item accepted in the same order. Items in flight when reset is asserted are dropped (the
// source and sink restart with the stream); valid_o must be low after reset.
template <class M, class Item, class Expect>
StreamStats run_stream(Harness<M>& h, const std::vector<Item>& items,
                       const Checks<M, Item, Expect>& ck, const StreamOptions& o, Rng& rng) {
  M& m = h.m();
  std::bernoulli_distribution offer(o.p_valid), ready(o.p_ready);
  std::deque<std::pair<size_t, Expect>> q;
  StreamStats st;
  size_t next = 0;
  bool pending = false, did_reset = false;
  const uint64_t limit =
      h.cycle() + 64 * (items.size() + 16) / std::max(0.01, o.p_valid * o.p_ready);
  while (next < items.size() || pending || !q.empty()) {
    if (!pending && next < items.size() && offer(rng)) {
      ck.drive(m, items[next]);
      pending = true;
    }
    m.valid_i = pending;
    m.ready_i = ready(rng);
    h.eval();
    const bool in_fire = m.valid_i && m.ready_o;
    const bool out_fire = m.valid_o && m.ready_i;
    if (out_fire) {
      if (q.empty()) {
        BOOST_ERROR("output without a pending input at cycle " << h.cycle());
        ++st.mismatches;
      } else {
        const Expect got = ck.sample(m);
        if (!(got == q.front().second)) {
          if (++st.mismatches <= 5)
            BOOST_ERROR("item " << q.front().first << ": "
                                << ck.describe(items[q.front().first], q.front().second, got));
        }
        q.pop_front();
        ++st.checked;
      }
      if (!st.saw_output) st.first_out_cycle = h.cycle();
      st.saw_output = true;
      st.last_out_cycle = h.cycle();
    }
    if (in_fire) {
      if (st.accepted == 0) st.first_in_cycle = h.cycle();
      q.emplace_back(next, ck.golden(items[next]));
      ++next;
      ++st.accepted;
      pending = false;
    }
    h.tick();
    if (!did_reset && st.accepted >= o.reset_after) {
      did_reset = true;
      const uint8_t held_ready = m.ready_i;
      h.reset(2);
      st.dropped_by_reset += q.size();
      q.clear();
      BOOST_TEST_REQUIRE(!m.valid_o, "valid_o must be low after reset");
      m.ready_i = held_ready;
    }
    if (h.cycle() > limit) {
      BOOST_ERROR("stream stalled: " << next << " of " << items.size() << " accepted");
      break;
    }
  }
  return st;
}

// Full-rate run (valid and ready always high): prints and checks throughput and latency.
template <class M, class Item, class Expect>
void measure_throughput(Harness<M>& h, const char* block, const char* cfg,
                        const std::vector<Item>& items, const Checks<M, Item, Expect>& ck,
                        uint32_t expected_latency, Rng& rng) {
  const StreamStats st = run_stream(h, items, ck, StreamOptions{}, rng);
  BOOST_TEST_REQUIRE(st.saw_output);
  const uint64_t latency = st.first_out_cycle - st.first_in_cycle;
  const double span = static_cast<double>(st.last_out_cycle - st.first_out_cycle + 1);
  const double throughput = static_cast<double>(st.checked) / span;
  std::printf(
      "RTL %s[%s]: throughput %.4f weights/cycle (%.4f cycles/weight) over %llu weights, "
      "latency %llu cycles\n",
      block, cfg, throughput, 1.0 / throughput, static_cast<unsigned long long>(st.checked),
      static_cast<unsigned long long>(latency));
  BOOST_TEST(st.mismatches == 0u);
  BOOST_TEST(st.checked == items.size());
  BOOST_TEST(throughput == 1.0);
  BOOST_TEST(latency == expected_latency);
}

// The whole check of one block configuration: tables through the cfg port (none when the
// model loaded them by $readmemh), then `items` under random back-pressure (valid 0.8, ready
// 0.7) with a reset half-way, every output bit-exact; then 20,000 items at full rate for
// throughput and latency (the tables must have survived the reset).
template <class M, class Item, class Expect>
void verify_block(const char* block, const char* cfg, const Checks<M, Item, Expect>& ck,
                  std::vector<Item> items, const std::vector<core::RtlCfgWrite>* writes,
                  size_t min_checked, uint32_t expected_latency, Rng& rng) {
  Harness<M> h(cfg);
  h.reset();
  if (writes) h.load(*writes);
  StreamOptions o;
  o.p_valid = 0.8;
  o.p_ready = 0.7;
  o.reset_after = items.size() / 2;
  const StreamStats st = run_stream(h, items, ck, o, rng);
  std::printf(
      "%s[%s]: %llu items checked bit-exact, %llu dropped by the mid-stream reset, "
      "%llu cycles\n",
      block, cfg, static_cast<unsigned long long>(st.checked),
      static_cast<unsigned long long>(st.dropped_by_reset),
      static_cast<unsigned long long>(h.cycle()));
  BOOST_TEST(st.mismatches == 0u);
  BOOST_TEST(st.checked + st.dropped_by_reset == items.size());
  BOOST_TEST(st.checked >= min_checked);
  items.resize(20000);
  measure_throughput(h, block, cfg, items, ck, expected_latency, rng);
}

// verify_block for the encoder or decoder (`side` "enc" / "dec") of codec `p`: its tables
// through the cfg port (`writes`), or with hex_init none: the model reads them by $readmemh
// from the files flow::export_rtl writes into hexinit_<config>_<side>/.
template <class M, class Item, class Expect>
void verify_codec_block(const char* block, const char* side, const RtlConfig& c,
                        const core::CodecParams& p, const Checks<M, Item, Expect>& ck,
                        std::vector<Item> items, bool hex_init,
                        const std::vector<core::RtlCfgWrite>& writes, size_t min_checked,
                        uint32_t expected_latency, Rng& rng) {
  if (hex_init) {
    flow::RtlExportOptions eo;
    eo.source = c.name;
    flow::export_rtl(p, std::string("hexinit_") + c.name + "_" + side, eo);
  }
  verify_block<M, Item, Expect>(block, c.name, ck, std::move(items), hex_init ? nullptr : &writes,
                                min_checked, expected_latency, rng);
}

}  // namespace anvil::rtl_bench

// The test cases of a codec block bench: one per configuration of ANVIL_RTL_CONFIGS and one
// per ANVIL_RTL_HEXINIT_CONFIGS row (tables from exported .hex files). The bench defines
// ANVIL_RTL_RUN(model suffix) as its run function for that Verilated model.
#define ANVIL_RTL_CASE(name, L, k, r, s, sr, comb, dac, adc, f, cb)                    \
  BOOST_AUTO_TEST_CASE(name) {                                                         \
    const anvil::rtl_bench::RtlConfig c{#name, L, k, r, s, sr, comb, dac, adc, f, cb}; \
    ANVIL_RTL_RUN(name)(c, false);                                                     \
  }
#define ANVIL_RTL_HEXINIT_CASE(name, L, k, r, s, sr, comb, dac, adc, f, cb)            \
  BOOST_AUTO_TEST_CASE(name##_tables_from_exported_hex) {                              \
    const anvil::rtl_bench::RtlConfig c{#name, L, k, r, s, sr, comb, dac, adc, f, cb}; \
    ANVIL_RTL_RUN(hexinit_##name)(c, true);                                            \
  }
