# The Verilated codec parameterisations of the co-simulation. Verilator fixes parameters at
# Verilate time, so every codec shape the co-simulation runs is one PREFIX per module here;
# run_cosim picks the variant matching a segment's CodecParams at run time and rejects other
# shapes with an error naming this file.
#
# One row: name Levels Split Replicas SignCell SignReplicas Combine(0 mean, 1 median, 2 ml).
# Converter widths are the widest supported and serve every narrower CodecParams: DAC codes
# up to ANVIL_COSIM_DAC_BITS bits, ADC codes up to ANVIL_COSIM_ADC_BITS bits (tables loaded for
# the codes in use), soft values rescaled to ANVIL_COSIM_SOFT_FRAC_BITS fraction bits (exact:
# numerator and divisor of the mean combiner scale alike). With one replica every combiner
# is a table lookup, so a median variant serves mean and ml as well.
# The first rows cover the analog schemes of configs/default.yaml (one replica: any decode
# mode; r > 1: median, mean or ml, each its own variant).
set(ANVIL_COSIM_VARIANTS
    "naive_l64       64 1 1 0 1 1"  # naive: 64 levels, one cell
    "naive_l16       16 1 1 0 1 1"  # ml-decode: 16 levels, one cell
    "naive_l8        8 1 1 0 1 1"   # adaptive, ref-drift: 8 levels, one cell
    "sign_l8         8 1 1 1 1 1"   # sign+adaptive: sign cell + 8-level magnitude
    "r3_l8           8 1 3 0 1 1"   # adaptive-r3-median: 3 median replicas
    "split_l4_k2     4 2 1 0 1 1"   # split2x4: two 4-level cells
    "sign_l16_r3     16 1 3 1 1 1"  # sign cell + 3 median replicas of a 16-level magnitude
    "sign_l16_r3_s3  16 1 3 1 3 1"  # the same with the sign repeated 3 times
    "split_l16_k2_r2 16 2 2 0 1 0"  # 8-bit codes split over 2 cells, 2 replicas by mean
    "sign_l8_s3      8 1 1 1 3 1"   # sign repeated 3 times (majority), 8-level magnitude
    "ml_l8_r2        8 1 2 0 1 2"   # adaptive-r2-ml: 2 replicas, log-likelihoods summed
    "ml_l8_r3        8 1 3 0 1 2"   # importance: the protected class, 3 replicas by ml
    "naive_l3        3 1 1 0 1 1"   # anvil optimize menu: one cell, ternary
    "naive_l5        5 1 1 0 1 1"   # anvil optimize menu: one cell, 5 symmetric levels
    "naive_l7        7 1 1 0 1 1"   # anvil optimize menu: one cell, 7 symmetric levels
    "split_l5_k2     5 2 1 0 1 1"   # anvil optimize menu: two 5-level cells (25 codes)
    "split_l3_k3     3 3 1 0 1 1"   # anvil optimize reserve tier: three ternary cells (27 codes)
)
set(ANVIL_COSIM_DAC_BITS 12)
set(ANVIL_COSIM_ADC_BITS 8)
set(ANVIL_COSIM_SOFT_FRAC_BITS 12)

if(ANVIL_COSIM_TRACE STREQUAL "FST")
  set(_trace TRACE_FST)
  set(_fst 1)
else()
  set(_trace TRACE)
  set(_fst 0)
endif()

add_library(anvil_cosim_rtl STATIC)
# Generated code: no project warnings, fast X handling (STYLE.md: Verilator -O3 / x-assign).
set_target_properties(anvil_cosim_rtl PROPERTIES SYSTEM TRUE POSITION_INDEPENDENT_CODE OFF)
target_compile_options(anvil_cosim_rtl PRIVATE -w)
target_compile_definitions(anvil_cosim_rtl PUBLIC ${ANVIL_SYSTEMC_DEFS})
target_link_libraries(anvil_cosim_rtl PUBLIC PkgConfig::SYSTEMC)
set(SYSTEMC_CXX_FLAGS -DSC_CPLUSPLUS=201703L)

set(_rtl ${PROJECT_SOURCE_DIR}/rtl)
set(_vargs -O3 --x-assign fast --x-initial fast -Wno-fatal)
set(_includes "")
set(_xmacro "")
foreach(row ${ANVIL_COSIM_VARIANTS})
  string(REGEX REPLACE " +" ";" f "${row}")
  list(GET f 0 name)
  list(GET f 1 levels)
  list(GET f 2 split)
  list(GET f 3 replicas)
  list(GET f 4 sign)
  list(GET f 5 sign_replicas)
  list(GET f 6 combine)
  set(_common -GLevels=${levels} -GSplit=${split} -GReplicas=${replicas} -GSignCell=${sign}
              -GSignReplicas=${sign_replicas})
  verilate(anvil_cosim_rtl SYSTEMC ${_trace} PREFIX Vcosim_enc_${name} TOP_MODULE weight_encoder
           SOURCES ${_rtl}/weight_encoder.sv INCLUDE_DIRS ${_rtl}
           VERILATOR_ARGS ${_vargs} ${_common} -GDacBits=${ANVIL_COSIM_DAC_BITS})
  verilate(anvil_cosim_rtl SYSTEMC ${_trace} PREFIX Vcosim_dec_${name} TOP_MODULE weight_decoder
           SOURCES ${_rtl}/weight_decoder.sv INCLUDE_DIRS ${_rtl}
           VERILATOR_ARGS ${_vargs} ${_common} -GCombine=${combine}
                          -GAdcBits=${ANVIL_COSIM_ADC_BITS}
                          -GSoftFracBits=${ANVIL_COSIM_SOFT_FRAC_BITS})
  string(APPEND _includes "#include \"Vcosim_enc_${name}.h\"\n#include \"Vcosim_dec_${name}.h\"\n")
  string(APPEND _xmacro
         "  X(${name}, ${levels}, ${split}, ${replicas}, ${sign}, ${sign_replicas}, ${combine}) \\\n")
endforeach()
verilator_link_systemc(anvil_cosim_rtl)
# What verilate() defines for the generated code, for every unit that includes its headers.
if(_fst)
  set(_vcd 0)
else()
  set(_vcd 1)
endif()
target_compile_definitions(anvil_cosim_rtl INTERFACE VM_SC=1 VM_TRACE=1 VM_TRACE_FST=${_fst}
                                                     VM_TRACE_VCD=${_vcd} VM_COVERAGE=0)

# One generated header lists the variants for the C++ side (cosim_top.cpp).
set(_hdr ${CMAKE_CURRENT_BINARY_DIR}/generated/cosim_variants.hpp)
file(CONFIGURE OUTPUT ${_hdr} CONTENT "// Generated by systemc/cosim_variants.cmake: do not edit.
#pragma once
${_includes}
#define ANVIL_COSIM_DAC_BITS ${ANVIL_COSIM_DAC_BITS}
#define ANVIL_COSIM_ADC_BITS ${ANVIL_COSIM_ADC_BITS}
#define ANVIL_COSIM_SOFT_FRAC_BITS ${ANVIL_COSIM_SOFT_FRAC_BITS}
#define ANVIL_COSIM_TRACE_FST ${_fst}
// X(name, Levels, Split, Replicas, SignCell, SignReplicas, Combine: 0 mean, 1 median)
#define ANVIL_COSIM_FOR_EACH_VARIANT(X) \\
${_xmacro}
")
target_include_directories(anvil_cosim_rtl PUBLIC ${CMAKE_CURRENT_BINARY_DIR}/generated)
