// Scaffolding of the tests that run the anvil executable (built with ANVIL_EXE: tests/unit/cli_*
// and the regression tests that run it): test_util.hpp's runner and files in scope, and a run
// that must succeed. Include after <boost/test/unit_test.hpp>.
#pragma once

#ifndef ANVIL_EXE
#error "ANVIL_EXE (path of the anvil executable) must be defined by the build"
#endif

#include <filesystem>
#include <string>

#include "test_util.hpp"

namespace anvil::test {

// `anvil <args>` that must exit 0; its stdout and stderr go to the test log either way.
inline Run run_anvil_ok(const std::string& args, const TempDir& tmp) {
  Run r = run_anvil(args, tmp);
  BOOST_TEST_MESSAGE(r.out << r.err);
  BOOST_TEST_REQUIRE(r.status == 0);
  return r;
}

}  // namespace anvil::test

namespace fs = std::filesystem;
namespace tt = boost::test_tools;

using anvil::test::expect_one_line_error;
using anvil::test::Run;
using anvil::test::run_anvil;
using anvil::test::run_anvil_ok;
using anvil::test::slurp;
using anvil::test::TempDir;
using anvil::test::write_bytes;
