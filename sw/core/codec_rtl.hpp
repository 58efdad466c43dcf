// The contract between the golden codec and the RTL blocks rtl/weight_encoder.sv and
// rtl/weight_decoder.sv: parameter values, port widths, latencies and the configuration
// register map through which the tables are loaded. Used by the Verilator benches, the RTL
// export (sw/flow/rtl_export) and the SystemC co-simulation, so the map is written once.
//
// Encoder cfg port: addr = {select, index} with index_bits = max(1, ceil(log2 levels)),
//   select 0: level_dac[index], select 1: sign_dac[index & 1]; data = a DAC code.
// Decoder cfg port: addr = {[level,] 2-bit select, ADC code}, select 0: adc_digit,
//   1: adc_soft, 2: adc_sign, 3: adc_llr[code][level] (the level field, digit_bits wide,
//   exists with combine ml only); data width = bits of (levels-1) << soft_frac_bits, or
//   llr_bits with ml (log-likelihoods in two's complement).
// Flat cell vectors: cell c occupies bits [c * width, (c + 1) * width) of dac_o / adc_i.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/codec.hpp"

namespace anvil::core {

// Cycles from the input handshake to valid output (one weight per clock in steady state).
inline constexpr uint32_t kEncoderLatencyCycles = 1;
inline constexpr uint32_t kDecoderLatencyCycles = 3;

// weight_decoder's Combine parameter values.
inline constexpr uint32_t kRtlCombineMean = 0;
inline constexpr uint32_t kRtlCombineMedian = 1;
inline constexpr uint32_t kRtlCombineMl = 2;
// The widest weight_decoder LlrBits (its default): every adc_llr entry must fit this signed
// width. An export sizes LlrBits to its own table (RtlGeometry::llr_bits).
inline constexpr uint32_t kRtlLlrBits = 16;

struct RtlGeometry {
  uint32_t cells = 0;              // cells per weight
  uint32_t code_bits = 0;          // signed weight code width (derived; CodeBits may be wider)
  uint32_t digit_bits = 0;         // table index / digit width
  uint32_t enc_cfg_addr_bits = 0;  // digit_bits + 1
  uint32_t dec_cfg_addr_bits = 0;  // adc_bits + 2 (+ digit_bits with ml)
  uint32_t dec_cfg_data_bits = 0;  // soft value width, or llr_bits with ml
  uint32_t llr_bits = 0;           // ml: signed width of the widest adc_llr entry (>= 2)
  uint32_t rtl_combine = 0;        // kRtlCombineMean, kRtlCombineMedian or kRtlCombineMl
};

struct RtlCfgWrite {
  uint32_t addr = 0;
  uint32_t data = 0;
};

// Throws anvil::Error unless the parameters are valid and the RTL supports them
// (code width <= 32; with ml, log-likelihoods within kRtlLlrBits signed bits).
void validate_rtl(const CodecParams& p, const std::string& file = "codec");

RtlGeometry rtl_geometry(const CodecParams& p);

// The decoder a table load targets: its ADC port width and LlrBits. A decoder built wider than
// the codec (the co-simulation's variants) takes the codec's tables at its own address layout.
struct RtlDecoderPorts {
  uint32_t adc_bits = 0;
  uint32_t llr_bits = 0;
};

// The writes that load every table the configuration uses (into a decoder sized by
// rtl_geometry(p), or into `ports`).
std::vector<RtlCfgWrite> encoder_cfg_writes(const CodecParams& p);
std::vector<RtlCfgWrite> decoder_cfg_writes(const CodecParams& p);
std::vector<RtlCfgWrite> decoder_cfg_writes(const CodecParams& p, const RtlDecoderPorts& ports);

}  // namespace anvil::core
