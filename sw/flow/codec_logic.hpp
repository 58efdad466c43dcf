// Codec logic of a scheme (issue 11): the area of the encoder and decoder RTL of the scheme's
// shape and of the SECDED(72,64) encoder + decoder protecting SLC data, taken from the OSU
// 0.18 um standard-cell synthesis (synth/osu018/report.csv, scripts/synth.sh --osu) and scaled
// to the array's node by the technology set's scaling file. Only a few shapes are synthesized:
// a scheme gets the nearest configuration (same split and sign cell first, then replicas,
// then levels, then the combiner), and its name is reported. Not counted: BCH logic (not
// synthesized), the ML decoders' log-likelihood tables (an SRAM macro, not mapped), the
// quantizer / format conversion of digital baselines.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/scheme.hpp"
#include "flow/report.hpp"

namespace anvil::flow {

struct SynthConfig {
  std::string config, top;
  std::map<std::string, double> params;  // "Levels" -> 16, ...
  double area_um2 = 0.0;                 // at the library's node (0.18 um)
};

// Rows of a synth report.csv (config,top,parameters,cells,flip_flops,area_um2,...); throws
// anvil::Error naming the file for a malformed row. Empty if the file does not exist.
std::vector<SynthConfig> load_synth_report(const std::filesystem::path& csv);

struct CodecLogic {
  std::string encoder, decoder, ecc;  // synthesized configurations used ("" if none)
  double area_lib_um2 = 0.0;          // at the library's node
  double area_um2 = 0.0;              // at the array's node
  std::string note;                   // what is not counted
};

// `lib_to_node`: area factor from the library's node to the array's.
CodecLogic codec_logic(const core::SchemeSpec& s, const SchemeResult& row,
                       const std::vector<SynthConfig>& synth, double lib_to_node);

nlohmann::json to_json(const CodecLogic& c);

}  // namespace anvil::flow
