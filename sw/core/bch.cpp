#include "core/bch.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace anvil::core {

namespace {
// Primitive polynomials (bit i = coefficient of x^i), Lin & Costello, Table 2.7.
constexpr uint32_t kPrimitive[17] = {0,      0,      0,      0xB,    0x13,   0x25,
                                     0x43,   0x89,   0x11D,  0x211,  0x409,  0x805,
                                     0x1053, 0x201B, 0x4443, 0x8003, 0x1100B};
}  // namespace

Bch::Bch(uint32_t m, uint32_t t) : m_(m), t_(t) {
  require(m >= 3 && m <= 16, "bch", "m", "must be in [3, 16]");
  n_ = (1u << m) - 1;
  require(t >= 1 && 2ull * t + 1 <= n_, "bch", "t", "must be >= 1 with 2t + 1 <= n");
  exp_.assign(2 * n_, 0);
  log_.assign(n_ + 1, 0);
  uint32_t x = 1;
  for (uint32_t i = 0; i < n_; ++i) {
    require(i == 0 || x != 1, "bch", "m", "internal: polynomial not primitive");
    exp_[i] = exp_[i + n_] = x;
    log_[x] = i;
    x <<= 1;
    if (x & (1u << m)) x ^= kPrimitive[m];
  }
  // g(x) = product of the minimal polynomials of the cyclotomic cosets of 1 .. 2t.
  std::vector<uint8_t> in(n_, 0);
  std::vector<uint8_t> g{1};
  for (uint32_t i = 1; i <= 2 * t; ++i) {
    if (in[i]) continue;
    std::vector<uint32_t> mp{1};  // minimal polynomial over GF(2^m), coefficients in GF(2)
    uint32_t j = i;
    do {
      in[j] = 1;
      // mp *= (x + alpha^j)
      std::vector<uint32_t> next(mp.size() + 1, 0);
      for (size_t c = 0; c < mp.size(); ++c) {
        next[c + 1] ^= mp[c];
        next[c] ^= mul(mp[c], exp_[j]);
      }
      mp = std::move(next);
      j = static_cast<uint32_t>((2ull * j) % n_);
    } while (j != i);
    std::vector<uint8_t> prod(g.size() + mp.size() - 1, 0);
    for (size_t a = 0; a < g.size(); ++a)
      for (size_t b = 0; b < mp.size(); ++b) prod[a + b] ^= g[a] & static_cast<uint8_t>(mp[b]);
    g = std::move(prod);
  }
  g_ = std::move(g);
  k_ = n_ - static_cast<uint32_t>(g_.size() - 1);
}

uint32_t Bch::mul(uint32_t a, uint32_t b) const {
  if (a == 0 || b == 0) return 0;
  return exp_[log_[a] + log_[b]];
}

std::vector<uint8_t> Bch::encode(std::span<const uint8_t> data) const {
  require(data.size() == k_, "bch", "data", "needs k = " + std::to_string(k_) + " bits");
  const uint32_t r = n_ - k_;
  std::vector<uint8_t> rem(r, 0);
  // Remainder of x^(n-k) d(x) mod g(x); data bit i is the coefficient of x^(n-k+i).
  for (uint32_t i = k_; i-- > 0;) {
    const uint8_t fb = (data[i] & 1) ^ rem[r - 1];
    for (uint32_t j = r - 1; j > 0; --j) rem[j] = rem[j - 1] ^ (fb & g_[j]);
    rem[0] = fb & g_[0];
  }
  std::vector<uint8_t> word(data.begin(), data.end());
  for (uint8_t& b : word) b &= 1;
  word.insert(word.end(), rem.begin(), rem.end());
  return word;
}

int Bch::decode(std::span<uint8_t> word) const {
  require(word.size() == n_, "bch", "word", "needs n = " + std::to_string(n_) + " bits");
  const uint32_t r = n_ - k_;
  auto exponent = [&](uint32_t w) { return w < k_ ? r + w : w - k_; };
  auto position = [&](uint32_t e) { return e >= r ? e - r : e + k_; };
  // Syndromes S_1 .. S_2t.
  std::vector<uint32_t> S(2 * t_ + 1, 0);
  bool clean = true;
  for (uint32_t j = 1; j <= 2 * t_; ++j) {
    uint32_t s = 0;
    for (uint32_t w = 0; w < n_; ++w)
      if (word[w] & 1) s ^= exp_[(static_cast<uint64_t>(j) * exponent(w)) % n_];
    S[j] = s;
    clean = clean && s == 0;
  }
  if (clean) return 0;
  // Berlekamp-Massey: error locator Lambda(x).
  std::vector<uint32_t> C{1}, B{1};
  uint32_t L = 0, shift = 1, b = 1;
  for (uint32_t step = 0; step < 2 * t_; ++step) {
    uint32_t d = S[step + 1];
    for (uint32_t i = 1; i <= L && i < C.size(); ++i) d ^= mul(C[i], S[step + 1 - i]);
    if (d == 0) {
      ++shift;
      continue;
    }
    const uint32_t coef = mul(d, exp_[(n_ - log_[b]) % n_]);  // d / b
    std::vector<uint32_t> T = C;
    if (C.size() < B.size() + shift) C.resize(B.size() + shift, 0);
    for (size_t i = 0; i < B.size(); ++i) C[i + shift] ^= mul(coef, B[i]);
    if (2 * L <= step) {
      L = step + 1 - L;
      B = std::move(T);
      b = d;
      shift = 1;
    } else {
      ++shift;
    }
  }
  while (C.size() > 1 && C.back() == 0) C.pop_back();
  if (L > t_ || C.size() - 1 != L) return -1;
  // Chien search: error at exponent e iff Lambda(alpha^-e) = 0.
  std::vector<uint32_t> errors;
  for (uint32_t e = 0; e < n_; ++e) {
    uint32_t v = 0;
    const uint32_t inv = (n_ - e) % n_;
    for (size_t i = 0; i < C.size(); ++i)
      v ^= mul(C[i], exp_[(static_cast<uint64_t>(inv) * i) % n_]);
    if (v == 0) errors.push_back(e);
  }
  if (errors.size() != L) return -1;
  for (uint32_t e : errors) word[position(e)] ^= 1;
  return static_cast<int>(L);
}

}  // namespace anvil::core
