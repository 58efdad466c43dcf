// Versions and build facts recorded in every report.
#pragma once

#include <nlohmann/json.hpp>

namespace anvil::flow {

nlohmann::json build_info();

}  // namespace anvil::flow
