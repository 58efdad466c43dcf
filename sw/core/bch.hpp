// Binary primitive narrow-sense BCH codes of length n = 2^m - 1 (BRIEF 4, the ECC of the
// digital baselines): systematic encoder (generator polynomial = LCM of the minimal
// polynomials of alpha^1 .. alpha^2t) and bounded-distance decoder (syndromes,
// Berlekamp-Massey, Chien search). Footprint accounting chooses t analytically
// (core/footprint); this codec is the executable check of that choice: the tests compare its
// Monte Carlo word failure rate against footprint's word_failure().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace anvil::core {

class Bch {
 public:
  // m in [3, 16]; t >= 1 with 2t + 1 <= n. Primitive polynomials are the usual defaults
  // (m = 10: x^10 + x^3 + 1).
  Bch(uint32_t m, uint32_t t);

  uint32_t n() const { return n_; }
  uint32_t k() const { return k_; }
  uint32_t t() const { return t_; }
  // Generator polynomial coefficients, g[0] = constant term, degree n - k.
  const std::vector<uint8_t>& generator() const { return g_; }

  // k data bits (0/1) -> n code bits: data first (systematic), then n - k parity bits.
  std::vector<uint8_t> encode(std::span<const uint8_t> data) const;
  // Corrects up to t bit errors in place; returns the number corrected, or -1 when the word is
  // detected as uncorrectable (more than t errors may also be miscorrected, as in hardware).
  int decode(std::span<uint8_t> word) const;

 private:
  uint32_t mul(uint32_t a, uint32_t b) const;
  uint32_t m_, n_, k_, t_;
  std::vector<uint32_t> exp_, log_;  // GF(2^m) antilog / log tables
  std::vector<uint8_t> g_;
};

}  // namespace anvil::core
