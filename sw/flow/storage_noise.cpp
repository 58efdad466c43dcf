#include "flow/storage_noise.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.hpp"
#include "core/quantizer.hpp"
#include "core/store.hpp"

namespace anvil::flow {

namespace {
constexpr auto kReadBack = static_cast<core::Draw>(static_cast<uint32_t>(core::Draw::kUser) + 9);
}

int32_t CodeChannel::sample(int32_t code, double u) const {
  const auto& row = cdf[static_cast<size_t>(std::clamp(code, code_min, code_max) - code_min)];
  const auto it = std::upper_bound(row.begin(), row.end(), static_cast<float>(u));
  const auto d = std::min<std::ptrdiff_t>(it - row.begin(), std::ssize(row) - 1);
  return code_min + static_cast<int32_t>(d);
}

CodeChannel measure_code_channel(const core::CodecParams& p, const core::Cell& cell, uint32_t draws,
                                 uint64_t seed) {
  require(draws >= 1, "storage_noise", "draws", "must be >= 1");
  CodeChannel ch;
  ch.code_min = core::code_min(p);
  ch.code_max = core::code_max(p);
  const auto n = static_cast<size_t>(ch.code_max - ch.code_min + 1);
  require(n <= 4096, "storage_noise", "codes", "a code channel of more than 4096 codes");
  std::vector<int32_t> codes(n * draws), decoded(n * draws);
  for (size_t i = 0; i < codes.size(); ++i)
    codes[i] = ch.code_min + static_cast<int32_t>(i / draws);
  const core::RandomStream noise(seed, 0xC0DEC4A7ull);
  core::store_and_read(cell, p, codes, 0, noise, decoded, 1);
  ch.cdf.assign(n, std::vector<float>(n, 0.0f));
  for (size_t w = 0; w < n; ++w) {
    std::vector<double> hist(n, 0.0);
    double err = 0, se = 0;
    for (size_t k = 0; k < draws; ++k) {
      const int32_t d = decoded[w * draws + k];
      hist[static_cast<size_t>(d - ch.code_min)] += 1.0;
      err += d != codes[w * draws];
      se += std::pow(double(d - codes[w * draws]), 2);
    }
    double acc = 0;
    for (size_t d = 0; d < n; ++d) {
      acc += hist[d] / draws;
      ch.cdf[w][d] = static_cast<float>(acc);
    }
    ch.cdf[w][n - 1] = 1.0f;
    ch.error_rate += err / draws / static_cast<double>(n);
    ch.mse += se / draws / static_cast<double>(n);
  }
  return ch;
}

StorageNoise::StorageNoise(const core::SchemeSpec& design,
                           std::span<const core::TensorView> tensors, const core::Cell& cell,
                           uint32_t draws) {
  require(!design.is_digital, design.name, "digital", "storage noise is for analog schemes");
  const core::Allocation a = core::allocate(tensors, design, cell);
  std::vector<int> entry_of(tensors.size(), -1);
  for (const core::Segment& seg : a.segments) {
    const core::SchemeSpec& sp = a.spec(seg);
    require(!sp.importance.enabled, design.name, "importance",
            "storage noise models one class per tensor");
    if (entry_of[seg.tensor] >= 0) continue;
    Entry e{tensors[seg.tensor].name,   tensors[seg.tensor].channels, sp,
            core::code_min(seg.params), core::code_max(seg.params),   channels_.size()};
    // Segments of equal geometry share tables: measure the channel once.
    bool found = false;
    for (size_t j = 0; j < entries_.size() && !found; ++j) {
      const auto& o = entries_[j];
      if (o.spec.shape == sp.shape && o.spec.levels_from == sp.levels_from &&
          o.spec.tables.decode == sp.tables.decode) {
        e.channel = o.channel;
        found = true;
      }
    }
    if (!found) channels_.push_back(measure_code_channel(seg.params, cell, draws));
    entry_of[seg.tensor] = static_cast<int>(entries_.size());
    entries_.push_back(std::move(e));
  }
  // Tensors that store nothing (all zero) still get an entry so indices match the input.
  std::vector<Entry> ordered;
  for (size_t t = 0; t < tensors.size(); ++t) {
    require(entry_of[t] >= 0, tensors[t].name, "weights", "a stored tensor with no nonzero weight");
    ordered.push_back(entries_[static_cast<size_t>(entry_of[t])]);
  }
  entries_ = std::move(ordered);
}

void StorageNoise::roundtrip(size_t t, std::span<float> w, const core::RandomStream* noise) const {
  const Entry& e = entries_.at(t);
  std::vector<uint32_t> index;
  if (e.spec.sparse.enabled())
    for (uint32_t i = 0; i < w.size(); ++i)
      if (w[i] != 0.0f) index.push_back(i);
  if (e.spec.sparse.enabled() && index.size() == w.size()) index.clear();
  if (e.spec.sparse.enabled() && index.empty() &&
      std::all_of(w.begin(), w.end(), [](float v) { return v == 0.0f; }))
    return;
  const core::QuantMeta q =
      core::fit_quantizer(w, e.channels, e.code_min, e.code_max, e.spec.mapping, e.name, index);
  const size_t n = index.empty() ? w.size() : index.size();
  std::vector<int32_t> codes(n);
  core::quantize(q, w, index, codes);
  if (noise) {
    const CodeChannel& ch = channels_[e.channel];
    for (size_t i = 0; i < n; ++i) codes[i] = ch.sample(codes[i], noise->uniform(i, kReadBack, 0));
  }
  core::dequantize(q, codes, index, w);
}

void StorageNoise::apply(size_t t, std::span<float> w, const core::RandomStream& noise) const {
  const core::RandomStream own = noise.child(t);  // tensors draw independently
  roundtrip(t, w, &own);
}

void StorageNoise::quantize_only(size_t t, std::span<float> w) const {
  roundtrip(t, w, nullptr);
}

}  // namespace anvil::flow
