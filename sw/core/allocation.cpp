#include "core/allocation.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>
#include <utility>

#include "core/error.hpp"
#include "core/level_select.hpp"

namespace anvil::core {

uint64_t Segment::weight_cells() const {
  return params.level_dac.empty() ? 0 : count * cells_per_weight(params);
}

std::vector<uint32_t> scheme_level_dacs(const SchemeSpec& s, const Cell& cell, uint32_t levels) {
  if (s.levels_from == LevelsFrom::kUniform) return uniform_level_dacs(cell.channel(), levels);
  require(
      levels <= cell.channel().dac_codes(), s.name, "levels",
      "must not exceed the channel's " + std::to_string(cell.channel().dac_codes()) + " DAC codes");
  const LevelObjective obj = s.levels_from == LevelsFrom::kSelectMi
                                 ? LevelObjective::kMutualInformation
                                 : LevelObjective::kMinSeparation;
  return select_levels(cell, levels, cell.spec().read_time_s, obj, s.tables.draws, s.tables.seed)
      .dacs;
}

namespace {

// Protected groups of one tensor, as a per-weight class mask (1 = protected).
std::vector<uint8_t> importance_mask(const TensorView& t, const ImportanceSpec& I,
                                     uint64_t* groups_out) {
  const uint64_t n = t.data.size(), G = I.group;
  const uint64_t groups = (n + G - 1) / G;
  *groups_out = groups;
  std::vector<double> score(groups, 0.0);
  if (I.metric == ImportanceMetric::kScore)
    require(t.score.size() == n, t.name, "score",
            "importance metric 'score' needs one score per weight (" + std::to_string(n) + ")");
  for (uint64_t g = 0; g < groups; ++g) {
    const uint64_t b = g * G, e = std::min(n, b + G);
    double acc = 0.0;
    for (uint64_t i = b; i < e; ++i) {
      switch (I.metric) {
        case ImportanceMetric::kMax:
          acc = std::max(acc, double(std::abs(t.data[i])));
          break;
        case ImportanceMetric::kMean:
          acc += std::abs(t.data[i]);
          break;
        case ImportanceMetric::kScore:
          acc += t.score[i];
          break;
      }
    }
    if (I.metric != ImportanceMetric::kMax) acc /= static_cast<double>(e - b);
    score[g] = acc;
  }
  const auto top =
      static_cast<uint64_t>(std::ceil(I.fraction * static_cast<double>(groups) - 1e-9));
  std::vector<uint64_t> order(groups);
  std::iota(order.begin(), order.end(), uint64_t{0});
  // Highest score first; ties by lower group index (deterministic).
  std::stable_sort(order.begin(), order.end(),
                   [&](uint64_t a, uint64_t b) { return score[a] > score[b]; });
  std::vector<uint8_t> mask(n, 0);
  for (uint64_t j = 0; j < std::min(top, groups); ++j) {
    const uint64_t b = order[j] * G, e = std::min(n, b + G);
    std::fill(mask.begin() + static_cast<std::ptrdiff_t>(b),
              mask.begin() + static_cast<std::ptrdiff_t>(e), uint8_t{1});
  }
  return mask;
}

// Codec tables depend on the geometry and on how levels and tables are chosen; per-tensor
// schemes may differ in any of these, so all of them key the cache.
using CodecKey = std::tuple<uint32_t, uint32_t, uint32_t, bool, uint32_t, int, int, int, uint32_t,
                            uint64_t, double>;
CodecKey codec_key(const SchemeSpec& sp, const CodecShape& s) {
  return {s.levels,
          s.split,
          s.replicas,
          s.sign_cell,
          s.sign_replicas,
          static_cast<int>(s.combine),
          static_cast<int>(sp.levels_from),
          static_cast<int>(sp.tables.decode),
          sp.tables.draws,
          sp.tables.seed,
          sp.tables.nominal_time_s};
}

// Tensor indices of the weights of class `k` (all classes when mask is empty) that are
// stored: with a sparse scheme, only the nonzeros. Empty result with *all = true: every one.
std::vector<uint32_t> class_index(const TensorView& t, const std::vector<uint8_t>& mask, uint32_t k,
                                  bool sparse, bool* all) {
  std::vector<uint32_t> idx;
  for (uint32_t i = 0; i < t.data.size(); ++i)
    if ((mask.empty() || mask[i] == k) && (!sparse || t.data[i] != 0.0f)) idx.push_back(i);
  *all = idx.size() == t.data.size();
  if (*all) idx.clear();
  return idx;
}

void allocate_digital(Allocation& a, std::span<const TensorView> tensors) {
  const SchemeSpec& scheme = a.scheme;
  const DigitalSpec& d = scheme.digital;
  for (uint32_t ti = 0; ti < tensors.size(); ++ti) {
    const TensorView& t = tensors[ti];
    Segment seg;
    seg.tensor = ti;
    bool all = true;
    seg.index = class_index(t, {}, 0, scheme.sparse.enabled(), &all);
    seg.count = all ? t.data.size() : seg.index.size();
    if (d.fp32) {
      for (uint64_t i = 0; i < seg.count; ++i)
        seg.values.push_back(t.data[seg.index.empty() ? i : seg.index[i]]);
    } else {
      const int32_t hi = (1 << (d.bits - 1)) - 1, lo = -(1 << (d.bits - 1));
      seg.quant = fit_quantizer(t.data, t.channels, lo, hi, scheme.mapping, t.name, seg.index);
      seg.codes.resize(seg.count);
      quantize(seg.quant, t.data, seg.index, seg.codes);
    }
    a.tensors[ti].stored = seg.count;
    if (seg.count) a.segments.push_back(std::move(seg));
  }
  a.end_cell = a.first_cell;
}

}  // namespace

Allocation allocate(std::span<const TensorView> tensors, const SchemeSpec& scheme, const Cell& cell,
                    const AllocateOptions& opt) {
  Allocation a;
  a.scheme = scheme;
  a.first_cell = opt.base_cell;
  for (const TensorScheme& o : scheme.per_tensor) {
    bool found = false;
    for (const TensorView& t : tensors) found = found || t.name == o.tensor;
    require(found, scheme.name, "per_tensor." + o.tensor, "the network stores no such tensor");
  }
  for (const TensorView& t : tensors) {
    check_finite(t.data, t.name);
    require(t.channels >= 1, t.name, "channels", "must be >= 1");
    require(t.data.size() <= 0xFFFFFFFFull, t.name, "size", "more than 2^32 weights");
    a.specs.push_back(scheme.for_tensor(t.name));
    a.tensors.push_back({t.name, t.data.size(), t.channels, t.data.size(),
                         sparse_index_bits(a.specs.back().sparse, t.data)});
  }
  a.importance_groups.assign(tensors.size(), 0);
  if (scheme.is_digital || scheme.metadata_cell == DigitalCell::kMlc2)
    a.rates = digital_error_rates(cell);
  if (scheme.is_digital) {
    allocate_digital(a, tensors);
    return a;
  }

  // Codec tables, once per geometry.
  std::map<CodecKey, CodecParams> codecs;
  auto codec_for = [&](const SchemeSpec& sp, const CodecShape& s) -> const CodecParams& {
    const CodecKey key = codec_key(sp, s);
    auto it = codecs.find(key);
    if (it != codecs.end()) return it->second;
    const std::vector<uint32_t> dacs = scheme_level_dacs(sp, cell, s.levels);
    return codecs.emplace(key, build_codec(cell, s, dacs, sp.tables)).first->second;
  };

  uint64_t next = opt.base_cell;
  for (uint32_t ti = 0; ti < tensors.size(); ++ti) {
    const TensorView& t = tensors[ti];
    const SchemeSpec& sp = a.specs[ti];
    std::vector<uint8_t> mask;
    if (sp.importance.enabled) mask = importance_mask(t, sp.importance, &a.importance_groups[ti]);
    a.tensors[ti].stored = 0;
    for (uint32_t k = 0; k < (sp.importance.enabled ? 2u : 1u); ++k) {
      Segment seg;
      seg.tensor = ti;
      seg.klass = k;
      bool all = false;
      // A class holding the whole tensor needs no index list.
      seg.index = class_index(t, mask, k, sp.sparse.enabled(), &all);
      seg.count = all ? t.data.size() : seg.index.size();
      a.tensors[ti].stored += seg.count;
      if (seg.count == 0) continue;
      seg.params = codec_for(sp, k == 0 ? sp.shape : sp.importance.protect);
      seg.quant = fit_quantizer(t.data, t.channels, code_min(seg.params), code_max(seg.params),
                                sp.mapping, t.name, seg.index);
      seg.codes.resize(seg.count);
      quantize(seg.quant, t.data, seg.index, seg.codes);
      seg.base_cell = next;
      next += seg.weight_cells();
      if (sp.tables.decode == DecodeMode::kRef) {
        seg.ref_base = next;
        seg.ref_cells = uint64_t{sp.ref_per_level} * seg.params.shape.levels;
        next += seg.ref_cells;
      }
      a.segments.push_back(std::move(seg));
    }
  }
  a.end_cell = next;
  return a;
}

std::vector<uint32_t> reference_dacs(const Allocation& a, const Segment& seg) {
  if (a.spec(seg).tables.decode != DecodeMode::kRef) return {};
  std::vector<uint32_t> dacs(seg.ref_cells);
  for (uint64_t j = 0; j < seg.ref_cells; ++j)
    dacs[j] = seg.params.level_dac[j % seg.params.shape.levels];
  return dacs;
}

CodecParams params_from_references(const Allocation& a, const Segment& seg, const Cell& cell,
                                   std::span<const uint32_t> reference_adc) {
  const std::vector<uint32_t> dacs = reference_dacs(a, seg);
  if (dacs.empty()) return seg.params;
  require(reference_adc.size() == dacs.size(), "segment", "reference_adc",
          "needs one ADC code per reference cell (" + std::to_string(dacs.size()) + ")");
  const Channel& ch = cell.channel();
  const SchemeSpec& sp = a.spec(seg);
  const double t_nom = nominal_time(cell, sp.tables);
  std::vector<double> nominal, observed;
  for (size_t j = 0; j < dacs.size(); ++j) {
    nominal.push_back(ch.stats(dacs[j], t_nom).mean);
    observed.push_back(cell.dequantize(reference_adc[j]));
  }
  return build_codec(cell, seg.params.shape, seg.params.level_dac, sp.tables,
                     fit_drift(nominal, observed));
}

CodecParams segment_params(const Allocation& a, const Segment& seg, const Cell& cell,
                           const RandomStream& noise, StoreStats* ref_stats) {
  const std::vector<uint32_t> dacs = reference_dacs(a, seg);
  if (dacs.empty()) return seg.params;
  std::vector<uint32_t> adc(dacs.size());
  StoreStats st;
  for (size_t j = 0; j < dacs.size(); ++j) {
    const CellNoise n(noise, seg.ref_base + j);
    const CellState s = cell.program(dacs[j], n);
    st.pulses += s.pulses;
    st.stuck += s.stuck != 0;
    adc[j] = cell.read(s, n);
  }
  st.cells = dacs.size();
  if (ref_stats) *ref_stats += st;
  return params_from_references(a, seg, cell, adc);
}

namespace {

// The tensors of per-segment codes `codes(i)` (fp32 digital baselines: the stored values).
template <class Codes>
std::vector<std::vector<float>> tensors_of(const Allocation& a, Codes codes) {
  std::vector<std::vector<float>> t;
  for (const TensorShape& s : a.tensors) t.emplace_back(s.size, 0.0f);
  for (size_t i = 0; i < a.segments.size(); ++i) {
    const Segment& seg = a.segments[i];
    std::vector<float>& out = t[seg.tensor];
    if (a.scheme.is_digital && a.scheme.digital.fp32) {
      for (uint64_t k = 0; k < seg.count; ++k)
        out[seg.index.empty() ? k : seg.index[k]] = seg.values[k];
    } else {
      dequantize(seg.quant, codes(i), seg.index, out);
    }
  }
  return t;
}

}  // namespace

std::vector<std::vector<float>> error_free(const Allocation& a) {
  return tensors_of(a, [&](size_t i) -> std::span<const int32_t> { return a.segments[i].codes; });
}

std::vector<std::vector<float>> dequantize(const Allocation& a,
                                           const std::vector<std::vector<int32_t>>& decoded) {
  require(decoded.size() == a.segments.size(), "dequantize", "decoded",
          "one vector of codes per segment is required");
  return tensors_of(a, [&](size_t i) -> std::span<const int32_t> { return decoded[i]; });
}

Readback read_back(const Allocation& a, const Cell& cell, const RandomStream& noise, int threads) {
  Readback r;
  for (const Segment& seg : a.segments) {
    if (a.scheme.is_digital) {
      r.decoded.push_back(seg.codes);
      continue;
    }
    const CodecParams p = segment_params(a, seg, cell, noise, &r.stats);
    r.decoded.emplace_back(seg.count, 0);
    r.stats += store_and_read(cell, p, seg.codes, seg.base_cell, noise, r.decoded.back(), threads);
  }
  return r;
}

Reconstruction reconstruct(const Allocation& a, const Cell& cell, const RandomStream& noise,
                           int threads) {
  Readback rb = read_back(a, cell, noise, threads);
  return {dequantize(a, rb.decoded), rb.stats};
}

}  // namespace anvil::core
