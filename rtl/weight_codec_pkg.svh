// Copyright anvil contributors.
//
// weight_codec_pkg: constants and constant functions shared by weight_encoder and
// weight_decoder. Every function mirrors the C++ golden model in sw/core/codec.cpp
// (magnitude_range, code_min, code_max, code_bits, cells_per_weight).
// A header, not a compilation unit: each block `includes it (guarded), so every rtl/*.sv lints
// and synthesizes on its own with the include path -I rtl.

`ifndef WEIGHT_CODEC_PKG_SVH
`define WEIGHT_CODEC_PKG_SVH

package weight_codec_pkg;

  // Not every user of the package needs every constant.
  /* verilator lint_off UNUSEDPARAM */

  /// Replica combiner: sum of soft estimates, rounded (core::Combine::kMean).
  localparam int unsigned CombineMean   = 0;
  /// Replica combiner: median of hard digits, lower middle (core::Combine::kMedian).
  localparam int unsigned CombineMedian = 1;
  /// Replica combiner: sum of per-replica log-likelihoods, argmax (core::Combine::kMl).
  localparam int unsigned CombineMl     = 2;

  /// Encoder configuration address map: cfg_addr_i = {table select, index}.
  localparam int unsigned EncSelLevelDac = 0;  ///< index = digit, 0 .. Levels-1
  localparam int unsigned EncSelSignDac  = 1;  ///< index = sign bit (0 = +, 1 = -)
  /// Decoder configuration address map: cfg_addr_i = {[level,] 2-bit table select, ADC code};
  /// the level field exists with CombineMl only (adc_llr has one entry per ADC code and level).
  localparam int unsigned DecSelAdcDigit = 0;
  localparam int unsigned DecSelAdcSoft  = 1;
  localparam int unsigned DecSelAdcSign  = 2;
  localparam int unsigned DecSelAdcLlr   = 3;
  /* verilator lint_on UNUSEDPARAM */

  /// Levels^Split: number of values of the magnitude (or offset) part.
  function automatic logic [63:0] mag_range(int unsigned levels, int unsigned split);
    logic [63:0] m;
    m = 64'd1;
    for (int unsigned i = 0; i < split; i++) begin
      m = m * 64'(levels);
    end
    mag_range = m;
  endfunction

  /// Smallest weight code the codec stores exactly.
  function automatic logic signed [63:0] code_min(int unsigned levels, int unsigned split, int unsigned sign_cell);
    logic signed [63:0] m;
    m = $signed(mag_range(levels, split));
    code_min = (sign_cell != 0) ? -(m - 1) : -(m / 2);
  endfunction

  /// Largest weight code the codec stores exactly.
  function automatic logic signed [63:0] code_max(int unsigned levels, int unsigned split, int unsigned sign_cell);
    logic signed [63:0] m;
    m = $signed(mag_range(levels, split));
    code_max = (sign_cell != 0) ? (m - 1) : (m - 1 - m / 2);
  endfunction

  /// Width of the two's complement weight code holding [code_min, code_max].
  function automatic int unsigned code_bits(int unsigned levels, int unsigned split,
                                            int unsigned sign_cell);
    logic signed [63:0] lo;
    logic signed [63:0] hi;
    int unsigned b;
    lo = code_min(levels, split, sign_cell);
    hi = code_max(levels, split, sign_cell);
    b = 1;
    while ((-(64'sd1 <<< (b - 1)) > lo) || (((64'sd1 <<< (b - 1)) - 64'sd1) < hi)) begin
      b++;
    end
    code_bits = b;
  endfunction

  /// Cells one weight occupies: sign replicas (if any), then Split * Replicas digit cells.
  function automatic int unsigned cells(int unsigned split, int unsigned replicas,
                                        int unsigned sign_cell, int unsigned sign_replicas);
    cells = ((sign_cell != 0) ? sign_replicas : 0) + split * replicas;
  endfunction

  /// Bits needed to hold the values 0 .. n-1 (at least 1).
  function automatic int unsigned idx_bits(logic [63:0] n);
    idx_bits = (n <= 2) ? 1 : $clog2(n);
  endfunction

  /// Bits needed to hold the value n (at least 1).
  function automatic int unsigned val_bits(logic [63:0] n);
    val_bits = idx_bits(n + 1);
  endfunction

endpackage

`endif  // WEIGHT_CODEC_PKG_SVH
