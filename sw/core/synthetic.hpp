// Synthetic inputs for benches and tests that exercise storage without a network: a Gaussian
// cell, a codec on uniform levels and weight codes drawn uniformly over a codec's range (one
// definition, so the co-simulation tests and cosim_bench store the same kind of data).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/cell.hpp"
#include "core/codec.hpp"
#include "core/codec_tables.hpp"

namespace anvil::core {

// A 256-level Gaussian cell: programming noise `sigma`, read noise `read_sigma` (both as a
// fraction of the range), read by an `adc_bits` ADC.
Cell gaussian_cell(double sigma, double read_sigma, uint32_t adc_bits = 6);

// The codec of `shape` on `cell` as the flow builds it (core::build_codec): uniform levels,
// tables from the cell's own statistics, `decode` decoding.
CodecParams uniform_codec(const Cell& cell, const CodecShape& shape,
                          DecodeMode decode = DecodeMode::kNaive);

// n codes uniform over [code_min(p), code_max(p)], from RandomStream(seed, 99).
std::vector<int32_t> uniform_codes(const CodecParams& p, size_t n, uint64_t seed);

}  // namespace anvil::core
