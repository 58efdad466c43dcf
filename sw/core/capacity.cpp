#include "core/capacity.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace anvil::core {

void validate_transition(const TransitionMatrix& P, const std::string& what) {
  require(!P.empty(), what, "P", "needs at least one input row");
  const size_t ny = P[0].size();
  require(ny >= 1, what, "P", "needs at least one output column");
  for (size_t x = 0; x < P.size(); ++x) {
    const std::string f = "P[" + std::to_string(x) + "]";
    require(P[x].size() == ny, what, f, "all rows must have the same length");
    double s = 0.0;
    for (double p : P[x]) {
      require(std::isfinite(p) && p >= 0.0, what, f, "probabilities must be >= 0");
      s += p;
    }
    require(std::abs(s - 1.0) <= 1e-6, what, f, "row must sum to 1");
  }
}

namespace {
// D(x) = sum_y P(y|x) log2(P(y|x) / q(y)) = -H(Y|x) - sum_y P(y|x) log2 q(y), q = output
// distribution of px. neg_h[x] = sum_y P log2 P is computed once; each call then needs one
// log per output and a matrix-vector product.
struct Divergence {
  const TransitionMatrix& P;
  std::vector<double> neg_h;
  explicit Divergence(const TransitionMatrix& p) : P(p), neg_h(p.size(), 0.0) {
    for (size_t x = 0; x < P.size(); ++x) {
      for (double v : P[x]) {
        if (v > 0.0) neg_h[x] += v * std::log2(v);
      }
    }
  }
  std::vector<double> operator()(std::span<const double> px) const {
    const size_t ny = P[0].size();
    std::vector<double> q(ny, 0.0), lq(ny, 0.0);
    for (size_t x = 0; x < P.size(); ++x) {
      for (size_t y = 0; y < ny; ++y) q[y] += px[x] * P[x][y];
    }
    for (size_t y = 0; y < ny; ++y) lq[y] = q[y] > 0.0 ? std::log2(q[y]) : 0.0;
    std::vector<double> d(P.size(), 0.0);
    for (size_t x = 0; x < P.size(); ++x) {
      double s = neg_h[x];
      // q[y] = 0 < P only for inputs of probability 0 (degenerate px in mutual_information),
      // whose D is multiplied by 0: the term is skipped (lq = 0).
      for (size_t y = 0; y < ny; ++y) s -= P[x][y] * lq[y];
      d[x] = s;
    }
    return d;
  }
};
}  // namespace

double mutual_information(const TransitionMatrix& P, std::span<const double> px) {
  validate_transition(P, "mutual_information");
  require(px.size() == P.size(), "mutual_information", "px", "needs one probability per row");
  double sum = 0.0;
  for (double p : px) {
    require(std::isfinite(p) && p >= 0.0, "mutual_information", "px", "must be >= 0");
    sum += p;
  }
  require(std::abs(sum - 1.0) <= 1e-6, "mutual_information", "px", "must sum to 1");
  // With px(x) > 0 wherever P(y|x) > 0, q(y) > 0: no 0/0 terms.
  const auto d = Divergence(P)(px);
  double I = 0.0;
  for (size_t x = 0; x < P.size(); ++x) I += px[x] * d[x];
  return std::max(0.0, I);
}

CapacityResult capacity(const TransitionMatrix& P, double tol, uint32_t max_iterations) {
  validate_transition(P, "capacity");
  require(tol > 0.0, "capacity", "tol", "must be > 0");
  const size_t nx = P.size();
  CapacityResult r;
  r.input.assign(nx, 1.0 / static_cast<double>(nx));
  const Divergence divergences(P);
  for (uint32_t it = 1; it <= max_iterations; ++it) {
    const auto d = divergences(r.input);
    // Lower bound log2 sum_x p(x) 2^D(x) >= I(p); upper bound max_x D(x) >= C.
    const double dmax = *std::max_element(d.begin(), d.end());
    double z = 0.0;
    for (size_t x = 0; x < nx; ++x) z += r.input[x] * std::exp2(d[x] - dmax);
    r.bits = std::max(0.0, dmax + std::log2(z));
    r.upper_bits = dmax;
    r.iterations = it;
    if (r.upper_bits - r.bits <= tol) {
      r.converged = true;
      break;
    }
    // Inputs the optimum does not use decay geometrically; the floor keeps them from
    // underflowing to 0 over many iterations (which would make q(y) = 0 for their outputs).
    for (size_t x = 0; x < nx; ++x) {
      r.input[x] = std::max(r.input[x] * std::exp2(d[x] - dmax) / z, 1e-250);
    }
  }
  return r;
}

CapacityResult cell_capacity(const Cell& cell, std::span<const uint32_t> dacs, double t_s,
                             uint32_t draws, uint64_t seed, double tol) {
  require(!dacs.empty(), "cell_capacity", "dacs", "needs at least one write setting");
  return capacity(cell.transition(dacs, t_s, draws, seed), tol);
}

}  // namespace anvil::core
