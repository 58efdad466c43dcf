// A storage scheme (BRIEF 1, items 1-7, and the digital baselines of section 4), parsed from
// YAML with strict keys: an unknown key or an out-of-range value is an anvil::Error naming
// the file, the field (e.g. "schemes[2].sign.replicas") and the rule.
//
//   - name: sign+r3-median
//     levels: 16            # digit levels per magnitude cell (>= 2)
//     split: 1              # k magnitude cells per weight (>= 1)
//     replicas: 3           # r copies of every magnitude cell (>= 1)
//     combine: median       # mean | median | ml
//     sign: {cell: true, replicas: 3}
//     levels_from: select   # uniform | select (max-min separation) | select_mi
//     decode: ml            # naive | ml | mmse | ref
//     reference: {per_level: 4}   # reference cells per level and segment (decode: ref)
//     calibration: {draws: 4000, seed: 1}
//     mapping: {granularity: per_channel, clip_quantile: 0.999, companding: none, mu: 255}
//     importance: {metric: magnitude, fraction: 0.1, group: 64,
//                  protect: {replicas: 3, split: 1, levels: 16, sign_cell: true,
//                            sign_replicas: 3, combine: ml}}
//     sparse: {format: relative, index_bits: 4}   # none | bitmap | relative: zeros not stored
//     metadata: {cell: slc}  # slc (SECDED) | mlc2 (ECC for its raw error rate): metadata medium
//     per_tensor:            # per-tensor overrides of any key above (the joint optimizer's
//       fc1.weight: {levels: 6, sparse: {format: none}}   # designs), merged over this scheme
//   - name: int8-mlc2
//     digital: {format: int8, cell: mlc2, ecc: auto, failure: 1e-6}
//     mapping: {granularity: per_channel}
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/codec_tables.hpp"
#include "core/quantizer.hpp"

namespace YAML {
class Node;
}

namespace anvil::core {

enum class ImportanceMetric : uint8_t {
  kMax,    // max |w| in the group ("magnitude")
  kMean,   // mean |w| in the group
  kScore,  // mean of a per-weight sensitivity score (experiments: the Fisher information
           // diagonal on training images, flow::score_weights)
};
const char* to_string(ImportanceMetric m);

struct ImportanceSpec {
  bool enabled = false;
  ImportanceMetric metric = ImportanceMetric::kMax;
  double fraction = 0.1;  // of the groups of each tensor, protected; in [0, 1]
  uint32_t group = 64;    // G consecutive weights per group (>= 1)
  CodecShape protect;     // codec geometry of the protected class (defaults: the base)
};

enum class DigitalCell : uint8_t { kSlc, kMlc2 };
enum class Ecc : uint8_t { kNone, kSecded, kBch, kAuto };
const char* to_string(DigitalCell c);
const char* to_string(Ecc e);

// Pruned networks: weights that are exactly zero are not stored; their positions are, as a
// bitmap (one bit per weight) or as relative indices (index_bits per stored weight: the number
// of zeros skipped before it; the all-ones value is an escape that skips that many zeros and
// stores nothing). The index joins the scheme's metadata stream.
enum class SparseFormat : uint8_t { kNone, kBitmap, kRelative };
const char* to_string(SparseFormat f);

struct SparseSpec {
  SparseFormat format = SparseFormat::kNone;
  uint32_t index_bits = 4;  // relative format, in [2, 16]
  bool enabled() const { return format != SparseFormat::kNone; }
};

struct DigitalSpec {
  uint32_t bits = 32;  // bits per weight; 32 with fp32
  bool fp32 = true;    // fp32 (no quantizer) or int<bits> (the quantized model)
  DigitalCell cell = DigitalCell::kSlc;
  Ecc ecc = Ecc::kSecded;
  double failure = 1e-6;  // target probability that any ECC word of the model fails
};

struct SchemeSpec {
  std::string name;
  bool is_digital = false;
  // Analog schemes.
  CodecShape shape;
  LevelsFrom levels_from = LevelsFrom::kUniform;
  TableOptions tables;         // decode mode and calibration
  uint32_t ref_per_level = 0;  // reference cells per level and segment (decode: ref)
  MappingSpec mapping;
  ImportanceSpec importance;
  // Digital baselines.
  DigitalSpec digital;
  // Both: pruned weights, and the medium of the metadata stream (scales, codebooks, indices,
  // importance bitmaps; the model's digital parameters too): SLC with SECDED(72,64), or
  // 2-bit MLC with the ECC its raw error rate needs (as the digital baselines choose it).
  SparseSpec sparse;
  DigitalCell metadata_cell = DigitalCell::kSlc;
  // Per-tensor overrides (analog schemes): tensor name -> the scheme for that tensor, with
  // every key not overridden inherited from this one. Empty for uniform schemes.
  std::vector<struct TensorScheme> per_tensor;
  // Keys present in the YAML (dotted), to tell set values from defaults.
  std::set<std::string> set_keys;

  // The scheme that stores tensor `name`: its override, or this scheme.
  const SchemeSpec& for_tensor(const std::string& name) const;
};

struct TensorScheme {
  std::string tensor;
  SchemeSpec scheme;
};

// One scheme from a YAML map. `where` is the field prefix used in error messages.
SchemeSpec parse_scheme(const YAML::Node& node, const std::string& file, const std::string& where);
// A sequence of schemes, or a map with key `schemes:` holding one. Names must be unique.
std::vector<SchemeSpec> parse_schemes(const YAML::Node& node, const std::string& file);
// Reads and parses a YAML file (malformed YAML -> anvil::Error with the line).
std::vector<SchemeSpec> load_schemes(const std::string& path);
// The scheme with every value (set or default), in the YAML key names, for reports; the keys
// set in the YAML are listed under "set".
nlohmann::json to_json(const SchemeSpec& s);

// Parses YAML text (tests, embedded defaults).
std::vector<SchemeSpec> parse_schemes_text(const std::string& text,
                                           const std::string& file = "<schemes>");

}  // namespace anvil::core
