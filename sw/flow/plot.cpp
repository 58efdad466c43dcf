#include "flow/plot.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace anvil::flow {

std::string shell_quote(const std::string& s) {
  std::string q;
  q.reserve(s.size() + 8);
  q.push_back('\'');
  for (char c : s) {
    if (c == '\'') {
      q.append("'\\''");
    } else {
      q.push_back(c);
    }
  }
  q.push_back('\'');
  return q;
}

bool run_plot_script(const std::string& script, const std::vector<std::string>& args) {
  const char* env = std::getenv("ANVIL_PYTHON");
  std::string python = env && *env ? env : "/usr/bin/python3";
  if (!std::filesystem::exists(python)) python = "python3";
  const std::filesystem::path path = std::filesystem::path(ANVIL_SOURCE_DIR) / "scripts" / script;
  // Appends one by one: GCC 12 warns falsely (-Wrestrict) on `" " + std::string&&`.
  std::string cmd = shell_quote(python);
  cmd += ' ';
  cmd += shell_quote(path.string());
  for (const auto& a : args) {
    cmd += ' ';
    cmd += shell_quote(a);
  }
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    std::fprintf(stderr, "anvil: warning: plot %s not written (exit %d); JSON/CSV are complete\n",
                 script.c_str(), WIFEXITED(rc) ? WEXITSTATUS(rc) : rc);
    return false;
  }
  return true;
}

}  // namespace anvil::flow
