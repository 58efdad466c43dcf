# Every dependency comes from Debian's packages (scripts/setup.sh). Fail with one clear line
# naming the package when one is missing.
macro(anvil_require pkg debian)
  find_package(${pkg} ${ARGN} QUIET)
  if(NOT ${pkg}_FOUND)
    message(FATAL_ERROR "anvil: ${pkg} not found: run scripts/setup.sh (Debian package ${debian})")
  endif()
endmacro()

anvil_require(Eigen3 libeigen3-dev 3.4 NO_MODULE)
anvil_require(yaml-cpp libyaml-cpp-dev)
anvil_require(nlohmann_json nlohmann-json3-dev)
anvil_require(CLI11 libcli11-dev)
anvil_require(ZLIB zlib1g-dev)
anvil_require(Protobuf libprotobuf-dev)
anvil_require(ONNX libonnx-dev)
anvil_require(Boost libboost-test-dev COMPONENTS unit_test_framework)
anvil_require(Threads libc6-dev)

find_package(PkgConfig REQUIRED)
# libjpeg-turbo decodes ImageNet JPEGs in nn, so every build needs it, hardening builds too.
pkg_check_modules(TURBOJPEG QUIET IMPORTED_TARGET libturbojpeg)
if(NOT TURBOJPEG_FOUND)
  message(FATAL_ERROR "anvil: libturbojpeg not found by pkg-config: run scripts/setup.sh (libturbojpeg0-dev)")
endif()

if(ANVIL_SW_ONLY)  # hardening builds: the software layers need neither SystemC nor Verilator
  return()
endif()

pkg_check_modules(SYSTEMC QUIET IMPORTED_TARGET systemc)
if(NOT SYSTEMC_FOUND)
  message(FATAL_ERROR "anvil: SystemC not found by pkg-config: run scripts/setup.sh (libsystemc-dev)")
endif()
# verilate(... SYSTEMC) reads these two.
set(SYSTEMC_INCLUDE ${SYSTEMC_INCLUDEDIR})
set(SYSTEMC_LIBDIR ${SYSTEMC_LIBDIR})
# libsystemc is built as C++17; units that include <systemc> must say so (PITFALLS.md).
set(ANVIL_SYSTEMC_DEFS SC_CPLUSPLUS=201703L)

anvil_require(verilator verilator)
if(verilator_VERSION VERSION_LESS 5.006)
  message(FATAL_ERROR "anvil: Verilator >= 5.006 required, found ${verilator_VERSION}")
endif()

# Compiles each Verilated model of TARGET (the sources under a PREFIX.dir/ folder whose PREFIX
# matches REGEX) as one unit, as Verilator's own makefile does (PREFIX__ALL.cpp): a model is
# ~25-60 small files, and each would parse the SystemC/Verilator headers again (about 1.5 s a
# file, most of the build). One unit per model: models differ in file-static helpers. The
# Verilator runtime stays separate.
function(anvil_verilated_unity TARGET REGEX)
  get_target_property(_srcs ${TARGET} SOURCES)
  foreach(_s ${_srcs})
    if(_s MATCHES "/(${REGEX})\\.dir/")
      set_source_files_properties(${_s} PROPERTIES UNITY_GROUP ${CMAKE_MATCH_1})
    endif()
  endforeach()
  set_target_properties(${TARGET} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE GROUP)
endfunction()
