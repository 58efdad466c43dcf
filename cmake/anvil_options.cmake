# Warnings and tuning applied to every anvil target through one interface library.
add_library(anvil_options INTERFACE)
target_compile_options(anvil_options INTERFACE -Wall -Wextra -Wpedantic)
# GCC 12 reports false -Wrestrict positives inside std::string at -O2 (GCC bug 105329);
# they are in libstdc++'s inlined code, not ours.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(anvil_options INTERFACE -Wno-restrict)
endif()
if(ANVIL_WERROR)
  target_compile_options(anvil_options INTERFACE -Werror)
endif()
if(ANVIL_NATIVE)
  target_compile_options(anvil_options INTERFACE -march=native)
else()
  # x86-64-v2 portable baseline; Eigen still vectorises with SSE4.2.
  target_compile_options(anvil_options INTERFACE -msse4.2)
endif()
target_compile_definitions(anvil_options INTERFACE ANVIL_VERSION="${PROJECT_VERSION}"
                                                   ANVIL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

# Hardening builds. Sanitized code keeps -O1 and frame pointers for readable reports; the
# fuzz build adds libFuzzer's coverage instrumentation (the harnesses link -fsanitize=fuzzer).
if(ANVIL_SANITIZE)
  target_compile_options(anvil_options INTERFACE -fsanitize=${ANVIL_SANITIZE} -fno-omit-frame-pointer
                                                 -fno-sanitize-recover=all -O1 -g1)
  target_link_options(anvil_options INTERFACE -fsanitize=${ANVIL_SANITIZE})
endif()
if(ANVIL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "anvil: ANVIL_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++)")
  endif()
  set(_fuzz_san address,undefined)
  target_compile_options(anvil_options INTERFACE -fsanitize=fuzzer-no-link,${_fuzz_san}
                                                 -fno-omit-frame-pointer -fno-sanitize-recover=all -O1 -g1)
  target_link_options(anvil_options INTERFACE -fsanitize=${_fuzz_san})
endif()
