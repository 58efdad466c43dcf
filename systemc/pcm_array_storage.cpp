#include "pcm_array_storage.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

#include "core/error.hpp"

namespace anvil::cosim {

const char* to_string(PcmArrayStatus s) {
  switch (s) {
    case PcmArrayStatus::kOk:
      return "ok";
    case PcmArrayStatus::kOutOfRange:
      return "cell index beyond the array";
    case PcmArrayStatus::kBadDac:
      return "DAC code the channel does not have";
    case PcmArrayStatus::kUnprogrammed:
      return "read of a cell never programmed";
  }
  return "?";
}

PcmArrayStorage::PcmArrayStorage(const core::Cell& cell, const core::RandomStream& noise,
                                 PcmArrayConfig cfg)
    : cell_(&cell), noise_(&noise), cfg_(std::move(cfg)), dac_codes_(cell.channel().dac_codes()) {
  const auto& g = cfg_.geometry;
  require(g.banks >= 1, "pcm_array", "geometry.banks", "must be >= 1");
  require(g.rows >= 1, "pcm_array", "geometry.rows", "must be >= 1");
  require(g.columns >= 1, "pcm_array", "geometry.columns", "must be >= 1");
  require(cfg_.parallel_columns >= 1 && cfg_.parallel_columns <= g.columns, "pcm_array",
          "parallel_columns", "must be in [1, geometry.columns]");
  require(cfg_.cost != nullptr, "pcm_array", "cost", "needs a timing/energy model");
  require(cell.spec().adc_bits <= 16, "pcm_array", "adc_bits",
          "must be <= 16 (one uint16 per cell)");
  require(dac_codes_ <= 65536, "pcm_array", "dac_codes", "must be <= 65536 (one uint16 per cell)");
  pages_.resize((cells() + kPageCells - 1) >> kPageBits);
}

CellAddress PcmArrayStorage::address(uint64_t linear) const {
  const auto& g = cfg_.geometry;
  const uint64_t per_bank = uint64_t{g.rows} * g.columns;
  return {static_cast<uint32_t>(linear / per_bank),
          static_cast<uint32_t>((linear / g.columns) % g.rows),
          static_cast<uint32_t>(linear % g.columns)};
}

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}  // namespace

PcmArrayStorage::Page PcmArrayStorage::new_page() {
  static_assert(std::is_trivially_destructible_v<Slot>);
  const size_t bytes = (kPageCells * sizeof(Slot) + kHugePage - 1) / kHugePage * kHugePage;
  void* mem = std::aligned_alloc(kHugePage, bytes);
  if (!mem) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  ::madvise(mem, bytes, MADV_HUGEPAGE);  // advice only: 4 KiB pages work the same
#endif
  Slot* slots = static_cast<Slot*>(mem);
  std::uninitialized_value_construct_n(slots, kPageCells);
  return Page(slots);
}

void PcmArrayStorage::PageFree::operator()(Slot* p) const {
  std::free(p);
}

PcmArrayStorage::Slot* PcmArrayStorage::slot(uint64_t c) {
  auto& page = pages_[c >> kPageBits];
  if (!page) page = new_page();
  return &page[c & (kPageCells - 1)];
}

const PcmArrayStorage::Slot* PcmArrayStorage::slot(uint64_t c) const {
  const auto& page = pages_[c >> kPageBits];
  return page ? &page[c & (kPageCells - 1)] : nullptr;
}

const core::CellState* PcmArrayStorage::state(uint64_t linear) const {
  if (linear >= cells()) return nullptr;
  const Slot* s = slot(linear);
  return s && s->programmed ? &s->state : nullptr;
}

uint64_t PcmArrayStorage::groups(uint64_t first, uint64_t count) const {
  if (count == 0) return 0;
  return group_index(first + count - 1) - group_index(first) + 1;
}

double PcmArrayStorage::elapsed_s(const Slot& s, double now_s) const {
  if (cfg_.drift == DriftTime::kRetention) return cell_->spec().read_time_s;
  return std::max(now_s - s.programmed_at_s, 0.0);
}

uint32_t PcmArrayStorage::read_code(const Slot& s, uint64_t c, double now_s) const {
  const core::CellNoise n(*noise_, c);
  return cell_->quantize(cell_->read_value(s.state, elapsed_s(s, now_s), n, s.reads));
}

PcmArrayStatus PcmArrayStorage::program(uint64_t first, std::span<const uint16_t> dac, double now_s,
                                        double* latency_ns) {
  if (!in_range(first, dac.size())) return PcmArrayStatus::kOutOfRange;
  for (uint16_t d : dac)
    if (d >= dac_codes_) return PcmArrayStatus::kBadDac;
  const bool verify = cell_->spec().verify.enabled;
  // Cells of one parallel group take as long as the cell needing the most pulses.
  uint64_t pulse_steps = 0, pulses = 0;
  uint32_t group_max = 0;
  uint64_t next_group = first;  // a new group starts at the first cell
  for (size_t i = 0; i < dac.size(); ++i) {
    const uint64_t c = first + i;
    if (c >= next_group) {
      pulse_steps += group_max;
      group_max = 0;
      next_group = group_end(c);
    }
    Slot& s = *slot(c);
    s.state = cell_->program(dac[i], core::CellNoise(*noise_, c));
    s.programmed_at_s = now_s;
    s.reads = 0;
    s.programmed = true;
    pulses += s.state.pulses;
    group_max = std::max(group_max, s.state.pulses);
  }
  pulse_steps += group_max;
  const PcmArrayCost& cost = *cfg_.cost;
  const double step_ns = cost.pulse_time_ns() + (verify ? cost.read_time_ns() : 0.0);
  const double t = static_cast<double>(pulse_steps) * step_ns;
  counters_.programmed += dac.size();
  counters_.pulses += pulses;
  counters_.program_ops += 1;
  if (verify) counters_.verify_reads += pulses;
  counters_.program_energy_pj += static_cast<double>(pulses) *
                                 (cost.pulse_energy_pj() + (verify ? cost.read_energy_pj() : 0.0));
  counters_.busy_ns += t;
  if (latency_ns) *latency_ns += t;
  return PcmArrayStatus::kOk;
}

PcmArrayStatus PcmArrayStorage::peek(uint64_t first, std::span<uint16_t> adc, double now_s) const {
  if (!in_range(first, adc.size())) return PcmArrayStatus::kOutOfRange;
  for (size_t i = 0; i < adc.size(); ++i) {
    const Slot* s = slot(first + i);
    if (!s || !s->programmed) return PcmArrayStatus::kUnprogrammed;
  }
  for (size_t i = 0; i < adc.size(); ++i)
    adc[i] = static_cast<uint16_t>(read_code(*slot(first + i), first + i, now_s));
  return PcmArrayStatus::kOk;
}

PcmArrayStatus PcmArrayStorage::read(uint64_t first, std::span<uint16_t> adc, double now_s,
                                     double* latency_ns) {
  const PcmArrayStatus st = peek(first, adc, now_s);
  if (st != PcmArrayStatus::kOk) return st;
  for (size_t i = 0; i < adc.size(); ++i) ++slot(first + i)->reads;
  const PcmArrayCost& cost = *cfg_.cost;
  const double t = static_cast<double>(groups(first, adc.size())) * cost.read_time_ns();
  counters_.reads += adc.size();
  counters_.read_ops += 1;
  counters_.read_energy_pj += static_cast<double>(adc.size()) * cost.read_energy_pj();
  counters_.busy_ns += t;
  if (latency_ns) *latency_ns += t;
  return PcmArrayStatus::kOk;
}

}  // namespace anvil::cosim
