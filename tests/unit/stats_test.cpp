#define BOOST_TEST_MODULE stats
#include <boost/test/unit_test.hpp>

#include <vector>

#include "flow/stats.hpp"

namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(mean_and_ci_of_known_sample) {
  const std::vector<double> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const auto s = anvil::flow::summarize(x);
  BOOST_TEST(s.mean == 5.5, tt::tolerance(1e-12));
  BOOST_TEST(s.stddev == 3.0276503540974917, tt::tolerance(1e-12));
  // t(0.975, 9) = 2.262 -> 2.262 * 3.02765 / sqrt(10)
  BOOST_TEST(s.ci95 == 2.262 * 3.0276503540974917 / 3.1622776601683795, tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(t_quantile_large_dof_tends_to_normal) {
  BOOST_TEST(anvil::flow::student_t975(1000) == 1.9623, tt::tolerance(2e-4));
  BOOST_TEST(anvil::flow::student_t975(60) == 2.0003, tt::tolerance(2e-4));
}
