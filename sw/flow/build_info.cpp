#include "flow/build_info.hpp"

#include <Eigen/Core>

namespace anvil::flow {

nlohmann::json build_info() {
  return {
      {"anvil", ANVIL_VERSION},
      {"compiler", __VERSION__},
      {"eigen", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) +
                    "." + std::to_string(EIGEN_MINOR_VERSION)},
      {"cxx_standard", __cplusplus}};
}

}  // namespace anvil::flow
