// SECDED(72,64): the Hsiao single-error-correcting, double-error-detecting code of the digital
// baselines (fp32 on SLC with SECDED, BRIEF.md section 4), and the golden model of
// rtl/secded_72_64_enc.sv and rtl/secded_72_64_dec.sv.
//
// Codeword layout: bits [63:0] are the data, bits [71:64] the 8 check bits. Check bit j is the
// parity of data & kSecdedMasks[j]. The parity-check matrix has odd-weight columns only (Hsiao):
// the 56 weight-3 columns of 8 rows in lexicographic order for data bits 0..55, the 8 cyclic
// weight-5 columns {j .. j+4 mod 8} for data bits 56..63, and the unit vectors for the check
// bits; every row has weight 26 + 1. A zero syndrome means no error; a syndrome equal to a column
// is a single error there (corrected); any other syndrome (every even-weight one: all double
// errors) is reported as uncorrectable.
#pragma once

#include <array>
#include <cstdint>

namespace anvil::core {

struct Codeword72 {
  uint64_t data = 0;  // bits [63:0]
  uint8_t check = 0;  // bits [71:64]
  bool operator==(const Codeword72&) const = default;
  // Flips codeword bit `bit` (0..71).
  void flip(unsigned bit);
};

struct SecdedResult {
  uint64_t data = 0;          // corrected data
  uint8_t syndrome = 0;       // H * received
  bool corrected = false;     // exactly one bit was wrong and has been corrected
  bool double_error = false;  // an uncorrectable error (every double error) was detected
};

// Row masks of the parity-check matrix over the 64 data bits (the RTL uses the same constants).
const std::array<uint64_t, 8>& secded_masks();

Codeword72 secded_encode(uint64_t data);
SecdedResult secded_decode(const Codeword72& word);

}  // namespace anvil::core
