#include "compress/quantize.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include "compress/prune.hpp"
#include "compress/tensors.hpp"
#include "core/error.hpp"
#include "core/random.hpp"

namespace anvil::compress {

namespace {

constexpr uint64_t kKmeansStream = 0x4B4D45414E53ull;  // "KMEANS"

std::vector<std::string> tensors_of(const nn::Network& net, const QuantSpec& spec) {
  return spec.tensors.empty() ? weight_tensors(net) : spec.tensors;
}

// A distinct, reproducible seed per tensor (its position in the list).
uint64_t tensor_seed(uint64_t seed, size_t i) {
  return seed ^ (0x9E3779B97F4A7C15ull * (static_cast<uint64_t>(i) + 1));
}

}  // namespace

std::vector<float> kmeans_codebook(std::span<const float> w, int k, uint64_t seed, int iters,
                                   bool skip_zeros) {
  require(k >= 1, "kmeans", "k", "must be >= 1");
  require(iters >= 0, "kmeans", "iters", "must be >= 0");
  std::vector<float> x;
  x.reserve(w.size());
  for (float v : w) {
    require(std::isfinite(v), "kmeans", "weights", "must be finite");
    if (!(skip_zeros && v == 0.0f)) x.push_back(v);
  }
  require(!x.empty(), "kmeans", "weights", "no values to fit");
  std::sort(x.begin(), x.end());
  std::vector<float> distinct(x);
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() <= static_cast<size_t>(k)) return distinct;

  // k-means++: each next center drawn with probability proportional to the squared distance
  // to the nearest center so far (on the sorted values, so the draw does not depend on the
  // input order).
  const size_t n = x.size();
  const core::RandomStream rng(seed, kKmeansStream);
  std::vector<double> centers = {x[rng.below(0, core::Draw::kUser, 0, n)]};
  std::vector<double> d2(n);
  for (size_t i = 0; i < n; ++i) d2[i] = (x[i] - centers[0]) * (x[i] - centers[0]);
  for (int c = 1; c < k; ++c) {
    double total = 0.0;
    for (double d : d2) total += d;
    const double u = rng.uniform(static_cast<uint64_t>(c), core::Draw::kUser) * total;
    size_t pick = n - 1;
    double acc = 0.0;
    for (size_t i = 0; i < n; ++i) {
      acc += d2[i];
      if (acc > u && d2[i] > 0.0) {
        pick = i;
        break;
      }
    }
    // Rounding can leave `pick` on a value already chosen; take the farthest value instead.
    if (d2[pick] == 0.0)
      pick = static_cast<size_t>(std::max_element(d2.begin(), d2.end()) - d2.begin());
    const double cv = x[pick];
    centers.push_back(cv);
    for (size_t i = 0; i < n; ++i) d2[i] = std::min(d2[i], (x[i] - cv) * (x[i] - cv));
  }
  std::sort(centers.begin(), centers.end());

  // Lloyd on sorted 1-D data: clusters are contiguous ranges split at the midpoints between
  // centers (a value on a midpoint goes to the lower center), means from prefix sums.
  std::vector<double> prefix(n + 1, 0.0);
  for (size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + x[i];
  for (int it = 0; it < iters; ++it) {
    std::vector<double> next(centers);
    size_t lo = 0;
    for (size_t j = 0; j < centers.size(); ++j) {
      size_t hi = n;
      if (j + 1 < centers.size()) {
        const double mid = 0.5 * (centers[j] + centers[j + 1]);
        hi = static_cast<size_t>(
            std::upper_bound(x.begin(), x.end(), mid,
                             [](double m, float v) { return m < static_cast<double>(v); }) -
            x.begin());
        hi = std::max(hi, lo);
      }
      if (hi > lo) next[j] = (prefix[hi] - prefix[lo]) / static_cast<double>(hi - lo);
      lo = hi;
    }
    std::sort(next.begin(), next.end());
    const bool same = next == centers;
    centers = std::move(next);
    if (same) break;
  }
  std::vector<float> out;
  for (double c : centers) out.push_back(std::clamp(static_cast<float>(c), x.front(), x.back()));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void snap_to_codebook(std::span<float> w, std::span<const float> centers, bool keep_zeros) {
  require(!centers.empty(), "snap_to_codebook", "centers", "codebook is empty");
  require(std::is_sorted(centers.begin(), centers.end()), "snap_to_codebook", "centers",
          "must be ascending");
  for (float& v : w) {
    if (keep_zeros && v == 0.0f) continue;
    const auto it = std::lower_bound(centers.begin(), centers.end(), v);
    if (it == centers.begin()) {
      v = centers.front();
    } else if (it == centers.end()) {
      v = centers.back();
    } else {
      const double lo = *(it - 1), hi = *it;
      v = (static_cast<double>(v) - lo <= hi - static_cast<double>(v)) ? *(it - 1) : *it;
    }
  }
}

void quantize_uniform(std::span<float> w, uint32_t channels, int bits, bool per_channel) {
  require(bits >= 2 && bits <= 16, "quantize_uniform", "bits", "must be in [2, 16]");
  require(channels >= 1 && w.size() % channels == 0, "quantize_uniform", "channels",
          "must divide the tensor size");
  const size_t groups = per_channel ? channels : 1, per = w.size() / groups;
  const double qmax = static_cast<double>((1 << (bits - 1)) - 1);
  for (size_t g = 0; g < groups; ++g) {
    const std::span<float> s = w.subspan(g * per, per);
    float m = 0.0f;
    for (float v : s) m = std::max(m, std::fabs(v));
    if (m == 0.0f) continue;
    const double scale = static_cast<double>(m) / qmax;
    for (float& v : s) {
      const double q = std::clamp(std::round(static_cast<double>(v) / scale), -qmax, qmax);
      v = static_cast<float>(q * scale);
    }
  }
}

std::map<std::string, std::vector<float>> quantize_network(nn::Network& net,
                                                           const QuantSpec& spec) {
  std::map<std::string, std::vector<float>> books;
  const std::vector<std::string> names = tensors_of(net, spec);
  for (size_t i = 0; i < names.size(); ++i) {
    nn::Param& p = param(net, names[i], "quantize");
    if (spec.method == QuantSpec::Method::kUniform) {
      quantize_uniform(p.data, static_cast<uint32_t>(p.shape[0]), spec.bits, spec.per_channel);
    } else {
      require(spec.bits >= 1 && spec.bits <= 12, "quantize", "bits",
              "k-means codebooks take 1 to 12 bits");
      auto& c = books[names[i]] = kmeans_codebook(p.data, 1 << spec.bits, tensor_seed(spec.seed, i),
                                                  spec.kmeans_iters, spec.keep_zeros);
      snap_to_codebook(p.data, c, spec.keep_zeros);
    }
  }
  return books;
}

std::function<void(nn::Network&, uint64_t)> qat_transform(const QuantSpec& spec) {
  require(spec.refit_every >= 1, "qat", "refit_every", "must be >= 1");
  if (spec.method == QuantSpec::Method::kKmeans)
    require(spec.bits >= 1 && spec.bits <= 12, "qat", "bits",
            "k-means codebooks take 1 to 12 bits");
  else
    require(spec.bits >= 2 && spec.bits <= 16, "qat", "bits", "must be in [2, 16]");
  auto books = std::make_shared<std::map<std::string, std::vector<float>>>();
  return [spec, books](nn::Network& fwd, uint64_t step) {
    const std::vector<std::string> names = tensors_of(fwd, spec);
    for (size_t i = 0; i < names.size(); ++i) {
      nn::Param& p = param(fwd, names[i], "qat");
      if (spec.method == QuantSpec::Method::kUniform) {
        quantize_uniform(p.data, static_cast<uint32_t>(p.shape[0]), spec.bits, spec.per_channel);
        continue;
      }
      auto it = books->find(names[i]);
      if (it == books->end() || step % static_cast<uint64_t>(spec.refit_every) == 0)
        it = books
                 ->insert_or_assign(
                     names[i], kmeans_codebook(p.data, 1 << spec.bits, tensor_seed(spec.seed, i),
                                               spec.kmeans_iters, spec.keep_zeros))
                 .first;
      snap_to_codebook(p.data, it->second, spec.keep_zeros);
    }
  };
}

}  // namespace anvil::compress
