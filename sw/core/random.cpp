#include "core/random.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <string>

namespace anvil::core {

namespace {
constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

double to_open_unit(uint32_t hi, uint32_t lo) {
  // 53 random bits, shifted by half an ulp so 0 and 1 are never returned.
  uint64_t v = (static_cast<uint64_t>(hi) << 21) ^ (lo >> 11);
  v &= (1ull << 53) - 1;
  return (static_cast<double>(v) + 0.5) * 0x1.0p-53;
}
}  // namespace

std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = static_cast<uint64_t>(kMul0) * c[0];
    uint64_t p1 = static_cast<uint64_t>(kMul1) * c[2];
    uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += kWeyl0;
    k[1] += kWeyl1;
  }
  return c;
}

RandomStream::RandomStream(uint64_t seed, uint64_t stream) : seed_(seed), stream_(stream) {
  uint64_t k = splitmix64(seed ^ splitmix64(stream + 0x5851F42D4C957F2Dull));
  key_ = {static_cast<uint32_t>(k), static_cast<uint32_t>(k >> 32)};
}

std::array<uint32_t, 4> RandomStream::bits(uint64_t index, Draw purpose, uint32_t n) const {
  return philox4x32({static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32),
                     static_cast<uint32_t>(purpose), n},
                    key_);
}

double RandomStream::uniform(uint64_t index, Draw purpose, uint32_t n) const {
  auto b = bits(index, purpose, n);
  return to_open_unit(b[0], b[1]);
}

double RandomStream::normal(uint64_t index, Draw purpose, uint32_t n) const {
  auto b = bits(index, purpose, n);
  double u1 = to_open_unit(b[0], b[1]);
  double u2 = to_open_unit(b[2], b[3]);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

uint64_t RandomStream::below(uint64_t index, Draw purpose, uint32_t n, uint64_t bound) const {
  auto b = bits(index, purpose, n);
  uint64_t v = (static_cast<uint64_t>(b[0]) << 32) | b[1];
  // 64-bit multiply-shift: bias below 2^-32 for any bound used here.
  __extension__ typedef unsigned __int128 u128;  // GCC/Clang; -Wpedantic-clean
  return static_cast<uint64_t>((static_cast<u128>(v) * bound) >> 64);
}

RandomStream RandomStream::child(uint64_t sub) const {
  return RandomStream(seed_, splitmix64(stream_ * 0x2545F4914F6CDD1Dull + sub + 1));
}

uint64_t seed_from_env(const char* var, uint64_t fallback) {
  uint64_t seed = fallback;
  if (const char* s = std::getenv(var); s != nullptr && *s != '\0') {
    seed = std::stoull(s, nullptr, 0);
  }
  std::printf("%s=%llu\n", var, static_cast<unsigned long long>(seed));
  return seed;
}

}  // namespace anvil::core
