// Monte Carlo summary statistics: mean and 95 % confidence interval (Student t).
#pragma once

#include <span>

namespace anvil::flow {

struct Summary {
  double mean = 0.0;
  double ci95 = 0.0;  // half-width of the 95 % confidence interval of the mean
  double stddev = 0.0;
  double min = 0.0, max = 0.0;
  size_t n = 0;
};

Summary summarize(std::span<const double> x);

// Two-sided 97.5 % quantile of Student's t with `dof` degrees of freedom.
double student_t975(size_t dof);

}  // namespace anvil::flow
