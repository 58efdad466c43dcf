// weight_encoder RTL against core::encode: every DAC bit of every cell, for each configuration
// of ANVIL_RTL_BENCH_CONFIGS, with random tables loaded through the cfg port; exhaustive over
// all codes of the CodeBits range (clamping included) and >= 10^5 random codes, random
// valid/ready back-pressure, a reset in the middle of the stream; then throughput and latency.
#define BOOST_TEST_MODULE weight_encoder_rtl
#include <boost/test/unit_test.hpp>

#include <sstream>

#include "rtl_bench.hpp"
#include "rtl_configs.inc"
#include "weight_encoder_models.inc"

using namespace anvil;
using namespace anvil::rtl_bench;

namespace {

constexpr size_t kRandomCodes = 100000;

// hex_init: the model reads its tables by $readmemh from the files flow::export_rtl writes
// into hexinit_<config>_enc/ (no cfg-port writes).
template <class M>
void run_encoder(const RtlConfig& c, bool hex_init = false) {
  Rng rng(seed() ^ std::hash<std::string>{}(std::string("enc.") + c.name));
  const core::CodecParams p = random_params(c, rng);
  const core::RtlGeometry g = core::rtl_geometry(p);
  const uint32_t cb = code_bits_of(c, p);

  using Item = int32_t;
  using Expect = std::vector<uint32_t>;
  const std::function<void(M&, const Item&)> drive = [cb](M& m, const Item& code) {
    set_bits(m.code_i, 0, cb, static_cast<uint32_t>(code));
  };
  const std::function<Expect(const Item&)> golden = [&](const Item& code) {
    Expect e(g.cells);
    core::encode(p, code, e);
    return e;
  };
  const std::function<Expect(M&)> sample = [&](M& m) {
    Expect e(g.cells);
    for (uint32_t k = 0; k < g.cells; ++k)
      e[k] = static_cast<uint32_t>(get_bits(m.dac_o, k * p.dac_bits, p.dac_bits));
    return e;
  };
  const std::function<std::string(const Item&, const Expect&, const Expect&)> describe =
      [](const Item& code, const Expect& want, const Expect& got) {
        std::ostringstream s;
        s << "code " << code << ": cells want/got";
        for (size_t k = 0; k < want.size(); ++k) s << " " << want[k] << "/" << got[k];
        return s.str();
      };

  // Every code of the port's range (out-of-range ones test the clamp), then random codes:
  // mostly inside [code_min, code_max], some anywhere in the CodeBits range.
  std::vector<Item> items;
  const int64_t lo = -(int64_t{1} << (cb - 1)), hi = (int64_t{1} << (cb - 1)) - 1;
  if (cb <= 16)
    for (int64_t v = lo; v <= hi; ++v) items.push_back(static_cast<Item>(v));
  std::uniform_int_distribution<int64_t> in_range(core::code_min(p), core::code_max(p)),
      any(lo, hi);
  for (size_t i = 0; i < kRandomCodes + 64; ++i)  // a few spare for the reset
    items.push_back(static_cast<Item>(i % 10 == 0 ? any(rng) : in_range(rng)));

  verify_codec_block<M, Item, Expect>(
      "weight_encoder", "enc", c, p, {drive, golden, sample, describe}, std::move(items), hex_init,
      core::encoder_cfg_writes(p), kRandomCodes, core::kEncoderLatencyCycles, rng);
}

}  // namespace

#define ANVIL_RTL_RUN(model) run_encoder<Vweight_encoder_##model>
ANVIL_RTL_CONFIGS(ANVIL_RTL_CASE)
ANVIL_RTL_HEXINIT_CONFIGS(ANVIL_RTL_HEXINIT_CASE)
