// weight_decoder RTL against core::decode: the weight code for every input, for each
// configuration of ANVIL_RTL_BENCH_CONFIGS (mean and median combiners, sign majority with ties,
// split recombination), with random tables loaded through the cfg port; exhaustive over all
// ADC inputs when they span <= 16 bits and >= 10^5 random inputs, random valid/ready
// back-pressure, a reset in the middle of the stream; then throughput and latency.
#define BOOST_TEST_MODULE weight_decoder_rtl
#include <boost/test/unit_test.hpp>

#include <sstream>

#include "rtl_bench.hpp"
#include "rtl_configs.inc"
#include "weight_decoder_models.inc"

using namespace anvil;
using namespace anvil::rtl_bench;

namespace {

constexpr size_t kRandomInputs = 100000;

// hex_init: the model reads its tables by $readmemh from the files flow::export_rtl writes
// into hexinit_<config>_dec/ (no cfg-port writes).
template <class M>
void run_decoder(const RtlConfig& c, bool hex_init = false) {
  Rng rng(seed() ^ std::hash<std::string>{}(std::string("dec.") + c.name));
  const core::CodecParams p = random_params(c, rng);
  const core::RtlGeometry g = core::rtl_geometry(p);
  const uint32_t cb = code_bits_of(c, p);
  const uint32_t ab = p.adc_bits;

  using Item = std::vector<uint32_t>;
  using Expect = int32_t;
  const std::function<void(M&, const Item&)> drive = [&](M& m, const Item& adc) {
    for (uint32_t k = 0; k < g.cells; ++k) set_bits(m.adc_i, k * ab, ab, adc[k]);
  };
  const std::function<Expect(const Item&)> golden = [&](const Item& adc) {
    return core::decode(p, adc);
  };
  const std::function<Expect(M&)> sample = [cb](M& m) {
    const uint64_t raw = get_bits(m.code_o, 0, cb);
    const int64_t v = (raw >> (cb - 1) & 1u) ? static_cast<int64_t>(raw) - (int64_t{1} << cb)
                                             : static_cast<int64_t>(raw);
    return static_cast<Expect>(v);
  };
  const std::function<std::string(const Item&, const Expect&, const Expect&)> describe =
      [](const Item& adc, const Expect& want, const Expect& got) {
        std::ostringstream s;
        s << "adc";
        for (uint32_t a : adc) s << " " << a;
        s << ": want " << want << " got " << got;
        return s.str();
      };

  std::vector<Item> items;
  const uint32_t in_bits = g.cells * ab;
  if (in_bits <= 16) {
    for (uint64_t v = 0; v < (uint64_t{1} << in_bits); ++v) {
      Item adc(g.cells);
      for (uint32_t k = 0; k < g.cells; ++k)
        adc[k] = static_cast<uint32_t>(v >> (k * ab) & mask(ab));
      items.push_back(adc);
    }
  }
  std::uniform_int_distribution<uint32_t> code(0, (1u << ab) - 1);
  for (size_t i = 0; i < kRandomInputs + 64; ++i) {  // a few spare for the reset
    Item adc(g.cells);
    for (auto& a : adc) a = code(rng);
    items.push_back(adc);
  }

  verify_codec_block<M, Item, Expect>(
      "weight_decoder", "dec", c, p, {drive, golden, sample, describe}, std::move(items), hex_init,
      core::decoder_cfg_writes(p), kRandomInputs, core::kDecoderLatencyCycles, rng);
}

}  // namespace

#define ANVIL_RTL_RUN(model) run_decoder<Vweight_decoder_##model>
ANVIL_RTL_CONFIGS(ANVIL_RTL_CASE)
ANVIL_RTL_HEXINIT_CONFIGS(ANVIL_RTL_HEXINIT_CASE)
