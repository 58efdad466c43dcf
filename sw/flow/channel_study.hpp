// anvil channel <device.yaml>: the response of a device (per DAC code: write setting, mean and
// std of the read value at the read time), the write levels selected for L = 2, 4, 8, 16 and
// the capacity (Blahut-Arimoto, bits per cell) through the device's ADC for 2, 4, 8, 16 and all
// write levels.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace anvil::flow {

struct ChannelStudyOptions {
  std::string device;
  std::string out = ".";
  std::optional<double> time_s;  // default: the device's read time
  uint32_t draws = 20000;        // simulated cells per DAC code for P(adc | dac)
  uint64_t seed = 1;
  std::string objective = "minsep";  // or "mi"
};

// Prints the study and writes OUT/channel.json and channel.csv (atomically) and channel.png.
void channel_study(const ChannelStudyOptions& o);

}  // namespace anvil::flow
