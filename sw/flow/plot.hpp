// Plots are drawn by the python3-matplotlib scripts in scripts/. Debian's interpreter is
// used (/usr/bin/python3, where apt installs matplotlib), not whatever python3 is first on
// PATH; ANVIL_PYTHON overrides it.
#pragma once

#include <string>
#include <vector>

namespace anvil::flow {

// Runs scripts/<script> with `args`. Returns true when the plot was written; on failure
// prints one line saying why (missing matplotlib, script error) and returns false, so a
// missing plot never loses the JSON/CSV results.
bool run_plot_script(const std::string& script, const std::vector<std::string>& args);

// `s` single-quoted for /bin/sh.
std::string shell_quote(const std::string& s);

}  // namespace anvil::flow
