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

struct ShapeKey {
  CodecShape s;
  bool operator<(const ShapeKey& o) const {
    return std::tie(s.levels, s.split, s.replicas, s.sign_cell, s.sign_replicas, s.combine) <
           std::tie(o.s.levels, o.s.split, o.s.replicas, o.s.sign_cell, o.s.sign_replicas,
                    o.s.combine);
  }
};

}  // namespace

Allocation allocate(std::span<const TensorView> tensors, const SchemeSpec& scheme, const Cell& cell,
                    const AllocateOptions& opt) {
  Allocation a;
  a.scheme = scheme;
  a.first_cell = opt.base_cell;
  for (const TensorView& t : tensors) {
    check_finite(t.data, t.name);
    require(t.channels >= 1, t.name, "channels", "must be >= 1");
    require(t.data.size() <= 0xFFFFFFFFull, t.name, "size", "more than 2^32 weights");
    a.tensors.push_back({t.name, t.data.size(), t.channels});
  }
  a.importance_groups.assign(tensors.size(), 0);

  if (scheme.is_digital) {
    const DigitalSpec& d = scheme.digital;
    a.rates = digital_error_rates(cell);
    for (uint32_t ti = 0; ti < tensors.size(); ++ti) {
      const TensorView& t = tensors[ti];
      Segment seg;
      seg.tensor = ti;
      seg.count = t.data.size();
      if (d.fp32) {
        seg.values.assign(t.data.begin(), t.data.end());
      } else {
        const int32_t hi = (1 << (d.bits - 1)) - 1, lo = -(1 << (d.bits - 1));
        seg.quant = fit_quantizer(t.data, t.channels, lo, hi, scheme.mapping, t.name);
        seg.codes.resize(seg.count);
        quantize(seg.quant, t.data, {}, seg.codes);
      }
      a.segments.push_back(std::move(seg));
    }
    a.end_cell = a.first_cell;
    return a;
  }

  // Codec tables, once per geometry.
  std::map<ShapeKey, CodecParams> codecs;
  auto codec_for = [&](const CodecShape& s) -> const CodecParams& {
    auto it = codecs.find({s});
    if (it != codecs.end()) return it->second;
    const std::vector<uint32_t> dacs = scheme_level_dacs(scheme, cell, s.levels);
    return codecs.emplace(ShapeKey{s}, build_codec(cell, s, dacs, scheme.tables)).first->second;
  };

  uint64_t next = opt.base_cell;
  for (uint32_t ti = 0; ti < tensors.size(); ++ti) {
    const TensorView& t = tensors[ti];
    std::vector<uint8_t> mask;
    if (scheme.importance.enabled)
      mask = importance_mask(t, scheme.importance, &a.importance_groups[ti]);
    for (uint32_t k = 0; k < (scheme.importance.enabled ? 2u : 1u); ++k) {
      Segment seg;
      seg.tensor = ti;
      seg.klass = k;
      if (scheme.importance.enabled) {
        for (uint32_t i = 0; i < t.data.size(); ++i)
          if (mask[i] == k) seg.index.push_back(i);
        seg.count = seg.index.size();
        // A class holding the whole tensor needs no index list.
        if (seg.count == t.data.size()) seg.index.clear();
      } else {
        seg.count = t.data.size();
      }
      if (seg.count == 0) continue;
      seg.params = codec_for(k == 0 ? scheme.shape : scheme.importance.protect);
      seg.quant = fit_quantizer(t.data, t.channels, code_min(seg.params), code_max(seg.params),
                                scheme.mapping, t.name, seg.index);
      seg.codes.resize(seg.count);
      quantize(seg.quant, t.data, seg.index, seg.codes);
      seg.base_cell = next;
      next += seg.weight_cells();
      if (scheme.tables.decode == DecodeMode::kRef) {
        seg.ref_base = next;
        seg.ref_cells = uint64_t{scheme.ref_per_level} * seg.params.levels;
        next += seg.ref_cells;
      }
      a.segments.push_back(std::move(seg));
    }
  }
  a.end_cell = next;
  return a;
}

std::vector<uint32_t> reference_dacs(const Allocation& a, const Segment& seg) {
  if (a.scheme.tables.decode != DecodeMode::kRef) return {};
  std::vector<uint32_t> dacs(seg.ref_cells);
  for (uint64_t j = 0; j < seg.ref_cells; ++j)
    dacs[j] = seg.params.level_dac[j % seg.params.levels];
  return dacs;
}

CodecParams params_from_references(const Allocation& a, const Segment& seg, const Cell& cell,
                                   std::span<const uint32_t> reference_adc) {
  const std::vector<uint32_t> dacs = reference_dacs(a, seg);
  if (dacs.empty()) return seg.params;
  require(reference_adc.size() == dacs.size(), "segment", "reference_adc",
          "needs one ADC code per reference cell (" + std::to_string(dacs.size()) + ")");
  const Channel& ch = cell.channel();
  const double t_nom = nominal_time(cell, a.scheme.tables);
  std::vector<double> nominal, observed;
  for (size_t j = 0; j < dacs.size(); ++j) {
    nominal.push_back(ch.stats(dacs[j], t_nom).mean);
    observed.push_back(cell.dequantize(reference_adc[j]));
  }
  const CodecShape shape{seg.params.levels,    seg.params.split,         seg.params.replicas,
                         seg.params.sign_cell, seg.params.sign_replicas, seg.params.combine};
  return build_codec(cell, shape, seg.params.level_dac, a.scheme.tables,
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

Reconstruction reconstruct(const Allocation& a, const Cell& cell, const RandomStream& noise,
                           int threads) {
  Reconstruction r;
  for (const TensorShape& t : a.tensors) r.tensors.emplace_back(t.size, 0.0f);
  std::vector<int32_t> decoded;
  for (const Segment& seg : a.segments) {
    std::vector<float>& out = r.tensors[seg.tensor];
    if (a.scheme.is_digital) {
      if (a.scheme.digital.fp32) {
        std::copy(seg.values.begin(), seg.values.end(), out.begin());
      } else {
        dequantize(seg.quant, seg.codes, seg.index, out);
      }
      continue;
    }
    const CodecParams p = segment_params(a, seg, cell, noise, &r.stats);
    decoded.assign(seg.count, 0);
    r.stats += store_and_read(cell, p, seg.codes, seg.base_cell, noise, decoded, threads);
    dequantize(seg.quant, decoded, seg.index, out);
  }
  return r;
}

}  // namespace anvil::core
