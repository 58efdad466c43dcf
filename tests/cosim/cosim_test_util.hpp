// Shared by the co-simulation tests: a noisy Gaussian cell and the codecs core::build_codec
// builds on it, so the decoded codes carry real channel errors and the comparison with the
// golden model is not trivial.
#pragma once

#include <memory>
#include <vector>

#include "core/cell.hpp"
#include "core/codec.hpp"
#include "core/codec_tables.hpp"
#include "core/random.hpp"
#include "core/synthetic.hpp"

namespace anvil::test {

inline core::Cell noisy_cell(double sigma = 0.03) {
  return core::gaussian_cell(sigma, sigma / 2);
}

// The codec of this shape on `cell` as the flow builds it (core::uniform_codec).
inline core::CodecParams codec_for(const core::Cell& cell, uint32_t levels, uint32_t split,
                                   uint32_t replicas, bool sign, uint32_t sign_replicas,
                                   core::Combine combine,
                                   core::DecodeMode decode = core::DecodeMode::kNaive) {
  return core::uniform_codec(cell, {levels, split, replicas, sign, sign_replicas, combine}, decode);
}

// n codes uniform over the codec's range.
inline std::vector<int32_t> random_codes(const core::CodecParams& p, size_t n, uint64_t seed) {
  return core::uniform_codes(p, n, seed);
}

}  // namespace anvil::test
