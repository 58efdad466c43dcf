// anvil export-rtl: writes the RTL, tables, filelist, Yosys script and README of one codec
// configuration (sw/flow/rtl_export.hpp). The configuration comes from a codec YAML holding
// CodecParams fields directly, or from a scheme of an experiment; resolve_codec() decides
// (an experiment file: --experiment FILE --scheme NAME).
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "core/codec_rtl.hpp"
#include "core/error.hpp"
#include "flow/rtl_export.hpp"

namespace anvil::cli {

namespace {

struct ExportRtlArgs {
  std::string codec;
  std::string experiment;
  std::string scheme;
  bool protect = false;
  std::string tensor;
  std::string out;
  std::string name = "anvil_codec";
};

// The one place that decides where the CodecParams come from.
core::CodecParams resolve_codec(const ExportRtlArgs& a) {
  if (!a.codec.empty()) return flow::load_codec_yaml(a.codec);
  return flow::codec_from_experiment(a.experiment, a.scheme, a.protect, a.tensor);
}

}  // namespace

void add_export_rtl(CLI::App& app) {
  auto args = std::make_shared<ExportRtlArgs>();
  auto* cmd = app.add_subcommand(
      "export-rtl", "Write the encoder/decoder RTL, tables, filelist and Yosys script of a codec");
  auto* codec =
      cmd->add_option("--codec", args->codec, "codec YAML (CodecParams fields, strict keys)");
  auto* exp = cmd->add_option("--experiment", args->experiment,
                              "experiment YAML: export the codec of one of its schemes");
  auto* scheme = cmd->add_option("--scheme", args->scheme, "scheme name (with --experiment)");
  cmd->add_option("--tensor", args->tensor,
                  "a per_tensor override's codec (with --experiment; e.g. fc1.weight)");
  cmd->add_flag("--protect", args->protect,
                "the importance-protected class's codec (with --experiment)")
      ->needs(exp);
  codec->excludes(exp);
  exp->needs(scheme);
  scheme->needs(exp);
  cmd->add_option("--out", args->out, "output directory")->required();
  cmd->add_option("--name", args->name, "prefix of the generated package and wrappers")
      ->capture_default_str();
  cmd->callback([args] {
    if (args->codec.empty() && args->experiment.empty())
      throw Error("export-rtl", "--codec", "give --codec FILE or --experiment FILE --scheme NAME");
    const core::CodecParams p = resolve_codec(*args);
    flow::RtlExportOptions opt;
    opt.name = args->name;
    opt.source = args->codec.empty() ? args->experiment + ":" + args->scheme : args->codec;
    const flow::RtlExportResult r = flow::export_rtl(p, args->out, opt);
    const core::RtlGeometry g = core::rtl_geometry(p);
    std::printf(
        "export-rtl: %zu files in %s (%u cells/weight, CodeBits %u, encoder latency %u, "
        "decoder latency %u cycles)\n",
        r.files.size(), args->out.c_str(), g.cells, g.code_bits, core::kEncoderLatencyCycles,
        core::kDecoderLatencyCycles);
  });
}

}  // namespace anvil::cli
