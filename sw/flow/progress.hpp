// One-line progress for long runs, on stderr so stdout stays the result table.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace anvil::flow {

class Progress {
 public:
  Progress(std::string what, size_t total)
      : what_(std::move(what)), total_(total), start_(std::chrono::steady_clock::now()) {}

  void step(const std::string& detail) {
    ++done_;
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double eta =
        done_ ? s / static_cast<double>(done_) * static_cast<double>(total_ - done_) : 0;
    std::fprintf(stderr, "[%s %zu/%zu] %s  (%.1f s, eta %.0f s)\n", what_.c_str(), done_, total_,
                 detail.c_str(), s, eta);
  }

 private:
  std::string what_;
  size_t total_, done_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace anvil::flow
