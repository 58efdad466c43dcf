// The parsers' fuzz entry points, shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.cpp,
// clang, ANVIL_FUZZ=ON) and the regression replay (tests/unit/fuzz_corpus_test.cpp, any
// build). Each entry writes the input where the parser reads it (a scratch folder of this
// process) and calls the public loader. Contract: the loader returns or throws anvil::Error
// (the entry returns whether it accepted the input); any other exception escapes (libFuzzer
// reports it as a crash, the replay test fails), and memory errors and undefined behaviour
// are the sanitizers' to report. Implementations in tests/fuzz/fuzz_entry.cpp.
#pragma once

#include <string_view>
#include <vector>

namespace anvil::fuzz {

bool idx(std::string_view in);     // raw, or gzip when it starts with the gzip magic
bool idx_gz(std::string_view in);  // the input gzip-compressed: the gzip path's IDX parse
bool cifar(std::string_view in);
bool measured_csv(std::string_view in);  // the table, then the channel built on it
bool device_yaml(std::string_view in);
bool experiment_yaml(std::string_view in);
bool scheme_yaml(std::string_view in);
bool codec_yaml(std::string_view in);  // parse, then core::validate
bool sweep_yaml(std::string_view in);
bool sweep_state(std::string_view in);  // a sweep folder's sweep.json and a point's result.json
bool onnx(std::string_view in);         // import, then one forward pass when small enough

struct Entry {
  const char* name;  // harness fuzz_<name>, corpus folder tests/fuzz/corpus/<name>
  bool (*run)(std::string_view);
};
const std::vector<Entry>& entries();

}  // namespace anvil::fuzz
