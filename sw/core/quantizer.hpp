// Float weights <-> integer weight codes in [code_min, code_max] of a codec (BRIEF 1, items 1
// and 2: naive and adaptive mapping). A quantizer is fitted to one set of weights and keeps
// the metadata a reader needs to map codes back to values: one scale per tensor or per output
// channel (axis 0), and for non-uniform companding the codebook (mu-law: its one parameter;
// Lloyd-Max: every entry). metadata_bits() is what footprint accounting stores digitally.
//
// Uniform mapping is mid-tread: code c stands for c / code_max * scale, so zero (pruned
// weights) is exact and +-scale (the clip value) are the outermost symmetric codes. Without a
// sign cell the code range is two's-complement-like ([-m/2, m/2 - 1]); its one extra negative
// code stands for -(code_max + 1) / code_max * scale and is used by weights clipped below
// -scale. Quantization picks the nearest codebook entry (exact ties away from zero).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/enum_names.hpp"

namespace anvil::core {

enum class Granularity : uint8_t { kPerTensor, kPerChannel };
enum class Companding : uint8_t { kNone, kMulaw, kLloyd };

inline constexpr std::array<EnumName<Granularity>, 2> kGranularityNames{
    {{Granularity::kPerTensor, "per_tensor"}, {Granularity::kPerChannel, "per_channel"}}};
static_assert(complete_names(kGranularityNames, Granularity::kPerChannel));
inline constexpr std::array<EnumName<Companding>, 3> kCompandingNames{
    {{Companding::kNone, "none"}, {Companding::kMulaw, "mulaw"}, {Companding::kLloyd, "lloyd"}}};
static_assert(complete_names(kCompandingNames, Companding::kLloyd));

const char* to_string(Granularity g);
const char* to_string(Companding c);

struct MappingSpec {
  Granularity granularity = Granularity::kPerTensor;
  double clip_quantile = 1.0;  // of |w| per scale group, in (0, 1]; 1 = max |w|
  Companding companding = Companding::kNone;
  double mu = 255.0;          // mu-law parameter (> 0)
  uint32_t lloyd_iters = 60;  // Lloyd-Max iterations (deterministic, quantile initialised)
};

struct QuantMeta {
  int32_t code_min = 0, code_max = 0;
  uint32_t channels = 1;      // scale groups along axis 0 (1 for per-tensor)
  uint64_t row_size = 0;      // weights per output channel (tensor size / channels)
  std::vector<float> scales;  // [channels]: clip value |w| mapped to the outermost code
  // Companding codebook, normalised to the scale: value of code c is
  // codebook[c - code_min] * scale; empty for uniform mapping.
  std::vector<float> codebook;
  Companding companding = Companding::kNone;

  // Bits a reader needs (fp32 scales; mu-law: mu; Lloyd: every codebook entry in fp32).
  uint64_t metadata_bits() const;
};

// Fits a quantizer to `w` (a tensor of `channels` output channels along axis 0 when
// per-channel). `index`, if not empty, lists which weights of the tensor are quantized (the
// members of one importance class); `w` is always the whole tensor. Throws anvil::Error
// naming `tensor` on NaN/Inf weights or a bad spec.
QuantMeta fit_quantizer(std::span<const float> w, uint32_t channels, int32_t code_min,
                        int32_t code_max, const MappingSpec& spec, const std::string& tensor,
                        std::span<const uint32_t> index = {});

// Quantizes weights w[index[i]] (or w[i] if index is empty) into codes[i].
void quantize(const QuantMeta& q, std::span<const float> w, std::span<const uint32_t> index,
              std::span<int32_t> codes);
// Value of codes[i], written to out[index[i]] (or out[i]).
void dequantize(const QuantMeta& q, std::span<const int32_t> codes, std::span<const uint32_t> index,
                std::span<float> out);
// Value of one code of the weight with linear index `i` in its tensor.
float code_value(const QuantMeta& q, int32_t code, uint64_t i);

// Throws anvil::Error(tensor, "weights", ...) at the first NaN/Inf.
void check_finite(std::span<const float> w, const std::string& tensor);

}  // namespace anvil::core
