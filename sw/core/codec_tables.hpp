// Builds the lookup tables of a CodecParams (core/codec.hpp) from a Cell at its read time
// (BRIEF 1, items 1, 3, 4 and 7):
//   level_dac  digit -> DAC code: uniform over the DAC range (naive mapping) or given by level
//              selection (core/level_select, adaptive mapping);
//   sign_dac   the two DAC codes of lowest and highest mean read (largest margin);
//   adc_*      the decoder, from P(adc | level):
//     naive  nearest level by the nominal (as-programmed) mean response, soft value by
//            inverting that response; P(adc | level) modelled as Gaussian from the nominal
//            per-level statistics. No drift compensation: what naive storage does.
//     ml     argmax_d P(adc | d) (uniform prior) with P from Cell::transition at the read time;
//            adc_soft = that hard digit (mean combining then averages ML decisions).
//     mmse   adc_soft = round(E[d | adc] * 2^F), adc_digit = round(E[d | adc]).
//     ref    naive, after an affine drift/scale correction of the nominal response fitted on
//            reference cells programmed at known levels and read with the weights
//            (fit_drift, build_codec with a DriftFit).
//   adc_llr    round(ln max(P(adc | d), 0.5 / draws) * 2^llr_frac_bits), for Combine::kMl:
//              <= 0, and >= ln(0.5 / 4000) * 64 = -577 with the defaults (fits 11 signed bits).
//   adc_sign   the ML decision between the two sign levels (naive/ref: nearest nominal mean).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/cell.hpp"
#include "core/codec.hpp"
#include "core/enum_names.hpp"

namespace anvil::core {

// Where the digit levels come from: uniform over the DAC range (naive mapping), or level
// selection (core/level_select) by max-min separation (select) or mutual information
// (select_mi), both at the read time.
enum class LevelsFrom : uint8_t { kUniform, kSelect, kSelectMi };
enum class DecodeMode : uint8_t { kNaive, kMl, kMmse, kRef };

inline constexpr std::array<EnumName<LevelsFrom>, 3> kLevelsFromNames{
    {{LevelsFrom::kUniform, "uniform"},
     {LevelsFrom::kSelect, "select"},
     {LevelsFrom::kSelectMi, "select_mi"}}};
static_assert(complete_names(kLevelsFromNames, LevelsFrom::kSelectMi));
inline constexpr std::array<EnumName<DecodeMode>, 4> kDecodeModeNames{
    {{DecodeMode::kNaive, "naive"},
     {DecodeMode::kMl, "ml"},
     {DecodeMode::kMmse, "mmse"},
     {DecodeMode::kRef, "ref"}}};
static_assert(complete_names(kDecodeModeNames, DecodeMode::kRef));

const char* to_string(LevelsFrom l);
const char* to_string(DecodeMode d);
LevelsFrom levels_from_string(const std::string& s, const std::string& file,
                              const std::string& field);
DecodeMode decode_from_string(const std::string& s, const std::string& file,
                              const std::string& field);

struct TableOptions {
  DecodeMode decode = DecodeMode::kMl;
  uint32_t draws = 4000;          // simulated cells per level for P(adc | level)
  uint64_t seed = 0xCA11B4A7ull;  // calibration seed (independent of any storage run)
  double nominal_time_s = -1.0;   // "as programmed" time of naive decoding; < 0: verify time
  uint32_t soft_frac_bits = 8;    // CodecParams::soft_frac_bits
  uint32_t llr_frac_bits = 6;     // adc_llr = round(ln P * 2^llr_frac_bits)
};

// Affine correction of the nominal response: expected read = gain * nominal + offset.
struct DriftFit {
  double gain = 1.0;
  double offset = 0.0;
};

// DAC codes needed to address every write setting of the channel.
uint32_t dac_bits_for(const Channel& ch);
// `levels` DAC codes spread uniformly over 0 .. dac_codes()-1 (naive mapping).
std::vector<uint32_t> uniform_level_dacs(const Channel& ch, uint32_t levels);
// {DAC code of lowest mean read, of highest mean read} at time t_s: sign_dac[0], sign_dac[1].
std::array<uint32_t, 2> sign_level_dacs(const Channel& ch, double t_s);
// The nominal ("as programmed") time naive decoding assumes.
double nominal_time(const Cell& cell, const TableOptions& opt);

// Complete, validated CodecParams for `shape` with digit levels `level_dac` (ordered by
// increasing mean read for a sensible digit order). `drift` is used by DecodeMode::kRef.
CodecParams build_codec(const Cell& cell, const CodecShape& shape,
                        std::span<const uint32_t> level_dac, const TableOptions& opt,
                        const DriftFit& drift = {});

// Least-squares affine fit observed = gain * nominal + offset over reference cells
// (nominal[i]: nominal mean of the level reference cell i was written at; observed[i]: its
// read value). One distinct nominal value fits a gain only; none leaves the identity.
DriftFit fit_drift(std::span<const double> nominal, std::span<const double> observed);

}  // namespace anvil::core
