#include "core/codec_rtl.hpp"

#include <string>

#include "core/error.hpp"

namespace anvil::core {

namespace {
// Bits to hold the values 0 .. n-1, at least 1 (weight_codec_pkg::idx_bits).
uint32_t idx_bits(uint64_t n) {
  uint32_t b = 1;
  while ((uint64_t{1} << b) < n) ++b;
  return b;
}
}  // namespace

void validate_rtl(const CodecParams& p, const std::string& file) {
  validate(p, file);
  require(code_bits(p) <= 32, file, "split", "the weight code must fit 32 bits in the RTL");
  if (p.shape.combine == Combine::kMl) {
    const int32_t lo = -(int32_t{1} << (kRtlLlrBits - 1)),
                  hi = (int32_t{1} << (kRtlLlrBits - 1)) - 1;
    for (int32_t v : p.adc_llr)
      require(v >= lo && v <= hi, file, "adc_llr",
              "entry " + std::to_string(v) + " does not fit the RTL's " +
                  std::to_string(kRtlLlrBits) + "-bit log-likelihoods");
  }
}

RtlGeometry rtl_geometry(const CodecParams& p) {
  RtlGeometry g;
  g.cells = cells_per_weight(p);
  g.code_bits = code_bits(p);
  g.digit_bits = idx_bits(p.shape.levels);
  g.enc_cfg_addr_bits = g.digit_bits + 1;
  const bool ml = p.shape.combine == Combine::kMl;
  if (ml) {
    g.llr_bits = 2;
    for (int32_t v : p.adc_llr)
      while (v < -(int64_t{1} << (g.llr_bits - 1)) || v > (int64_t{1} << (g.llr_bits - 1)) - 1)
        ++g.llr_bits;
  }
  g.dec_cfg_addr_bits = p.adc_bits + 2 + (ml ? g.digit_bits : 0);
  g.dec_cfg_data_bits =
      ml ? g.llr_bits : idx_bits((uint64_t{p.shape.levels - 1} << p.soft_frac_bits) + 1);
  g.rtl_combine = p.shape.combine == Combine::kMean ? kRtlCombineMean
                  : ml                              ? kRtlCombineMl
                                                    : kRtlCombineMedian;
  return g;
}

std::vector<RtlCfgWrite> encoder_cfg_writes(const CodecParams& p) {
  const RtlGeometry g = rtl_geometry(p);
  std::vector<RtlCfgWrite> w;
  for (uint32_t d = 0; d < p.shape.levels; ++d) w.push_back({d, p.level_dac[d]});
  if (p.shape.sign_cell) {
    for (uint32_t s = 0; s < 2; ++s) w.push_back({(1u << g.digit_bits) | s, p.sign_dac[s]});
  }
  return w;
}

std::vector<RtlCfgWrite> decoder_cfg_writes(const CodecParams& p) {
  return decoder_cfg_writes(p, {p.adc_bits, rtl_geometry(p).llr_bits});
}

std::vector<RtlCfgWrite> decoder_cfg_writes(const CodecParams& p, const RtlDecoderPorts& ports) {
  const uint32_t ab = ports.adc_bits;  // {[level,] 2-bit select, ADC code}
  const uint32_t llr_mask = ports.llr_bits >= 32 ? ~0u : (uint32_t{1} << ports.llr_bits) - 1;
  std::vector<RtlCfgWrite> w;
  for (uint32_t a = 0; a < (1u << p.adc_bits); ++a) {
    if (p.shape.combine == Combine::kMean) {
      w.push_back({(1u << ab) | a, p.adc_soft[a]});
    } else if (p.shape.combine == Combine::kMl) {
      for (uint32_t d = 0; d < p.shape.levels; ++d)
        w.push_back({(d << (ab + 2)) | (3u << ab) | a,
                     static_cast<uint32_t>(p.adc_llr[size_t{a} * p.shape.levels + d]) & llr_mask});
    } else {
      w.push_back({a, p.adc_digit[a]});
    }
    if (p.shape.sign_cell) w.push_back({(2u << ab) | a, p.adc_sign[a]});
  }
  return w;
}

}  // namespace anvil::core
