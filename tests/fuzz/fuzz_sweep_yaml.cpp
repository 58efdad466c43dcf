// libFuzzer harness: anvil::fuzz::sweep_yaml (tests/fuzz/fuzz_entry.hpp).
#include "fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)anvil::fuzz::sweep_yaml({reinterpret_cast<const char*>(data), size});
  return 0;
}
