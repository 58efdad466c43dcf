#include "core/footprint.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/allocation.hpp"
#include "core/codec_tables.hpp"
#include "core/error.hpp"
#include "core/level_select.hpp"

namespace anvil::core {

uint64_t secded_cells(uint64_t bits) {
  return (bits + 63) / 64 * 72;
}

uint64_t ecc_cells(uint64_t bits, const EccCode& code, uint32_t bits_per_cell) {
  const uint64_t words = (bits + code.k - 1) / code.k;
  const uint64_t stored = words * code.n;
  return (stored + bits_per_cell - 1) / bits_per_cell;
}

EccCode secded_72_64() {
  return {"SECDED(72,64)", 72, 64, 1};
}

uint32_t bch_dimension(uint32_t m, uint32_t t) {
  require(m >= 3 && m <= 16, "ecc", "bch.m", "must be in [3, 16]");
  const uint32_t n = (1u << m) - 1;
  if (2ull * t + 1 > n) return 0;  // the design distance 2t + 1 cannot exceed n
  std::vector<uint8_t> in(n, 0);
  uint32_t parity = 0;
  for (uint32_t i = 1; i <= 2 * t; ++i) {
    if (in[i]) continue;
    uint32_t j = i;
    do {  // the cyclotomic coset of i: i * 2^s mod n
      in[j] = 1;
      ++parity;
      j = static_cast<uint32_t>((2ull * j) % n);
    } while (j != i);
  }
  return parity >= n ? 0 : n - parity;
}

EccCode bch_code(uint32_t m, uint32_t t) {
  const uint32_t n = (1u << m) - 1, k = bch_dimension(m, t);
  return {"BCH(" + std::to_string(n) + "," + std::to_string(k) + ",t=" + std::to_string(t) + ")", n,
          k, t};
}

double word_failure(uint32_t n, uint32_t t, double p) {
  if (!(p > 0.0) || t >= n) return 0.0;
  if (p >= 1.0) return 1.0;
  const double lp = std::log(p), lq = std::log1p(-p);
  double sum = 0.0;
  const double mode = n * p;
  for (uint32_t i = t + 1; i <= n; ++i) {
    const double lt = std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) +
                      i * lp + (n - i) * lq;
    const double term = std::exp(lt);
    sum += term;
    if (i > mode && term < sum * 1e-18) break;
  }
  return std::min(1.0, sum);
}

EccChoice choose_ecc(Ecc ecc, double ber, uint64_t data_bits, double target_failure) {
  EccChoice c;
  c.raw_ber = ber;
  auto evaluate = [&](const EccCode& code) {
    EccChoice e;
    e.code = code;
    e.raw_ber = ber;
    e.word_failure = word_failure(code.n, code.t, ber);
    const double words = std::ceil(static_cast<double>(data_bits) / code.k);
    e.model_failure = std::min(1.0, words * e.word_failure);
    e.meets_target = e.model_failure <= target_failure;
    return e;
  };
  switch (ecc) {
    case Ecc::kNone:
      return evaluate({"none", 1, 1, 0});
    case Ecc::kSecded:
      return evaluate(secded_72_64());
    case Ecc::kAuto: {
      EccChoice s = evaluate(secded_72_64());
      if (s.meets_target) return s;
      [[fallthrough]];
    }
    case Ecc::kBch: {
      EccChoice last;
      for (uint32_t t = 1;; ++t) {
        const uint32_t k = bch_dimension(10, t);
        if (k == 0) break;
        last = evaluate(bch_code(10, t));
        if (last.meets_target) return last;
      }
      return last;  // meets_target = false: the channel is too noisy for BCH(1023)
    }
  }
  return c;
}

namespace {

double q_upper(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}  // P(N > z)

// Bit error rate of `levels` (DAC codes ordered by mean) used as Gray-coded symbols.
double symbol_ber(const Cell& cell, const std::vector<uint32_t>& dacs, uint32_t bits) {
  const Channel& ch = cell.channel();
  const double t = cell.spec().read_time_s;
  const size_t M = dacs.size();
  std::vector<double> m(M), s(M);
  for (size_t i = 0; i < M; ++i) {
    const LevelStats st = ch.stats(dacs[i], t);
    m[i] = st.mean;
    s[i] = std::max(0.0, st.std);
  }
  // Thresholds at equal z between neighbours.
  std::vector<double> thr(M + 1);
  thr[0] = -std::numeric_limits<double>::infinity();
  thr[M] = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i + 1 < M; ++i)
    thr[i + 1] = (s[i] + s[i + 1] > 0.0) ? (m[i] * s[i + 1] + m[i + 1] * s[i]) / (s[i] + s[i + 1])
                                         : 0.5 * (m[i] + m[i + 1]);
  auto gray = [](size_t i) { return i ^ (i >> 1); };
  auto ham = [&](size_t i, size_t j) {
    return static_cast<double>(__builtin_popcountll(gray(i) ^ gray(j))) / bits;
  };
  auto region = [&](double v) {
    size_t j = 0;
    while (j + 1 < M && v > thr[j + 1]) ++j;
    return j;
  };
  double ber = 0.0;
  for (size_t i = 0; i < M; ++i) {
    for (size_t j = 0; j < M; ++j) {
      if (j == i) continue;
      double pj;
      if (!(s[i] > 0.0)) {
        pj = region(m[i]) == j ? 1.0 : 0.0;
      } else if (j > i) {
        pj = q_upper((thr[j] - m[i]) / s[i]) -
             (std::isinf(thr[j + 1]) ? 0.0 : q_upper((thr[j + 1] - m[i]) / s[i]));
      } else {
        pj = q_upper((m[i] - thr[j + 1]) / s[i]) -
             (std::isinf(thr[j]) ? 0.0 : q_upper((m[i] - thr[j]) / s[i]));
      }
      ber += std::max(0.0, pj) * ham(i, j) / static_cast<double>(M);
    }
  }
  const StuckAt& st = cell.spec().stuck;
  if (st.rate > 0.0) {
    const size_t lo = region(ch.read_min()), hi = region(ch.read_max());
    double stuck = 0.0;
    for (size_t i = 0; i < M; ++i)
      stuck += (st.low_fraction * ham(i, lo) + (1.0 - st.low_fraction) * ham(i, hi)) / M;
    ber = (1.0 - st.rate) * ber + st.rate * stuck;
  }
  return ber;
}

uint64_t companding_bits(const MappingSpec& m, uint64_t codes) {
  if (m.companding == Companding::kMulaw) return 32;
  if (m.companding == Companding::kLloyd) return 32 * codes;
  return 0;
}

uint64_t scale_bits(const MappingSpec& m, const TensorShape& t) {
  return 32ull *
         (m.granularity == Granularity::kPerChannel ? std::max<uint32_t>(t.channels, 1) : 1);
}

}  // namespace

DigitalErrorRates digital_error_rates(const Cell& cell) {
  const Channel& ch = cell.channel();
  const double t = cell.spec().read_time_s;
  DigitalErrorRates r;
  const std::array<uint32_t, 2> ext = sign_level_dacs(ch, t);
  r.slc = symbol_ber(cell, {ext[0], ext[1]}, 1);
  // Four well-separated levels: the max-min-separation choice, by increasing mean.
  r.mlc2_dacs = select_levels(ch, 4, t).dacs;
  r.mlc2 = symbol_ber(cell, r.mlc2_dacs, 2);
  return r;
}

uint64_t sparse_index_bits(const SparseSpec& sp, std::span<const float> w) {
  if (sp.format == SparseFormat::kNone) return 0;
  if (sp.format == SparseFormat::kBitmap) return w.size();
  // Relative: one entry per nonzero holding the zeros skipped before it; a gap of E = 2^b - 1
  // or more first spends escape entries that skip E zeros each.
  const uint64_t esc = (uint64_t{1} << sp.index_bits) - 1;
  uint64_t entries = 0, gap = 0;
  for (float v : w) {
    if (v == 0.0f) {
      ++gap;
      continue;
    }
    entries += 1 + gap / esc;
    gap = 0;
  }
  return entries * sp.index_bits;
}

uint64_t metadata_cells(uint64_t bits, DigitalCell cell, const DigitalErrorRates& rates) {
  if (cell == DigitalCell::kSlc || bits == 0) return secded_cells(bits);
  const EccChoice ecc = choose_ecc(Ecc::kAuto, rates.mlc2, bits, 1e-6);
  return ecc_cells(bits, ecc.code, 2);
}

Footprint digital_footprint(const SchemeSpec& s, std::span<const TensorShape> tensors,
                            const DigitalErrorRates& rates) {
  require(s.is_digital, s.name, "digital", "not a digital scheme");
  const DigitalSpec& d = s.digital;
  Footprint f;
  f.scheme = s.name;
  uint64_t bits = 0;
  for (const TensorShape& t : tensors) {
    f.weights += t.size;
    // The index of a sparse tensor is data of the same medium, behind the same ECC.
    bits += (t.stored ? t.stored : t.size) * d.bits + t.index_bits;
    if (!d.fp32)
      f.metadata_bits += scale_bits(s.mapping, t) + companding_bits(s.mapping, 1ull << d.bits);
  }
  const uint32_t bpc = d.cell == DigitalCell::kMlc2 ? 2 : 1;
  f.ecc = choose_ecc(d.ecc, bpc == 2 ? rates.mlc2 : rates.slc, bits, d.failure);
  f.weight_cells = ecc_cells(bits, f.ecc.code, bpc);
  f.parity_cells = f.weight_cells - (bits + bpc - 1) / bpc;
  f.metadata_cells = metadata_cells(f.metadata_bits, s.metadata_cell, rates);
  return f;
}

Footprint analog_footprint(const SchemeSpec& s, std::span<const TensorShape> tensors) {
  require(!s.is_digital, s.name, "digital", "not an analog scheme");
  Footprint f;
  f.scheme = s.name;
  auto add_segment = [&](const CodecShape& shape, uint64_t count, const TensorShape& t) {
    if (count == 0) return;
    CodecParams p;
    p.shape = shape;
    f.weight_cells += count * cells_per_weight(p);
    f.sign_cells += count * (shape.sign_cell ? shape.sign_replicas : 0);
    const auto codes = static_cast<uint64_t>(int64_t{code_max(p)} - code_min(p) + 1);
    f.metadata_bits += scale_bits(s.mapping, t) + companding_bits(s.mapping, codes);
    if (s.tables.decode == DecodeMode::kRef)
      f.reference_cells += uint64_t{s.ref_per_level} * shape.levels;
  };
  for (const TensorShape& t : tensors) {
    f.weights += t.size;
    if (!s.importance.enabled) {
      add_segment(s.shape, t.size, t);
      continue;
    }
    const uint64_t G = s.importance.group, groups = (t.size + G - 1) / G;
    const auto top = static_cast<uint64_t>(
        std::ceil(s.importance.fraction * static_cast<double>(groups) - 1e-9));
    const uint64_t prot = top >= groups ? t.size : top * G;
    f.metadata_bits += groups;
    add_segment(s.shape, t.size - prot, t);
    add_segment(s.importance.protect, prot, t);
  }
  f.metadata_cells = secded_cells(f.metadata_bits);
  return f;
}

Footprint footprint(const Allocation& a, uint64_t model_metadata_bits) {
  Footprint f;
  if (a.scheme.is_digital) {
    f = digital_footprint(a.scheme, a.tensors, a.rates);
  } else {
    f.scheme = a.scheme.name;
    for (const TensorShape& t : a.tensors) f.weights += t.size;
    for (const Segment& seg : a.segments) {
      f.weight_cells += seg.weight_cells();
      f.sign_cells += seg.count * (seg.params.shape.sign_cell ? seg.params.shape.sign_replicas : 0);
      f.reference_cells += seg.ref_cells;
      f.metadata_bits += seg.quant.metadata_bits();
    }
    for (uint64_t g : a.importance_groups) f.metadata_bits += g;
    for (const TensorShape& t : a.tensors) f.metadata_bits += t.index_bits;
  }
  f.metadata_bits += model_metadata_bits;
  f.metadata_cells = metadata_cells(f.metadata_bits, a.scheme.metadata_cell, a.rates);
  return f;
}

// The members written under their own names (nlohmann::json sorts its keys, so the order of
// the lists is free). Defined here only: to_json(const Footprint&) adds the other keys.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Footprint, scheme, weights, weight_cells, sign_cells,
                                   parity_cells, reference_cells, metadata_bits, metadata_cells)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EccCode, n, k, t)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EccChoice, raw_ber, word_failure, model_failure, meets_target)

nlohmann::json to_json(const Footprint& f) {
  nlohmann::json j = f;
  j["total_cells"] = f.total();
  j["cells_per_weight"] = f.cells_per_weight();
  if (f.ecc.code.name != "" && f.parity_cells + f.ecc.code.t > 0) {
    j["ecc"] = f.ecc;
    j["ecc"].update(f.ecc.code);
    j["ecc"]["code"] = f.ecc.code.name;
  }
  return j;
}

}  // namespace anvil::core
