#include "flow/build_info.hpp"

#include <Eigen/Core>

#include "nn/conv_kernel.hpp"

namespace anvil::flow {

nlohmann::json build_info() {
  return {
      {"anvil", ANVIL_VERSION},
      {"compiler", __VERSION__},
      {"eigen", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) +
                    "." + std::to_string(EIGEN_MINOR_VERSION)},
      {"cxx_standard", __cplusplus},
      // Every variant gives the same bits; recorded so a timing can be traced to it.
      {"conv_kernel", nn::isa_name(nn::active_isa())}};
}

}  // namespace anvil::flow
