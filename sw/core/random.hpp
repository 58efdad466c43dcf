// Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11). A draw is a pure
// function of (seed, stream, index, draw): no state, so results do not depend on thread
// count or on the order in which cells are visited. The functional model and the SystemC
// array both key a cell's noise by its linear cell index, which is what makes them agree
// bit for bit.
#pragma once

#include <array>
#include <cstdint>

namespace anvil::core {

// What a draw is for; keeps the draws of one cell independent of each other.
enum class Draw : uint32_t {
  kProgram = 1,  // programming noise, one per pulse
  kVerify = 2,   // read noise of the verify read after a pulse
  kDrift = 3,    // drift exponent (per cell)
  kRead = 4,     // read noise, one per read
  kStuck = 5,    // stuck-at fault decision (per cell)
  kSample = 6,   // pick of an empirical sample (measured channel)
  kUser = 16,    // first id free for other uses (training, shuffling, tests)
};

std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> ctr, std::array<uint32_t, 2> key);

class RandomStream {
 public:
  RandomStream(uint64_t seed, uint64_t stream);

  uint64_t seed() const { return seed_; }
  uint64_t stream() const { return stream_; }

  // 128 random bits for (index, purpose, n).
  std::array<uint32_t, 4> bits(uint64_t index, Draw purpose, uint32_t n = 0) const;
  // Uniform in the open interval (0, 1), 53-bit resolution.
  double uniform(uint64_t index, Draw purpose, uint32_t n = 0) const;
  // Standard normal (Box-Muller on one Philox block).
  double normal(uint64_t index, Draw purpose, uint32_t n = 0) const;
  // Uniform integer in [0, bound).
  uint64_t below(uint64_t index, Draw purpose, uint32_t n, uint64_t bound) const;

  // An independent stream derived from this one (e.g. one per Monte Carlo trial).
  RandomStream child(uint64_t sub) const;

 private:
  uint64_t seed_, stream_;
  std::array<uint32_t, 2> key_;
};

// The random numbers of one cell: a RandomStream bound to a linear cell index.
class CellNoise {
 public:
  CellNoise(const RandomStream& stream, uint64_t cell) : stream_(&stream), cell_(cell) {}
  double normal(Draw purpose, uint32_t n = 0) const { return stream_->normal(cell_, purpose, n); }
  double uniform(Draw purpose, uint32_t n = 0) const { return stream_->uniform(cell_, purpose, n); }
  uint64_t below(Draw purpose, uint32_t n, uint64_t bound) const {
    return stream_->below(cell_, purpose, n, bound);
  }
  uint64_t cell() const { return cell_; }

 private:
  const RandomStream* stream_;
  uint64_t cell_;
};

// Seed for randomized tests: the environment variable `var` if set, else `fallback`.
// Prints the seed used, so a failing run can be repeated.
uint64_t seed_from_env(const char* var, uint64_t fallback);

}  // namespace anvil::core
