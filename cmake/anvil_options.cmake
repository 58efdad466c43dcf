# Warnings and tuning applied to every anvil target through one interface library.
add_library(anvil_options INTERFACE)
target_compile_options(anvil_options INTERFACE -Wall -Wextra -Wpedantic)
if(ANVIL_WERROR)
  target_compile_options(anvil_options INTERFACE -Werror)
endif()
if(ANVIL_NATIVE)
  target_compile_options(anvil_options INTERFACE -march=native)
else()
  # x86-64-v2 portable baseline; Eigen still vectorises with SSE4.2.
  target_compile_options(anvil_options INTERFACE -msse4.2)
endif()
target_compile_definitions(anvil_options INTERFACE ANVIL_VERSION="${PROJECT_VERSION}"
                                                   ANVIL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
