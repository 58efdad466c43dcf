// anvil export-rtl: writes the RTL, tables, filelist, Yosys script and README of one codec
// configuration (flow::export_rtl): from a codec YAML holding CodecParams fields directly, or
// from a scheme of an experiment (--experiment FILE --scheme NAME).
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "flow/rtl_export.hpp"

namespace anvil::cli {

void add_export_rtl(CLI::App& app) {
  auto args = std::make_shared<flow::RtlExportRequest>();
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
  cmd->callback([args] { std::printf("%s", flow::export_rtl(*args).c_str()); });
}

}  // namespace anvil::cli
