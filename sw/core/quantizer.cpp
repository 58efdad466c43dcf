#include "core/quantizer.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"

namespace anvil::core {

const char* to_string(Granularity g) {
  return name_of(kGranularityNames, g);
}

const char* to_string(Companding c) {
  return name_of(kCompandingNames, c);
}

uint64_t QuantMeta::metadata_bits() const {
  uint64_t bits = 32ull * scales.size();
  if (companding == Companding::kMulaw) bits += 32;
  if (companding == Companding::kLloyd) bits += 32ull * codebook.size();
  return bits;
}

void check_finite(std::span<const float> w, const std::string& tensor) {
  for (size_t i = 0; i < w.size(); ++i)
    if (!std::isfinite(w[i]))
      throw Error(tensor, "weights",
                  std::string(std::isnan(w[i]) ? "NaN" : "Inf") + " at index " + std::to_string(i) +
                      " (weights must be finite)");
}

namespace {

size_t count(std::span<const float> w, std::span<const uint32_t> index) {
  return index.empty() ? w.size() : index.size();
}
uint64_t at(std::span<const uint32_t> index, size_t i) {
  return index.empty() ? i : index[i];
}

// Normalised uniform grid of the code range: code c -> c / code_max (mid-tread, so zero is
// exact); a 2-code range without a positive code uses the two values -1, +1.
std::vector<double> uniform_grid(int32_t lo, int32_t hi) {
  std::vector<double> g;
  for (int64_t c = lo; c <= hi; ++c)
    g.push_back(hi > 0 ? static_cast<double>(c) / hi : (c == lo ? -1.0 : 1.0));
  return g;
}

// 1-D Lloyd-Max on sorted data with `n` reconstruction values; if `zero_fixed`, value 0 is
// pinned at 0 (magnitudes of a sign-magnitude code). Deterministic: initialised halfway
// between the data quantiles and a uniform grid so initial values are distinct.
std::vector<double> lloyd(const std::vector<double>& x, size_t n, bool zero_fixed, uint32_t iters,
                          double lo, double hi) {
  std::vector<double> c(n);
  std::vector<double> prefix(x.size() + 1, 0.0);
  for (size_t i = 0; i < x.size(); ++i) prefix[i + 1] = prefix[i] + x[i];
  for (size_t j = 0; j < n; ++j) {
    const double u = n == 1 ? 0.5 : static_cast<double>(j) / (n - 1);
    const double grid = lo + (hi - lo) * u;
    const double q = x.empty() ? grid : x[std::min(x.size() - 1, (2 * j + 1) * x.size() / (2 * n))];
    c[j] = 0.5 * (grid + q);
  }
  if (zero_fixed) c[0] = 0.0;
  for (uint32_t it = 0; it < iters && !x.empty(); ++it) {
    bool moved = false;
    size_t begin = 0;
    for (size_t j = 0; j < n; ++j) {
      size_t end = x.size();
      if (j + 1 < n) {
        const double b = 0.5 * (c[j] + c[j + 1]);
        end = static_cast<size_t>(std::upper_bound(x.begin(), x.end(), b) - x.begin());
        end = std::max(end, begin);
      }
      if (end > begin && !(zero_fixed && j == 0)) {
        const double m = (prefix[end] - prefix[begin]) / static_cast<double>(end - begin);
        if (std::abs(m - c[j]) > 1e-12) moved = true;
        c[j] = m;
      }
      begin = end;
    }
    std::sort(c.begin(), c.end());
    if (!moved) break;
  }
  return c;
}

double quantile_abs(std::vector<double>& a, double q) {
  if (a.empty()) return 0.0;
  const size_t k = static_cast<size_t>(std::clamp<double>(
      std::ceil(q * static_cast<double>(a.size())) - 1.0, 0.0, static_cast<double>(a.size() - 1)));
  std::nth_element(a.begin(), a.begin() + k, a.end());
  return a[k];
}

}  // namespace

QuantMeta fit_quantizer(std::span<const float> w, uint32_t channels, int32_t code_min,
                        int32_t code_max, const MappingSpec& spec, const std::string& tensor,
                        std::span<const uint32_t> index) {
  check_finite(w, tensor);
  require(code_max > code_min, tensor, "codes", "code range needs at least two codes");
  require(spec.clip_quantile > 0.0 && spec.clip_quantile <= 1.0, tensor, "mapping.clip_quantile",
          "must be in (0, 1]");
  require(spec.companding != Companding::kMulaw || spec.mu > 0.0, tensor, "mapping.mu",
          "must be > 0");
  QuantMeta q;
  q.code_min = code_min;
  q.code_max = code_max;
  q.companding = spec.companding;
  q.channels = spec.granularity == Granularity::kPerChannel ? std::max<uint32_t>(channels, 1) : 1;
  require(w.size() % q.channels == 0, tensor, "channels",
          "tensor size " + std::to_string(w.size()) + " is not a multiple of " +
              std::to_string(q.channels) + " output channels");
  q.row_size = q.channels ? w.size() / q.channels : w.size();
  if (q.row_size == 0) q.row_size = 1;

  // Scales: the clip quantile of |w| per group, falling back to max |w|, then 1.
  std::vector<std::vector<double>> mags(q.channels);
  const size_t n = count(w, index);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t k = at(index, i);
    mags[std::min<uint64_t>(k / q.row_size, q.channels - 1)].push_back(std::abs(w[k]));
  }
  q.scales.resize(q.channels);
  for (uint32_t c = 0; c < q.channels; ++c) {
    const double mx = mags[c].empty() ? 0.0 : *std::max_element(mags[c].begin(), mags[c].end());
    double s = quantile_abs(mags[c], spec.clip_quantile);
    if (!(s > 0.0)) s = mx;
    if (!(s > 0.0)) s = 1.0;
    q.scales[c] = static_cast<float>(s);
  }

  // Codebook (normalised values per code, ascending).
  std::vector<double> cb = uniform_grid(code_min, code_max);
  if (spec.companding == Companding::kMulaw) {
    for (double& v : cb) {
      const double a = std::abs(v);
      v = std::copysign((std::pow(1.0 + spec.mu, a) - 1.0) / spec.mu, v);
    }
  } else if (spec.companding == Companding::kLloyd) {
    std::vector<double> y;
    y.reserve(n);
    const bool symmetric = code_min == -code_max;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t k = at(index, i);
      const double s = q.scales[std::min<uint64_t>(k / q.row_size, q.channels - 1)];
      const double v = std::clamp(static_cast<double>(w[k]) / s, -1.0, 1.0);
      y.push_back(symmetric ? std::abs(v) : v);
    }
    std::sort(y.begin(), y.end());
    if (symmetric) {
      const auto m = static_cast<size_t>(code_max) + 1;
      const std::vector<double> mag = lloyd(y, m, true, spec.lloyd_iters, 0.0, 1.0);
      for (size_t j = 0; j < m; ++j) {
        cb[static_cast<size_t>(code_max) + j] = mag[j];
        cb[static_cast<size_t>(code_max) - j] = -mag[j];
      }
    } else {
      cb = lloyd(y, cb.size(), false, spec.lloyd_iters, -1.0, 1.0);
    }
  }
  q.codebook.assign(cb.begin(), cb.end());
  return q;
}

void quantize(const QuantMeta& q, std::span<const float> w, std::span<const uint32_t> index,
              std::span<int32_t> codes) {
  const std::vector<float>& cb = q.codebook;
  for (size_t i = 0; i < codes.size(); ++i) {
    const uint64_t k = at(index, i);
    const float s = q.scales[std::min<uint64_t>(k / q.row_size, q.channels - 1)];
    const float y = w[k] / s;
    auto it = std::lower_bound(cb.begin(), cb.end(), y);
    size_t j = static_cast<size_t>(it - cb.begin());
    if (j == cb.size()) {
      j = cb.size() - 1;
    } else if (j > 0) {
      // Nearest entry; an exact tie rounds away from zero.
      const float below = y - cb[j - 1], above = cb[j] - y;
      if (below < above || (below == above && y < 0.0f)) --j;
    }
    codes[i] = q.code_min + static_cast<int32_t>(j);
  }
}

float code_value(const QuantMeta& q, int32_t code, uint64_t i) {
  code = std::clamp(code, q.code_min, q.code_max);
  return q.codebook[static_cast<size_t>(code - q.code_min)] *
         q.scales[std::min<uint64_t>(i / q.row_size, q.channels - 1)];
}

void dequantize(const QuantMeta& q, std::span<const int32_t> codes, std::span<const uint32_t> index,
                std::span<float> out) {
  for (size_t i = 0; i < codes.size(); ++i) {
    const uint64_t k = at(index, i);
    out[k] = code_value(q, codes[i], k);
  }
}

}  // namespace anvil::core
