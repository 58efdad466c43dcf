// Device configuration: a `device:` YAML section (or a whole models/devices/*.yaml file) becomes
// a Cell = channel model + write-verify + stuck-at + read time + ADC. Keys are strict: an
// unknown key, a wrong type or a value out of range is an anvil::Error naming the file, the
// key path (e.g. "device.pcm.g_max_us") and the rule.
//
//   channel: pcm            # pcm | measured | gaussian | digital
//   pcm: {g_max_us: 25, dac_bits: 8, t0_s: 20, ...}      # only the chosen channel's section
//   adc_bits: 6             # [1, 16]
//   read_time_s: 86400      # >= 0
//   verify_time_s: 1        # >= 0
//   write_verify: {enabled: false, tolerance: 0.5, max_pulses: 8}
//   stuck_at: {rate: 0.0, low_fraction: 0.5}
//   name: ..., description: ...   # free text
//
// Relative file paths (measured.file) resolve against the directory of the YAML file.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json_fwd.hpp>

#include "core/cell.hpp"
#include "core/channel.hpp"

namespace anvil::core {

// The channel model of a device section. `file` is the YAML file the section came from (for
// messages and for resolving relative paths); `prefix` is the key path of the section.
std::shared_ptr<const Channel> make_channel(const YAML::Node& device, const std::string& file,
                                            const std::string& prefix = "device");
// The channel's section as it resolved, every default filled in, under the keys it is read
// with: reports echo it, and read back it makes the same channel. Null for a channel outside
// the registry.
nlohmann::json channel_section(const Channel& ch);
// The periphery part of a device section (adc_bits, read/verify time, write_verify, stuck_at).
CellSpec make_cell_spec(const YAML::Node& device, const std::string& file,
                        const std::string& prefix = "device");
// Channel + spec of a device section.
Cell make_cell(const YAML::Node& device, const std::string& file,
               const std::string& prefix = "device");
// A device file: either a top-level `device:` section or the section's keys at top level.
Cell load_device(const std::filesystem::path& path);

}  // namespace anvil::core
