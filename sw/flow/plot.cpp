#include "flow/plot.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace anvil::flow {

namespace {
std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

bool run_plot_script(const std::string& script, const std::vector<std::string>& args) {
  const char* env = std::getenv("ANVIL_PYTHON");
  std::string python = env && *env ? env : "/usr/bin/python3";
  if (!std::filesystem::exists(python)) python = "python3";
  const std::filesystem::path path = std::filesystem::path(ANVIL_SOURCE_DIR) / "scripts" / script;
  std::string cmd = quote(python) + " " + quote(path.string());
  for (const auto& a : args) cmd += " " + quote(a);
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    std::fprintf(stderr, "anvil: warning: plot %s not written (exit %d); JSON/CSV are complete\n",
                 script.c_str(), WIFEXITED(rc) ? WEXITSTATUS(rc) : rc);
    return false;
  }
  return true;
}

}  // namespace anvil::flow
