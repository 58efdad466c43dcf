// libFuzzer harness: anvil::fuzz::idx_gz (tests/fuzz/fuzz_entry.hpp).
#include "fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)anvil::fuzz::idx_gz({reinterpret_cast<const char*>(data), size});
  return 0;
}
