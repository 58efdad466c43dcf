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
// D(x) = sum_y P(y|x) log2(P(y|x) / q(y)) for each x, q = output distribution of px.
std::vector<double> divergences(const TransitionMatrix& P, std::span<const double> px) {
  const size_t ny = P[0].size();
  std::vector<double> q(ny, 0.0);
  for (size_t x = 0; x < P.size(); ++x) {
    if (px[x] == 0.0) continue;
    for (size_t y = 0; y < ny; ++y) q[y] += px[x] * P[x][y];
  }
  std::vector<double> d(P.size(), 0.0);
  for (size_t x = 0; x < P.size(); ++x) {
    double s = 0.0;
    for (size_t y = 0; y < ny; ++y) {
      const double p = P[x][y];
      if (p > 0.0) s += p * std::log2(p / q[y]);
    }
    d[x] = s;
  }
  return d;
}
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
  const auto d = divergences(P, px);
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
  for (uint32_t it = 1; it <= max_iterations; ++it) {
    const auto d = divergences(P, r.input);
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
    for (size_t x = 0; x < nx; ++x) r.input[x] *= std::exp2(d[x] - dmax) / z;
  }
  return r;
}

}  // namespace anvil::core
