// Mutual information and capacity of a discrete memoryless channel given by its transition
// matrix P(y | x) (rows = inputs, each a distribution over outputs), in bits per channel use
// (per cell). capacity() runs Blahut-Arimoto (Blahut 1972, Arimoto 1972) and stops when the
// upper and lower capacity bounds (max_x D(x) and log sum_x p(x) 2^D(x)) are within `tol` bits.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/cell.hpp"

namespace anvil::core {

using TransitionMatrix = std::vector<std::vector<double>>;

// I(X; Y) in bits for input distribution `px` (same length as P, sums to 1).
double mutual_information(const TransitionMatrix& P, std::span<const double> px);

struct CapacityResult {
  double bits = 0.0;          // capacity (lower bound at exit; within tol of the true value)
  double upper_bits = 0.0;    // upper bound at exit
  std::vector<double> input;  // capacity-achieving input distribution
  uint32_t iterations = 0;
  bool converged = false;
};

// Blahut-Arimoto. Rows must be non-negative and sum to 1 (within 1e-6; Error otherwise).
CapacityResult capacity(const TransitionMatrix& P, double tol = 1e-9,
                        uint32_t max_iterations = 100000);

// Capacity of a cell used with the write settings `dacs`, read at t_s through its ADC:
// Blahut-Arimoto on Cell::transition (Monte Carlo, `draws` cells per code, calibration `seed`).
CapacityResult cell_capacity(const Cell& cell, std::span<const uint32_t> dacs, double t_s,
                             uint32_t draws = 20000, uint64_t seed = 1, double tol = 1e-6);

// Checks the shape and rows of P; throws anvil::Error naming `what`.
void validate_transition(const TransitionMatrix& P, const std::string& what = "transition");

}  // namespace anvil::core
