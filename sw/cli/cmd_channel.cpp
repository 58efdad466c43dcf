// anvil channel <device.yaml>: the device's response, selected levels and capacity
// (flow::channel_study).
#include <memory>

#include "cli/commands.hpp"
#include "flow/channel_study.hpp"

namespace anvil::cli {

void add_channel(CLI::App& app) {
  auto args = std::make_shared<flow::ChannelStudyOptions>();
  auto* cmd = app.add_subcommand(
      "channel", "Response table, selected write levels and capacity (bits/cell) of a device");
  cmd->add_option("device", args->device, "device YAML (models/devices/*.yaml)")->required();
  cmd->add_option("--out", args->out, "output directory for channel.json/.csv/.png")
      ->capture_default_str();
  cmd->add_option("--time", args->time_s, "read time in seconds (default: the device's)");
  cmd->add_option("--draws", args->draws, "simulated cells per DAC code for P(adc | dac)")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "calibration seed of the transition matrix")
      ->capture_default_str();
  cmd->add_option("--objective", args->objective,
                  "level selection: minsep (max-min separation) or mi (mutual information)")
      ->check(CLI::IsMember({"minsep", "mi"}))
      ->capture_default_str();
  cmd->callback([args] { flow::channel_study(*args); });
}

}  // namespace anvil::cli
