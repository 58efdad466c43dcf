// anvil export-rtl: writes the RTL, tables, filelist, Yosys script and README of one codec
// configuration (sw/flow/rtl_export.hpp). The configuration comes from a codec YAML holding
// CodecParams fields directly; resolve_codec() is the one place to plug in other sources
// (an experiment file) later.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "core/codec_rtl.hpp"
#include "flow/rtl_export.hpp"

namespace anvil::cli {

namespace {

struct ExportRtlArgs {
  std::string codec;
  std::string out;
  std::string name = "anvil_codec";
};

core::CodecParams resolve_codec(const ExportRtlArgs& a) { return flow::load_codec_yaml(a.codec); }

}  // namespace

void add_export_rtl(CLI::App& app) {
  auto args = std::make_shared<ExportRtlArgs>();
  auto* cmd = app.add_subcommand(
      "export-rtl", "Write the encoder/decoder RTL, tables, filelist and Yosys script of a codec");
  cmd->add_option("--codec", args->codec, "codec YAML (CodecParams fields, strict keys)")
      ->required();
  cmd->add_option("--out", args->out, "output directory")->required();
  cmd->add_option("--name", args->name, "prefix of the generated package and wrappers")
      ->capture_default_str();
  cmd->callback([args] {
    const core::CodecParams p = resolve_codec(*args);
    flow::RtlExportOptions opt;
    opt.name = args->name;
    opt.source = args->codec;
    const flow::RtlExportResult r = flow::export_rtl(p, args->out, opt);
    const core::RtlGeometry g = core::rtl_geometry(p);
    std::printf("export-rtl: %zu files in %s (%u cells/weight, CodeBits %u, encoder latency %u, "
                "decoder latency %u cycles)\n",
                r.files.size(), args->out.c_str(), g.cells, g.code_bits,
                core::kEncoderLatencyCycles, core::kDecoderLatencyCycles);
  });
}

}  // namespace anvil::cli
