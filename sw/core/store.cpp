#include "core/store.hpp"

#include <algorithm>
#include <thread>
#include <vector>

namespace anvil::core {

namespace {
StoreStats store_range(const Cell& cell, const CodecParams& p, std::span<const int32_t> codes,
                       uint64_t base_cell, const RandomStream& noise, std::span<int32_t> decoded,
                       size_t begin, size_t end) {
  const uint32_t cpw = cells_per_weight(p);
  std::vector<uint32_t> dac(cpw), adc(cpw);
  StoreStats st;
  for (size_t i = begin; i < end; ++i) {
    encode(p, codes[i], dac);
    const uint64_t first = base_cell + i * cpw;
    for (uint32_t c = 0; c < cpw; ++c) {
      const CellNoise n(noise, first + c);
      const CellState s = cell.program(dac[c], n);
      st.pulses += s.pulses;
      st.stuck += s.stuck != 0;
      adc[c] = cell.read(s, n);
    }
    decoded[i] = decode(p, adc);
  }
  st.cells = (end - begin) * cpw;
  return st;
}
}  // namespace

StoreStats store_and_read(const Cell& cell, const CodecParams& p, std::span<const int32_t> codes,
                          uint64_t base_cell, const RandomStream& noise, std::span<int32_t> decoded,
                          int threads) {
  const size_t n = codes.size();
  threads = std::max(1, std::min<int>(threads, static_cast<int>(n / 4096) + 1));
  if (threads == 1) return store_range(cell, p, codes, base_cell, noise, decoded, 0, n);
  std::vector<StoreStats> part(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    const size_t b = n * t / threads, e = n * (t + 1) / threads;
    pool.emplace_back(
        [&, t, b, e] { part[t] = store_range(cell, p, codes, base_cell, noise, decoded, b, e); });
  }
  for (auto& th : pool) th.join();
  StoreStats total;
  for (const auto& s : part) total += s;
  return total;
}

}  // namespace anvil::core
