// The storage channel as the network sees it: for one design (a scheme, per_tensor overrides
// resolved) on one cell, what a stored weight reads back as. Each weight's cells are drawn
// independently of every other weight's (core::store_and_read keys noise by cell index), so a
// codec's whole store/read error is its code channel P(decoded code | written code), which
// CodeChannel measures by storing calibration weights through the real golden path
// (core::store_and_read: programming, write-verify, drift, read noise, stuck-at cells, ADC,
// replica combining, decoding). Sampling from it is exact in distribution, and fast enough to
// run every training step: noise-aware fine-tuning and the optimizer's screening use it; the
// figures it reports are confirmed with core::reconstruct.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/allocation.hpp"
#include "core/cell.hpp"
#include "core/random.hpp"
#include "core/scheme.hpp"

namespace anvil::flow {

struct CodeChannel {
  int32_t code_min = 0, code_max = 0;
  // cdf[w][d]: P(decoded <= code_min + d | written code_min + w), cumulative over d.
  std::vector<std::vector<float>> cdf;
  double error_rate = 0;  // mean over written codes of P(decoded != written)
  double mse = 0;         // mean over written codes of E[(decoded - written)^2]

  int32_t sample(int32_t code, double u) const;
};

// `draws` calibration weights per code, stored at cells keyed from `seed` (independent of any
// storage trial).
CodeChannel measure_code_channel(const core::CodecParams& p, const core::Cell& cell,
                                 uint32_t draws = 2000, uint64_t seed = 0x5EED0C0Dull);

// Read-back sampler of one design for a fixed set of tensors (names and channels).
class StorageNoise {
 public:
  // Allocates `tensors` once to learn each tensor's codec; the channels are measured then.
  StorageNoise(const core::SchemeSpec& design, std::span<const core::TensorView> tensors,
               const core::Cell& cell, uint32_t draws = 2000);

  // Replaces w (tensor `t` of the constructor's list) by one read-back sample: the tensor's
  // quantizer refitted to w, codes through the code channel with uniforms from `noise` keyed
  // by weight index, dequantized. Zeros of a sparse tensor stay zero.
  void apply(size_t t, std::span<float> w, const core::RandomStream& noise) const;
  // The error-free half of apply: quantize and dequantize only.
  void quantize_only(size_t t, std::span<float> w) const;

  size_t tensors() const { return entries_.size(); }
  const std::string& name(size_t t) const { return entries_.at(t).name; }
  const CodeChannel& channel(size_t t) const { return channels_.at(entries_.at(t).channel); }

 private:
  struct Entry {
    std::string name;
    uint32_t channels = 1;
    core::SchemeSpec spec;
    int32_t code_min = 0, code_max = 0;
    size_t channel = 0;
  };
  void roundtrip(size_t t, std::span<float> w, const core::RandomStream* noise) const;

  std::vector<Entry> entries_;
  std::vector<CodeChannel> channels_;
};

}  // namespace anvil::flow
