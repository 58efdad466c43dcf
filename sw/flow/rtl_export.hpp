// RTL export: one validated CodecParams drives everything written for a hardware flow, so the
// RTL, its tables and the C++ golden model cannot disagree. export_rtl() writes into a
// directory, atomically file by file and only after validation:
//   rtl/                  the blocks (verbatim copies of rtl/*.sv) and, for this configuration,
//                         <name>_cfg_pkg.svh (the parameter values), <name>_encoder.sv and
//                         <name>_decoder.sv (wrappers that bind them and the .hex tables)
//   hex/                  the tables as $readmemh files and the cfg-port write sequences
//   filelist.f            +incdir+rtl and the compilation units (paths relative to the directory)
//   synth.ys              Yosys script: synthesize both wrappers, write reports/*.txt
//   lint.sh               Verilator -Wall lint of both wrappers
//   README.md             what was exported and how to use it
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/codec.hpp"

namespace anvil::flow {

struct RtlExportOptions {
  std::string name = "anvil_codec";  // prefix of the generated package and wrappers
  std::string source = "";           // where the configuration came from (for the headers)
};

struct RtlExportResult {
  std::vector<std::filesystem::path> files;  // every file written, relative to the directory
};

// Throws anvil::Error (nothing written) when `p` is invalid or not supported by the RTL
// (core::validate_rtl) or the name is not a SystemVerilog identifier.
RtlExportResult export_rtl(const core::CodecParams& p, const std::filesystem::path& out_dir,
                           const RtlExportOptions& opt = {});

// CodecParams from a YAML map holding its fields directly (strict keys: an unknown key is an
// error naming the file and the key). `file` names the source in error messages. The result
// is not validated; call core::validate / validate_rtl.
core::CodecParams codec_params_from_yaml(const YAML::Node& node, const std::string& file);
core::CodecParams load_codec_yaml(const std::filesystem::path& file);

// The codec of scheme `scheme` of an experiment file (flow/experiment.hpp): its tables built
// for the experiment's device at its read time, as the functional flow builds them
// (core::scheme_level_dacs + core::build_codec). `protect` selects the codec of the
// importance-protected class instead of the main one; `tensor` the codec of a per_tensor
// override (the optimizer's designs give every layer its own). Reference-cell (decode: ref)
// tables are the nominal ones: their drift fit happens at read time, outside the RTL.
core::CodecParams codec_from_experiment(const std::filesystem::path& file,
                                        const std::string& scheme, bool protect = false,
                                        const std::string& tensor = "");

// `anvil export-rtl`: the codec from a codec YAML (`codec`) or from a scheme of an experiment
// (`experiment`, `scheme`, optionally the protected class or one tensor's override), exported
// to `out`. Returns the one-line summary.
struct RtlExportRequest {
  std::string codec, experiment, scheme, tensor, out;
  std::string name = "anvil_codec";
  bool protect = false;
};
std::string export_rtl(const RtlExportRequest& r);

}  // namespace anvil::flow
