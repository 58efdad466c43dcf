// Shared by the co-simulation tests: a noisy Gaussian cell and codec tables built from it
// (nearest nominal level, soft estimate, sign threshold, Gaussian log-likelihoods), so the
// decoded codes carry real channel errors and the comparison with the golden model is not
// trivial.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "core/cell.hpp"
#include "core/codec.hpp"
#include "core/gaussian_channel.hpp"
#include "core/random.hpp"

namespace anvil::test {

inline core::Cell noisy_cell(double sigma = 0.03) {
  core::GaussianConfig g;
  g.levels = 256;
  g.sigma = {sigma};
  g.read_sigma = sigma / 2;
  core::CellSpec spec;
  spec.adc_bits = 6;
  return core::Cell(std::make_shared<core::GaussianChannel>(g), spec);
}

inline core::CodecParams codec_for(const core::Cell& cell, uint32_t levels, uint32_t split,
                                   uint32_t replicas, bool sign, uint32_t sign_replicas,
                                   core::Combine combine) {
  core::CodecParams p;
  p.shape.levels = levels;
  p.shape.split = split;
  p.shape.replicas = replicas;
  p.shape.sign_cell = sign;
  p.shape.sign_replicas = sign_replicas;
  p.shape.combine = combine;
  p.dac_bits = 8;
  p.adc_bits = cell.spec().adc_bits;
  p.soft_frac_bits = 8;
  const core::Channel& ch = cell.channel();
  for (uint32_t d = 0; d < levels; ++d) p.level_dac.push_back(d * 255 / (levels - 1));
  p.sign_dac[0] = 0;
  p.sign_dac[1] = 255;
  const double lo = ch.target(p.level_dac.front()), hi = ch.target(p.level_dac.back());
  const double step = (hi - lo) / (levels - 1);
  const uint32_t adcs = 1u << p.adc_bits;
  for (uint32_t a = 0; a < adcs; ++a) {
    const double v = cell.dequantize(a);
    const double x = std::clamp((v - lo) / step, 0.0, levels - 1.0);
    p.adc_digit.push_back(static_cast<uint32_t>(std::lround(x)));
    p.adc_soft.push_back(static_cast<uint32_t>(std::lround(x * (1u << p.soft_frac_bits))));
    p.adc_sign.push_back(v > (lo + hi) / 2 ? 1 : 0);
    for (uint32_t d = 0; d < levels; ++d) {
      const double z = (v - ch.target(p.level_dac[d])) / 0.03;
      // Floored like core::build_codec's tables (ln of half a count of 20,000 draws).
      p.adc_llr.push_back(static_cast<int32_t>(std::lround(std::max(-0.5 * z * z, -11.0) * 64)));
    }
  }
  core::validate(p, "test");
  return p;
}

// n codes uniform over the codec's range.
inline std::vector<int32_t> random_codes(const core::CodecParams& p, size_t n, uint64_t seed) {
  const core::RandomStream rs(seed, 99);
  const int32_t lo = core::code_min(p), hi = core::code_max(p);
  std::vector<int32_t> codes(n);
  for (size_t i = 0; i < n; ++i)
    codes[i] = lo + static_cast<int32_t>(rs.below(i, core::Draw::kUser, 0, uint64_t(hi - lo) + 1));
  return codes;
}

}  // namespace anvil::test
