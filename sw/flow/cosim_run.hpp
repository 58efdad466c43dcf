// `anvil cosim`: the experiment of `anvil run`, its analog schemes evaluated (flow::evaluate)
// through a storage backend (the Verilated encoder/decoder and the SystemC array, injected by
// the CLI) instead of the functional model, every decoded code compared with the functional
// backend's for the same seed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "flow/storage_backend.hpp"

namespace anvil::flow {

struct CosimRunOptions {
  std::string config;                       // experiment YAML
  std::filesystem::path out = "out/cosim";  // report folder
  std::string scheme;                       // "" = every co-simulable analog scheme
  std::string trace;                        // waveform file for the first scheme's first trial
  uint32_t trials = 1;
  int threads = 0;  // 0 = the experiment's
};

// Writes OUT/report.json, results.csv, table.md, prints the table; throws anvil::Error when no
// scheme can be co-simulated or when a decoded code differs from the functional path.
void run_cosim(const CosimRunOptions& o, StorageBackend& backend);

}  // namespace anvil::flow
