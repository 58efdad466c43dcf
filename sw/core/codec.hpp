// The golden codec: how one signed integer weight code becomes the DAC codes of its cells,
// and how the ADC codes read back become a weight code again. Integer only: the RTL
// weight_encoder / weight_decoder and the SystemC co-simulation implement exactly this, and
// their benches compare against these functions bit for bit.
//
// Cell order of one weight (its cells are consecutive in the linear cell index space):
//   [sign replica 0 .. sign_replicas-1] (only with sign_cell)
//   [digit 0 (most significant) replica 0 .. replicas-1] ... [digit split-1 replicas]
// (the counts are those of CodecParams::shape)
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/enum_names.hpp"

namespace anvil::core {

// How the replicas of one digit are combined.
enum class Combine : uint8_t {
  kMean,    // sum of soft (MMSE) estimates, rounded: RTL
  kMedian,  // median of hard (ML) digits, lower middle for even counts: RTL
  kMl,      // sum of per-replica log-likelihoods, argmax (lowest digit on ties): RTL
};

inline constexpr std::array<EnumName<Combine>, 3> kCombineNames{
    {{Combine::kMean, "mean"}, {Combine::kMedian, "median"}, {Combine::kMl, "ml"}}};
static_assert(complete_names(kCombineNames, Combine::kMl), "every Combine needs its name");

const char* to_string(Combine c);
Combine combine_from_string(const std::string& s, const std::string& file,
                            const std::string& field);

// Geometry of a codec (the non-table part of CodecParams).
struct CodecShape {
  uint32_t levels = 16;        // L: digit values per magnitude cell (>= 2)
  uint32_t split = 1;          // k: magnitude cells (digits) per weight, most significant first
  uint32_t replicas = 1;       // r: copies of every magnitude cell
  bool sign_cell = false;      // sign stored apart, in cells written at the extreme levels
  uint32_t sign_replicas = 1;  // copies of the sign cell, decoded by majority
  Combine combine = Combine::kMedian;
  bool operator==(const CodecShape&) const = default;
};

struct CodecParams {
  CodecShape shape;

  // Converter widths: DAC codes are < 2^dac_bits, ADC codes < 2^adc_bits.
  uint32_t dac_bits = 8;
  uint32_t adc_bits = 6;
  uint32_t soft_frac_bits = 8;  // fraction bits of the soft digit estimates

  // Tables (the programmable lookup tables of the RTL).
  std::vector<uint32_t> level_dac;  // [shape.levels]: digit -> DAC code
  uint32_t sign_dac[2] = {0, 0};    // sign bit (0 = +, 1 = -) -> DAC code
  std::vector<uint32_t> adc_digit;  // [2^adc_bits]: ADC code -> hard digit
  std::vector<uint32_t> adc_soft;   // [2^adc_bits]: ADC code -> digit * 2^soft_frac_bits
  std::vector<uint8_t> adc_sign;    // [2^adc_bits]: ADC code -> sign bit
  // [2^adc_bits * levels]: log-likelihood of digit d given ADC code a at [a * levels + d],
  // fixed point; only Combine::kMl uses it.
  std::vector<int32_t> adc_llr;
};

// Cells one weight occupies.
uint32_t cells_per_weight(const CodecParams& p);
// Values of the magnitude (or offset) part: levels^split.
uint64_t magnitude_range(const CodecParams& p);
// Range of weight codes the codec stores exactly.
int32_t code_min(const CodecParams& p);
int32_t code_max(const CodecParams& p);
// Width of the signed weight code in bits (two's complement) that holds [code_min, code_max].
uint32_t code_bits(const CodecParams& p);

// Throws anvil::Error(file, field, rule) when the parameters or tables are inconsistent
// (levels < 2, split or replicas 0, tables of the wrong size or with out-of-range entries).
void validate(const CodecParams& p, const std::string& file = "codec");

// weight code -> DAC codes of its cells_per_weight(p) cells. Codes outside
// [code_min, code_max] are clamped (the quantizer never produces them).
void encode(const CodecParams& p, int32_t code, std::span<uint32_t> dac_out);

// One digit from the ADC codes of its p.shape.replicas cells, combined by p.shape.combine (decode's
// step per digit).
uint32_t decode_digit(const CodecParams& p, std::span<const uint32_t> adc);

// ADC codes of the weight's cells -> weight code.
int32_t decode(const CodecParams& p, std::span<const uint32_t> adc_in);

}  // namespace anvil::core
