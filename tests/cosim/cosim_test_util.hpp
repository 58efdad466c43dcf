// Shared by the co-simulation tests: a noisy Gaussian cell and the codecs core::build_codec
// builds on it, so the decoded codes carry real channel errors and the comparison with the
// golden model is not trivial.
#pragma once

#include <memory>
#include <vector>

#include "core/cell.hpp"
#include "core/codec.hpp"
#include "core/codec_tables.hpp"
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

// The codec of `shape` on `cell` as the flow builds it (core::build_codec, the one table
// builder): uniform levels, tables from the cell's own statistics, naive decoding by default.
inline core::CodecParams codec_for(const core::Cell& cell, uint32_t levels, uint32_t split,
                                   uint32_t replicas, bool sign, uint32_t sign_replicas,
                                   core::Combine combine,
                                   core::DecodeMode decode = core::DecodeMode::kNaive) {
  const core::CodecShape shape{levels, split, replicas, sign, sign_replicas, combine};
  core::TableOptions opt;
  opt.decode = decode;
  return core::build_codec(cell, shape, core::uniform_level_dacs(cell.channel(), levels), opt);
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
