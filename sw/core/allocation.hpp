// Allocation: float tensors + a storage scheme -> segments, each one run of weights handled
// by a single CodecParams at a fixed place in the linear cell index space (BRIEF 3, "allocate
// cells"). The functional store (reconstruct, via core::store_and_read), the RTL encoder and
// decoder and the SystemC array all work segment by segment, so they agree cell for cell.
//
// Layout, fixed: tensors in the given order; within a tensor the base class (class 0), then
// the protected class (class 1, importance-aware protection) if any; within a segment the
// weights in increasing tensor index, weight i of the segment at cells
// [base_cell + i * cells_per_weight, ...), followed by the segment's reference cells
// (decode: ref; reference cell j written at level j % levels). The next segment starts right
// after. Empty segments are omitted.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/cell.hpp"
#include "core/codec.hpp"
#include "core/footprint.hpp"
#include "core/quantizer.hpp"
#include "core/random.hpp"
#include "core/scheme.hpp"
#include "core/store.hpp"

namespace anvil::core {

// A tensor to store: its weights (row-major, output channels along axis 0) and optionally a
// per-weight sensitivity score (importance metric `score`).
struct TensorView {
  std::string name;
  std::span<const float> data;
  uint32_t channels = 1;
  std::span<const float> score = {};
};

struct Segment {
  uint32_t tensor = 0;          // index into Allocation::tensors
  uint32_t klass = 0;           // 0 base, 1 protected
  std::vector<uint32_t> index;  // tensor indices of the weights, ascending; empty: all of them
  uint64_t count = 0;           // weights in the segment
  CodecParams params;           // analog: the codec (tables at the read time; ref: uncorrected)
  QuantMeta quant;              // analog and int<N>: the quantizer of this segment
  std::vector<int32_t> codes;   // weight codes in segment order (analog, int<N>)
  std::vector<float> values;    // fp32 baseline: the weights themselves
  uint64_t base_cell = 0;       // first weight cell (analog)
  uint64_t ref_base = 0;        // first reference cell (analog, decode: ref)
  uint64_t ref_cells = 0;
  uint64_t weight_cells() const;  // count * cells_per_weight(params), 0 for digital
};

struct Allocation {
  SchemeSpec scheme;
  std::vector<SchemeSpec> specs;  // per tensor: scheme.for_tensor(name), resolved
  std::vector<TensorShape> tensors;
  std::vector<Segment> segments;
  std::vector<uint64_t> importance_groups;  // per tensor: bitmap bits (0 without importance)
  uint64_t first_cell = 0;                  // base cell of the first segment
  uint64_t end_cell = 0;                    // one past the last analog cell used
  DigitalErrorRates rates;  // digital baselines and MLC metadata: the medium's raw error rates

  // The scheme that stores segment `s` (per_tensor overrides resolved).
  const SchemeSpec& spec(const Segment& s) const { return specs.at(s.tensor); }
};

struct AllocateOptions {
  uint64_t base_cell = 0;  // first linear cell index used
};

// Quantizes, ranks importance groups, builds the codec tables from `cell` (once per distinct
// codec geometry) and assigns cells. Throws anvil::Error naming the tensor on NaN/Inf weights
// or shape problems, and the scheme field on an unusable scheme.
Allocation allocate(std::span<const TensorView> tensors, const SchemeSpec& scheme, const Cell& cell,
                    const AllocateOptions& opt = {});

// The digit levels of a scheme on this cell: uniform over the DAC range, or level selection.
std::vector<uint32_t> scheme_level_dacs(const SchemeSpec& s, const Cell& cell, uint32_t levels);

// The CodecParams a decoder uses for segment `seg` in a storage run with `noise`: the
// allocation's tables, except with decode: ref, where the segment's reference cells are
// programmed and read (through `cell`, keyed by their cell index) and the drift fit applied.
CodecParams segment_params(const Allocation& a, const Segment& seg, const Cell& cell,
                           const RandomStream& noise, StoreStats* ref_stats = nullptr);

// The two halves of segment_params for a model that programs and reads the reference cells
// itself (the co-simulation's array): the DAC code of each reference cell (cell j at linear
// index seg.ref_base + j; empty unless decode: ref), and the codec re-fitted from their ADC
// codes (seg.params when there are none).
std::vector<uint32_t> reference_dacs(const Allocation& a, const Segment& seg);
CodecParams params_from_references(const Allocation& a, const Segment& seg, const Cell& cell,
                                   std::span<const uint32_t> reference_adc);

// The allocation's weights as stored error-free: codes dequantized (fp32: the values), zeros
// where a sparse scheme stores nothing. The noise-free accuracy of a scheme is measured on it.
std::vector<std::vector<float>> error_free(const Allocation& a);

// What a storage run gives back: per segment, one decoded code per weight.
struct Readback {
  std::vector<std::vector<int32_t>> decoded;  // digital baselines: the codes as stored
  StoreStats stats;                           // analog cells programmed (reference cells too)
};

// Stores and reads every segment with core::store_and_read (reference cells through
// segment_params) and decodes. Digital baselines are error-free (ECC sized by footprint).
// Deterministic for any thread count. flow's functional storage backend.
Readback read_back(const Allocation& a, const Cell& cell, const RandomStream& noise,
                   int threads = 1);

// The weight tensors of decoded codes (one vector per segment, as read_back returns them):
// dequantized into the allocation's tensor shapes, zeros where a sparse scheme stores nothing
// (digital fp32: the stored values).
std::vector<std::vector<float>> dequantize(const Allocation& a,
                                           const std::vector<std::vector<int32_t>>& decoded);

struct Reconstruction {
  std::vector<std::vector<float>> tensors;  // same shapes as allocated
  StoreStats stats;                         // analog cells programmed (reference cells too)
};

// read_back, then dequantize.
Reconstruction reconstruct(const Allocation& a, const Cell& cell, const RandomStream& noise,
                           int threads = 1);

}  // namespace anvil::core
