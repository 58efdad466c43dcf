# rtl/codec_configs.txt is the one list of codec parameterisations (cosim variants, RTL benches,
# lint, synthesis). anvil_codec_configs(USE OUT) sets OUT to its rows whose `uses` include USE,
# each "name Levels Split Replicas SignCell SignReplicas Combine DacBits AdcBits SoftFracBits
# CodeBits LlrBits" (the uses column dropped).
set(ANVIL_CODEC_CONFIGS ${PROJECT_SOURCE_DIR}/rtl/codec_configs.txt)
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                                                              ${ANVIL_CODEC_CONFIGS})

function(anvil_codec_configs use out)
  file(STRINGS ${ANVIL_CODEC_CONFIGS} lines REGEX "^[a-z]")
  set(rows "")
  foreach(line ${lines})
    string(REGEX REPLACE " +" ";" f "${line}")
    list(LENGTH f n)
    if(NOT n EQUAL 13)
      message(FATAL_ERROR "${ANVIL_CODEC_CONFIGS}: '${line}': 13 columns expected, found ${n}")
    endif()
    list(GET f 1 uses)
    string(REPLACE "," ";" uses "${uses}")
    if(use IN_LIST uses)
      list(REMOVE_AT f 1)
      list(JOIN f " " row)
      list(APPEND rows "${row}")
    endif()
  endforeach()
  set(${out} "${rows}" PARENT_SCOPE)
endfunction()
