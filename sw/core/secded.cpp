#include "core/secded.hpp"

#include <bit>

namespace anvil::core {

namespace {
// Column (8-bit syndrome pattern) of data bit i.
constexpr std::array<uint8_t, 64> make_columns() {
  std::array<uint8_t, 64> col{};
  unsigned n = 0;
  for (unsigned a = 0; a < 8; ++a)
    for (unsigned b = a + 1; b < 8; ++b)
      for (unsigned c = b + 1; c < 8; ++c)
        col[n++] = static_cast<uint8_t>((1u << a) | (1u << b) | (1u << c));
  for (unsigned j = 0; j < 8; ++j) {
    unsigned m = 0;
    for (unsigned t = 0; t < 5; ++t) m |= 1u << ((j + t) % 8);
    col[n++] = static_cast<uint8_t>(m);
  }
  return col;
}

constexpr std::array<uint8_t, 64> kColumns = make_columns();

constexpr std::array<uint64_t, 8> make_masks() {
  std::array<uint64_t, 8> m{};
  for (unsigned i = 0; i < 64; ++i)
    for (unsigned j = 0; j < 8; ++j)
      if (kColumns[i] >> j & 1u) m[j] |= uint64_t{1} << i;
  return m;
}

constexpr std::array<uint64_t, 8> kMasks = make_masks();

uint8_t check_bits(uint64_t data) {
  uint8_t c = 0;
  for (unsigned j = 0; j < 8; ++j)
    c |= static_cast<uint8_t>((std::popcount(data & kMasks[j]) & 1) << j);
  return c;
}
}  // namespace

void Codeword72::flip(unsigned bit) {
  if (bit < 64)
    data ^= uint64_t{1} << bit;
  else
    check ^= static_cast<uint8_t>(1u << (bit - 64));
}

const std::array<uint64_t, 8>& secded_masks() {
  return kMasks;
}

Codeword72 secded_encode(uint64_t data) {
  return Codeword72{data, check_bits(data)};
}

SecdedResult secded_decode(const Codeword72& word) {
  SecdedResult r;
  r.data = word.data;
  r.syndrome = static_cast<uint8_t>(check_bits(word.data) ^ word.check);
  if (r.syndrome == 0) return r;
  if (std::popcount(r.syndrome) == 1) {  // a check bit flipped: data is intact
    r.corrected = true;
    return r;
  }
  for (unsigned i = 0; i < 64; ++i) {
    if (kColumns[i] == r.syndrome) {
      r.data ^= uint64_t{1} << i;
      r.corrected = true;
      return r;
    }
  }
  r.double_error = true;
  return r;
}

}  // namespace anvil::core
