// Footprint accounting (BRIEF 4): physical cells that store a model, metadata included.
//
// Analog schemes: weight cells (cells_per_weight x weights, per segment; sign cells
// included), analog reference cells (decode: ref), and metadata stored digitally on SLC with
// SECDED(72,64): fp32 scales, companding codebooks (mu-law: mu; Lloyd: every entry), and one
// bit per importance group. All metadata of a model is one bit stream cut into 64-bit blocks,
// each stored as 72 cells: ceil(bits / 64) * 72. (Segment addresses and codec tables are a
// few configuration words of the controller, not counted.)
//
// Digital baselines: fp32 on SLC with SECDED(72,64) (the paper's conventional storage), and
// int<N> (the same quantized model) on SLC or 2-bit MLC with ECC strong enough for the
// channel's raw bit error rate. Raw error rates come from the channel's per-level statistics
// at the read time (Gaussian tails between equal-z thresholds, plus stuck-at cells; MLC:
// four levels spread over the mean response, Gray coded). ECC: SECDED(72,64), or a binary
// primitive narrow-sense BCH code over GF(2^10) (n = 1023, k from the cyclotomic cosets,
// exact), smallest t for which the union bound words x P(word has > t errors) stays below
// the target model failure probability (DigitalSpec::failure, default 1e-6). The choice is
// analytic (storage is then taken as error-free); core/bch is a real encoder/decoder whose
// Monte Carlo word failure rate the tests check against word_failure().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/cell.hpp"
#include "core/scheme.hpp"

namespace anvil::core {

struct Allocation;

// A tensor as footprint accounting sees it.
struct TensorShape {
  std::string name;
  uint64_t size = 0;        // weights
  uint32_t channels = 1;    // output channels (axis 0)
  uint64_t stored = 0;      // weights stored: size, or the nonzeros of a sparse scheme
  uint64_t index_bits = 0;  // sparse position index (0 when dense)
};

// Bits of the position index of the nonzeros of `w` in `format` (sparse: see SparseSpec).
uint64_t sparse_index_bits(const SparseSpec& sp, std::span<const float> w);

// A block code as stored: n cells-worth of bits per k data bits, correcting t errors.
struct EccCode {
  std::string name;  // "none", "SECDED(72,64)", "BCH(1023,1003,t=2)"
  uint32_t n = 1, k = 1, t = 0;
};

struct EccChoice {
  EccCode code;
  double raw_ber = 0.0;        // raw bit error rate of the medium
  double word_failure = 0.0;   // P(more than t errors in one word)
  double model_failure = 0.0;  // union bound over the words of the model
  bool meets_target = true;
};

struct Footprint {
  std::string scheme;
  uint64_t weights = 0;
  uint64_t weight_cells = 0;     // analog: cells of weight segments; digital: data + parity
  uint64_t sign_cells = 0;       // analog: of weight_cells, the sign cells
  uint64_t parity_cells = 0;     // digital: of weight_cells, the ECC parity share
  uint64_t reference_cells = 0;  // analog reference cells (decode: ref)
  uint64_t metadata_bits = 0;    // scales, codebooks, importance bitmaps
  uint64_t metadata_cells = 0;   // ceil(metadata_bits / 64) * 72
  EccChoice ecc;                 // digital baselines
  uint64_t total() const { return weight_cells + reference_cells + metadata_cells; }
  double cells_per_weight() const {
    return weights ? static_cast<double>(total()) / static_cast<double>(weights) : 0.0;
  }
};

// Every count, total and cells per weight; the ECC for digital baselines.
nlohmann::json to_json(const Footprint& f);

// ceil(bits / 64) * 72: SLC with SECDED(72,64).
uint64_t secded_cells(uint64_t bits);
// Cells of `bits` data bits in words of `code`, packed `bits_per_cell` per cell.
uint64_t ecc_cells(uint64_t bits, const EccCode& code, uint32_t bits_per_cell);

EccCode secded_72_64();
// Dimension of the binary primitive narrow-sense BCH code of length 2^m - 1 correcting t.
uint32_t bch_dimension(uint32_t m, uint32_t t);
EccCode bch_code(uint32_t m, uint32_t t);
// P(more than t of n bits in error) at raw bit error rate p.
double word_failure(uint32_t n, uint32_t t, double p);
// The ECC of a digital baseline for `data_bits` at raw error rate `ber` (see header note).
EccChoice choose_ecc(Ecc ecc, double ber, uint64_t data_bits, double target_failure);

// Raw bit error rates of a cell used as digital memory at its read time.
struct DigitalErrorRates {
  double slc = 0.0;                 // two extreme levels
  double mlc2 = 0.0;                // four levels, Gray coded, per bit
  std::vector<uint32_t> mlc2_dacs;  // the four DAC codes used, by increasing mean
};
DigitalErrorRates digital_error_rates(const Cell& cell);

// Footprint of a digital baseline for tensors of these shapes (exact).
Footprint digital_footprint(const SchemeSpec& s, std::span<const TensorShape> tensors,
                            const DigitalErrorRates& rates);
// Footprint of an analog scheme from shapes alone: exact without importance classes, and with
// them unless a tensor's partial last group (size not a multiple of the group) ends up
// protected: shapes alone cannot tell, so protected groups are taken as full ones here.
// footprint(Allocation) is always exact.
Footprint analog_footprint(const SchemeSpec& s, std::span<const TensorShape> tensors);
// Exact footprint of an allocation (any scheme). `model_metadata_bits` are the model's own
// digital parameters (biases, BatchNorm vectors), which join the scheme's metadata stream, so
// that total() is every cell the model occupies.
Footprint footprint(const Allocation& a, uint64_t model_metadata_bits = 0);
// Cells of a metadata stream of `bits` on `cell`: SLC with SECDED(72,64), or 2-bit MLC with
// the ECC chosen for its raw error rate (as the int<N>-mlc2 baselines).
uint64_t metadata_cells(uint64_t bits, DigitalCell cell, const DigitalErrorRates& rates);

}  // namespace anvil::core
