#include "core/codec.hpp"

#include <algorithm>
#include <array>

#include "core/error.hpp"

namespace anvil::core {

const char* to_string(Combine c) {
  return name_of(kCombineNames, c);
}

Combine combine_from_string(const std::string& s, const std::string& file,
                            const std::string& field) {
  return parse_enum(kCombineNames, s, file, field);
}

uint32_t cells_per_weight(const CodecParams& p) {
  return (p.shape.sign_cell ? p.shape.sign_replicas : 0) + p.shape.split * p.shape.replicas;
}

uint64_t magnitude_range(const CodecParams& p) {
  uint64_t m = 1;
  for (uint32_t i = 0; i < p.shape.split; ++i) m *= p.shape.levels;
  return m;
}

int32_t code_min(const CodecParams& p) {
  const auto m = static_cast<int64_t>(magnitude_range(p));
  return static_cast<int32_t>(p.shape.sign_cell ? -(m - 1) : -(m / 2));
}

int32_t code_max(const CodecParams& p) {
  const auto m = static_cast<int64_t>(magnitude_range(p));
  return static_cast<int32_t>(p.shape.sign_cell ? m - 1 : m - 1 - m / 2);
}

uint32_t code_bits(const CodecParams& p) {
  const int64_t lo = code_min(p), hi = code_max(p);
  uint32_t b = 1;
  while (-(int64_t{1} << (b - 1)) > lo || (int64_t{1} << (b - 1)) - 1 < hi) ++b;
  return b;
}

void validate(const CodecParams& p, const std::string& file) {
  require(p.shape.levels >= 2, file, "levels", "must be >= 2");
  require(p.shape.split >= 1, file, "split", "must be >= 1");
  require(p.shape.replicas >= 1, file, "replicas", "must be >= 1 (zero redundancy stores nothing)");
  require(!p.shape.sign_cell || p.shape.sign_replicas >= 1, file, "sign_replicas", "must be >= 1");
  require(p.dac_bits >= 1 && p.dac_bits <= 16, file, "dac_bits", "must be in [1, 16]");
  require(p.adc_bits >= 1 && p.adc_bits <= 16, file, "adc_bits", "must be in [1, 16]");
  require(p.soft_frac_bits >= 1 && p.soft_frac_bits <= 16, file, "soft_frac_bits",
          "must be in [1, 16]");
  require(magnitude_range(p) <= (uint64_t{1} << 30), file, "split",
          "levels^split must fit a 31-bit weight code");
  const uint64_t dacs = uint64_t{1} << p.dac_bits, adcs = uint64_t{1} << p.adc_bits;
  require(p.shape.levels <= dacs, file, "levels", "must not exceed the 2^dac_bits DAC codes");
  require(p.level_dac.size() == p.shape.levels, file, "level_dac",
          "needs one DAC code per level (" + std::to_string(p.shape.levels) + ")");
  for (uint32_t d : p.level_dac) require(d < dacs, file, "level_dac", "entry >= 2^dac_bits");
  if (p.shape.sign_cell) {
    require(p.sign_dac[0] < dacs && p.sign_dac[1] < dacs, file, "sign_dac", "entry >= 2^dac_bits");
    require(p.adc_sign.size() == adcs, file, "adc_sign",
            "needs 2^adc_bits entries (" + std::to_string(adcs) + ")");
  }
  require(p.adc_digit.size() == adcs, file, "adc_digit",
          "needs 2^adc_bits entries (" + std::to_string(adcs) + ")");
  for (uint32_t d : p.adc_digit) require(d < p.shape.levels, file, "adc_digit", "entry >= levels");
  if (p.shape.combine == Combine::kMean) {
    require(p.adc_soft.size() == adcs, file, "adc_soft",
            "needs 2^adc_bits entries (" + std::to_string(adcs) + ")");
    const uint64_t top = uint64_t{p.shape.levels - 1} << p.soft_frac_bits;
    for (uint32_t s : p.adc_soft) require(s <= top, file, "adc_soft", "entry above the top level");
  }
  if (p.shape.combine == Combine::kMl) {
    require(p.adc_llr.size() == adcs * p.shape.levels, file, "adc_llr",
            "needs 2^adc_bits * levels entries");
  }
}

void encode(const CodecParams& p, int32_t code, std::span<uint32_t> dac_out) {
  code = std::clamp(code, code_min(p), code_max(p));
  size_t c = 0;
  uint64_t value;
  if (p.shape.sign_cell) {
    const uint32_t neg = code < 0 ? 1 : 0;
    for (uint32_t j = 0; j < p.shape.sign_replicas; ++j) dac_out[c++] = p.sign_dac[neg];
    value = static_cast<uint64_t>(code < 0 ? -static_cast<int64_t>(code) : code);
  } else {
    value = static_cast<uint64_t>(static_cast<int64_t>(code) +
                                  static_cast<int64_t>(magnitude_range(p) / 2));
  }
  // Most significant digit first.
  uint64_t weight = magnitude_range(p) / p.shape.levels;
  for (uint32_t i = 0; i < p.shape.split; ++i) {
    const uint64_t digit = value / weight;
    value -= digit * weight;
    weight /= p.shape.levels;
    for (uint32_t j = 0; j < p.shape.replicas; ++j) dac_out[c++] = p.level_dac[digit];
  }
}

uint32_t decode_digit(const CodecParams& p, std::span<const uint32_t> adc) {
  const uint32_t r = p.shape.replicas;
  switch (p.shape.combine) {
    case Combine::kMedian: {
      std::array<uint32_t, 64> h{};
      std::vector<uint32_t> big;
      uint32_t* v = h.data();
      if (r > h.size()) {
        big.resize(r);
        v = big.data();
      }
      for (uint32_t j = 0; j < r; ++j) v[j] = p.adc_digit[adc[j]];
      std::nth_element(v, v + (r - 1) / 2, v + r);
      return v[(r - 1) / 2];
    }
    case Combine::kMean: {
      uint64_t s = 0;
      for (uint32_t j = 0; j < r; ++j) s += p.adc_soft[adc[j]];
      const uint64_t unit = uint64_t{r} << p.soft_frac_bits;
      const uint64_t d = (s + unit / 2) / unit;
      return static_cast<uint32_t>(std::min<uint64_t>(d, p.shape.levels - 1));
    }
    case Combine::kMl: {
      uint32_t best = 0;
      int64_t best_ll = 0;
      for (uint32_t d = 0; d < p.shape.levels; ++d) {
        int64_t ll = 0;
        for (uint32_t j = 0; j < r; ++j) ll += p.adc_llr[size_t{adc[j]} * p.shape.levels + d];
        if (d == 0 || ll > best_ll) {
          best = d;
          best_ll = ll;
        }
      }
      return best;
    }
  }
  return 0;
}

int32_t decode(const CodecParams& p, std::span<const uint32_t> adc_in) {
  size_t c = 0;
  bool negative = false;
  if (p.shape.sign_cell) {
    uint32_t ones = 0;
    for (uint32_t j = 0; j < p.shape.sign_replicas; ++j) ones += p.adc_sign[adc_in[c++]];
    negative = 2 * ones > p.shape.sign_replicas;  // ties read as positive
  }
  uint64_t value = 0;
  for (uint32_t i = 0; i < p.shape.split; ++i) {
    value = value * p.shape.levels + decode_digit(p, adc_in.subspan(c, p.shape.replicas));
    c += p.shape.replicas;
  }
  if (p.shape.sign_cell) {
    const auto m = static_cast<int32_t>(value);
    return negative ? -m : m;
  }
  return static_cast<int32_t>(static_cast<int64_t>(value) -
                              static_cast<int64_t>(magnitude_range(p) / 2));
}

}  // namespace anvil::core
