// The functional store: weight codes -> encode -> program cells -> read -> decode, for a run
// of weights laid out consecutively from `base_cell` in the linear cell index space. This is
// the golden path; the SystemC co-simulation performs the same steps through TLM and the
// Verilated RTL and must produce the same decoded codes for the same RandomStream.
#pragma once

#include <cstdint>
#include <span>

#include "core/cell.hpp"
#include "core/codec.hpp"
#include "core/random.hpp"

namespace anvil::core {

struct StoreStats {
  uint64_t cells = 0;   // cells programmed
  uint64_t pulses = 0;  // programming pulses spent
  uint64_t stuck = 0;   // cells found stuck
  StoreStats& operator+=(const StoreStats& o) {
    cells += o.cells;
    pulses += o.pulses;
    stuck += o.stuck;
    return *this;
  }
};

// Weight i occupies cells [base_cell + i * cells_per_weight(p), ... + cells_per_weight(p)).
// Cell c draws its noise from CellNoise(noise, c). Deterministic for any thread count.
StoreStats store_and_read(const Cell& cell, const CodecParams& p, std::span<const int32_t> codes,
                          uint64_t base_cell, const RandomStream& noise, std::span<int32_t> decoded,
                          int threads = 1);

}  // namespace anvil::core
