// Level selection on synthetic channels: a non-monotone response with a plateau (like the
// measured PCM data) and a noise profile, checked against brute force over every subset;
// output ordered by increasing mean; the MI objective never below the min-separation choice.
#define BOOST_TEST_MODULE channel_level_select
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <vector>

#include "core/cell.hpp"
#include "core/error.hpp"
#include "core/gaussian_channel.hpp"
#include "core/level_select.hpp"

using namespace anvil::core;
namespace tt = boost::test_tools;

namespace {
// 14 codes: rising, a plateau (codes 4..9 all near 0.3, tiny spread), rising again; the
// spread is large where the response is steep.
std::vector<LevelStats> plateau_channel() {
  const double mean[] = {0.0,   0.08,  0.17, 0.25, 0.3, 0.302, 0.298,
                         0.301, 0.299, 0.31, 0.5,  0.7, 0.85,  1.0};
  const double sd[] = {0.02,  0.03,  0.03, 0.02, 0.005, 0.005, 0.004,
                       0.005, 0.005, 0.01, 0.06, 0.05,  0.03,  0.02};
  std::vector<LevelStats> s;
  for (int i = 0; i < 14; ++i) s.push_back({mean[i], sd[i]});
  return s;
}

// Best min separation over all L-subsets (sorted by mean), by enumeration.
double brute_force(const std::vector<LevelStats>& s, uint32_t L) {
  const size_t n = s.size();
  double best = -1.0;
  std::vector<bool> mask(n, false);
  std::fill(mask.begin(), mask.begin() + L, true);
  do {
    std::vector<LevelStats> pick;
    for (size_t i = 0; i < n; ++i) {
      if (mask[i]) pick.push_back(s[i]);
    }
    std::sort(pick.begin(), pick.end(),
              [](const LevelStats& a, const LevelStats& b) { return a.mean < b.mean; });
    best = std::max(best, min_separation(pick));
  } while (std::prev_permutation(mask.begin(), mask.end()));
  return best;
}
}  // namespace

BOOST_AUTO_TEST_CASE(dp_is_exact_on_a_non_monotone_channel) {
  const auto s = plateau_channel();
  for (uint32_t L = 2; L <= 8; ++L) {
    const LevelChoice c = select_levels(s, L);
    BOOST_TEST_REQUIRE(c.dacs.size() == L);
    BOOST_TEST(c.min_separation == brute_force(s, L), tt::tolerance(1e-12));
    for (size_t j = 0; j + 1 < L; ++j) BOOST_TEST(c.stats[j].mean <= c.stats[j + 1].mean);
    for (size_t j = 0; j < L; ++j) BOOST_TEST(c.stats[j].mean == s[c.dacs[j]].mean);
  }
  // L = 2: not the extremes (1.0 / 0.04 = 25) but the quietest plateau code and the top
  // (0.702 / 0.024 = 29.25).
  const LevelChoice two = select_levels(s, 2);
  BOOST_TEST(two.dacs == (std::vector<uint32_t>{6, 13}), tt::per_element());
  BOOST_TEST(two.min_separation == 0.702 / 0.024, tt::tolerance(1e-12));
  // At most one plateau code is ever useful.
  const LevelChoice six = select_levels(s, 6);
  int on_plateau = 0;
  for (uint32_t d : six.dacs) on_plateau += d >= 4 && d <= 9;
  BOOST_TEST(on_plateau <= 1);
}

BOOST_AUTO_TEST_CASE(descending_response_is_reordered) {
  std::vector<LevelStats> s;
  for (int i = 0; i < 10; ++i) s.push_back({1.0 - 0.1 * i, 0.01});
  const LevelChoice c = select_levels(s, 4);
  BOOST_TEST(c.dacs.front() == 9u);  // lowest mean first
  BOOST_TEST(c.dacs.back() == 0u);
}

BOOST_AUTO_TEST_CASE(candidates_and_bad_requests) {
  const auto s = plateau_channel();
  const LevelChoice c = select_levels(s, 3, {1, 5, 10, 12});
  for (uint32_t d : c.dacs) {
    BOOST_TEST((d == 1 || d == 5 || d == 10 || d == 12));
  }
  BOOST_CHECK_THROW(select_levels(s, 1), anvil::Error);
  BOOST_CHECK_THROW(select_levels(s, 15), anvil::Error);
}

BOOST_AUTO_TEST_CASE(mutual_information_objective_through_a_cell) {
  // Level-dependent noise: quiet at the low end, loud at the high end.
  GaussianConfig g;
  g.levels = 32;
  g.sigma = {0.005, 0.08};
  g.read_min = -0.2;
  g.read_max = 1.2;
  CellSpec spec;
  spec.adc_bits = 5;
  const Cell cell(std::make_shared<GaussianChannel>(g), spec);
  const LevelChoice sep = select_levels(cell, 8, 0.0, LevelObjective::kMinSeparation);
  const LevelChoice mi = select_levels(cell, 8, 0.0, LevelObjective::kMutualInformation, 2000, 5);
  BOOST_TEST(mi.dacs.size() == 8u);
  std::vector<uint32_t> all(32);
  std::iota(all.begin(), all.end(), 0u);
  const TransitionMatrix P = cell.transition(all, 0.0, 2000, 5);
  TransitionMatrix sub;
  for (uint32_t d : sep.dacs) sub.push_back(P[d]);
  const std::vector<double> u(8, 1.0 / 8);
  BOOST_TEST(mi.mutual_information_bits >= mutual_information(sub, u) - 1e-12);
  // Noise grows with x: the min-separation levels crowd the quiet low end.
  BOOST_TEST(sep.dacs[1] - sep.dacs[0] < sep.dacs[7] - sep.dacs[6]);
}
