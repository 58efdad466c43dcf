// The co-simulation as a flow storage backend: each trial elaborates the Verilated
// encoder/decoder and the SystemC array in a forked child (SystemC elaborates once per
// process) and hands the decoded codes and counters back through a scratch file.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "flow/storage_backend.hpp"
#include "systemc/pcm_array_cost.hpp"

namespace anvil::cosim {

class CosimBackend final : public flow::StorageBackend {
 public:
  explicit CosimBackend(std::filesystem::path scratch) : scratch_(std::move(scratch)) {}
  bool simulated() const override { return true; }
  void set_array(const flow::CostTech& tech, const core::ArrayCost& array) override;
  std::optional<double> pulse_energy_pj(const core::Cell& cell) const override;
  std::string unsupported(const core::Allocation& a) const override;
  flow::BackendTrial store_and_read(const core::Cell& cell, const core::Allocation& a,
                                    const std::vector<std::string>& names,
                                    const core::RandomStream& noise,
                                    const std::string& trace_file) override;

 private:
  std::filesystem::path scratch_;                   // the child's result file
  std::shared_ptr<const PcmArrayCost> array_cost_;  // null: the array's built-in table
};

}  // namespace anvil::cosim
