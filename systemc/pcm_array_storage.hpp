// The analog array's storage and bookkeeping, apart from any socket (the TLM wrapper is
// systemc/pcm_array.hpp). Plain C++: it holds one core::CellState per programmed cell and
// programs and reads through core::Cell with the noise of cell c drawn from
// CellNoise(stream, c), c the LINEAR cell index, exactly as core::store_and_read does. So
// the same cells, stream and read number give the same ADC codes in both models.
//
// Linear cell index c maps to bank = c / (rows * columns), row = (c / columns) % rows,
// column = c % columns. Cells are allocated lazily in pages, so a large geometry costs memory
// only where it is used.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/cell.hpp"
#include "core/random.hpp"
#include "pcm_array_cost.hpp"

namespace anvil::cosim {

struct PcmArrayGeometry {
  uint32_t banks = 1;
  uint32_t rows = 1024;
  uint32_t columns = 1024;
  uint64_t cells() const { return uint64_t{banks} * rows * columns; }
};

struct CellAddress {
  uint32_t bank = 0, row = 0, column = 0;
};

// Which elapsed time the drift and read noise of a read see.
enum class DriftTime : uint8_t {
  kRetention,  // the cell spec's read_time_s (what core::store_and_read uses)
  kSimulated,  // simulated time since the cell was programmed
};

struct PcmArrayConfig {
  PcmArrayGeometry geometry;
  // Columns of one row programmed or read at the same time (one pulse or read step each).
  uint32_t parallel_columns = 64;
  DriftTime drift = DriftTime::kRetention;
  std::shared_ptr<const PcmArrayCost> cost = default_pcm_array_cost();
};

struct PcmArrayCounters {
  uint64_t programmed = 0;  // cells programmed
  uint64_t pulses = 0;      // programming pulses spent
  uint64_t verify_reads = 0;
  uint64_t reads = 0;  // cells read
  uint64_t program_ops = 0, read_ops = 0;
  double program_energy_pj = 0.0;  // pulses and verify reads
  double read_energy_pj = 0.0;
  double busy_ns = 0.0;  // sum of operation latencies
  double energy_pj() const { return program_energy_pj + read_energy_pj; }
};

enum class PcmArrayStatus : uint8_t {
  kOk,
  kOutOfRange,    // a cell beyond the array
  kBadDac,        // a DAC code the channel does not have
  kUnprogrammed,  // a read of a cell never programmed
};

const char* to_string(PcmArrayStatus s);

class PcmArrayStorage {
 public:
  // `cell` and `noise` must outlive the storage.
  PcmArrayStorage(const core::Cell& cell, const core::RandomStream& noise, PcmArrayConfig cfg);

  const PcmArrayConfig& config() const { return cfg_; }
  const core::Cell& cell() const { return *cell_; }
  uint64_t cells() const { return cfg_.geometry.cells(); }
  CellAddress address(uint64_t linear) const;
  bool in_range(uint64_t first, uint64_t count) const {
    return first <= cells() && count <= cells() - first;
  }
  // The parallel-group rule, for the array and its initiators alike: a row's columns in groups
  // of parallel_columns, programmed or read in one step. group_index numbers the groups in cell
  // order; group_end(c) is the first cell after c's group.
  uint64_t group_index(uint64_t c) const {
    const uint64_t cols = cfg_.geometry.columns, par = cfg_.parallel_columns;
    return (c / cols) * ((cols + par - 1) / par) + (c % cols) / par;
  }
  uint64_t group_end(uint64_t c) const {
    const uint64_t cols = cfg_.geometry.columns, par = cfg_.parallel_columns;
    const uint64_t col = c % cols;
    return c - col + std::min(cols, (col / par + 1) * par);
  }

  // Programs cells [first, first + dac.size()) at simulated time now_s. On success adds the
  // operation's latency to *latency_ns and updates the counters; on error changes nothing.
  PcmArrayStatus program(uint64_t first, std::span<const uint16_t> dac, double now_s,
                         double* latency_ns);
  // Reads cells [first, first + adc.size()) into ADC codes (read number n of each cell is its
  // n-th read, the first being 0 as in core::store_and_read).
  PcmArrayStatus read(uint64_t first, std::span<uint16_t> adc, double now_s, double* latency_ns);
  // What read() would return, without side effects on the cells or the counters.
  PcmArrayStatus peek(uint64_t first, std::span<uint16_t> adc, double now_s) const;

  // Stored state of one cell, nullptr when never programmed or out of range.
  const core::CellState* state(uint64_t linear) const;
  const PcmArrayCounters& counters() const { return counters_; }

 private:
  struct Slot {
    core::CellState state;
    double programmed_at_s = 0.0;
    uint32_t reads = 0;
    bool programmed = false;
  };
  static constexpr uint32_t kPageBits = 16;
  static constexpr uint64_t kPageCells = uint64_t{1} << kPageBits;

  Slot* slot(uint64_t c);
  const Slot* slot(uint64_t c) const;
  double elapsed_s(const Slot& s, double now_s) const;
  uint32_t read_code(const Slot& s, uint64_t c, double now_s) const;
  // Parallel steps for `count` cells starting at `first` (groups of parallel_columns within a
  // row; a burst crossing a row boundary starts a new group).
  uint64_t groups(uint64_t first, uint64_t count) const;

  const core::Cell* cell_;
  const core::RandomStream* noise_;
  PcmArrayConfig cfg_;
  uint32_t dac_codes_;
  // A page of kPageCells slots in transparent huge pages where the kernel offers them: 4 KiB
  // pages made the first touch of the cell states a quarter of a co-simulation's time.
  struct PageFree {
    void operator()(Slot* p) const;
  };
  using Page = std::unique_ptr<Slot[], PageFree>;
  static Page new_page();
  std::vector<Page> pages_;
  PcmArrayCounters counters_;
};

}  // namespace anvil::cosim
