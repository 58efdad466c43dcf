# The tests of the hardening builds (ANVIL_SANITIZE / ANVIL_FUZZ): software layers only, kept
# small so that scripts/test.sh can afford them in CI (README, Tests).
#   address,undefined: the parsers' tests, the fuzz regression corpus replay, codecs, layers.
#   thread: the multi-threaded Monte Carlo store, inference and training tests.
# Each test links only the layer it tests, so the TSan build compiles no flow or compress code.
set(ANVIL_ASAN_TESTS fuzz_corpus_test idx_test cifar_test onnx_io_test nn_layers_test
                     nonfinite_test nonfinite_report_test channel_measured_test scheme_test
                     codec_test)
# TSan: threaded inference (Network::predict workers, with and without the non-finite check).
# The threaded Monte Carlo store (allocation_test) would add the core library's build to CI's
# budget; run it with -DANVIL_TSAN_EXTRA=ON.
option(ANVIL_TSAN_EXTRA "TSan also on the threaded Monte Carlo store (allocation_test)" OFF)
set(ANVIL_TSAN_TESTS nn_layers_test nonfinite_test)
if(ANVIL_TSAN_EXTRA)
  list(APPEND ANVIL_TSAN_TESTS allocation_test)
endif()
set(_libs_fuzz_corpus_test anvil_fuzz_entry)
set(_libs_nonfinite_report_test anvil_flow)
set(_libs_onnx_io_test anvil_nn onnx)
foreach(t idx_test cifar_test nn_layers_test nonfinite_test)
  set(_libs_${t} anvil_nn)
endforeach()
foreach(t channel_measured_test scheme_test codec_test allocation_test)
  set(_libs_${t} anvil_core)
endforeach()

if(ANVIL_SANITIZE MATCHES "thread")
  set(_subset ${ANVIL_TSAN_TESTS})
  set(_label tsan)
elseif(ANVIL_SANITIZE)
  set(_subset ${ANVIL_ASAN_TESTS})
  set(_label asan)
else()
  set(_subset)
endif()
add_custom_target(anvil_sanitizer_tests)
foreach(src ${ANVIL_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  if(name IN_LIST _subset)
    anvil_add_test(${name} "unit;${_label}" SOURCES ${src} LIBS ${_libs_${name}})
    add_dependencies(anvil_sanitizer_tests ${name})
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")  # GCC 12 + sanitizers: false positives in libstdc++
      target_compile_options(${name} PRIVATE -Wno-stringop-overflow -Wno-maybe-uninitialized
                                             -Wno-array-bounds)
    endif()
  endif()
endforeach()

if(ANVIL_FUZZ)
  add_subdirectory(fuzz)
endif()
