// Copyright anvil contributors.
//
// weight_decoder: the ADC codes of all cells of one weight in (parallel), the signed weight
// code out. Bit-exact with anvil::core::decode (sw/core/codec.cpp) for every combiner (mean,
// median, ml). Cell order on adc_i as in weight_encoder:
//   [sign replica 0 .. SignReplicas-1] (only with SignCell)
//   [digit 0 (msd) replica 0 .. Replicas-1] ... [digit Split-1 replicas]
//
// Pipeline (one weight per clock in steady state, valid/ready back-pressure on every stage;
// latency 3 cycles from the valid_i/ready_o handshake to valid_o):
//   stage 1  table lookup per cell: adc_sign (sign cells), adc_digit (median), adc_soft
//            (mean, fixed point with SoftFracBits fraction bits) or the Levels entries of
//            adc_llr (ml, signed LlrBits-bit log-likelihoods);
//   stage 2  per digit, combine the Replicas copies:
//              mean:   s = sum of soft values, d = min((s + unit/2) / unit, Levels-1),
//                      unit = Replicas << SoftFracBits (computed as ((s + unit/2) >> F) / r);
//              median: the element of rank (Replicas-1)/2 (lower middle for even Replicas),
//                      found by counting (no sorting network);
//              ml:     per level the sum of the replicas' log-likelihoods, then the level with
//                      the largest sum (the lowest level on ties);
//            sign by majority of the sign replicas, ties read as positive;
//   stage 3  recombination value = sum d_i * Levels^(Split-1-i), then
//            code = neg ? -value : value (SignCell) or value - Levels^Split/2 (offset).
//
// Tables (not reset: configuration memory, kept across rst_ni), written through the
// configuration port, cfg_addr_i = {[level,] 2-bit select, ADC code}: select 0 = adc_digit,
// 1 = adc_soft, 2 = adc_sign (bit 0 of the data), 3 = adc_llr[code][level] (ml only: the
// level field exists only then); writes to a table this configuration does not use are
// ignored. They may also be initialised from $readmemh files.

`include "weight_codec_pkg.svh"

module weight_decoder #(
  /// Digit values per magnitude cell (L >= 2).
  parameter int unsigned Levels       = 16,
  /// Magnitude cells (digits) per weight (k >= 1), most significant first.
  parameter int unsigned Split        = 1,
  /// Copies of every magnitude cell (r >= 1).
  parameter int unsigned Replicas     = 1,
  /// 1: sign stored apart in SignReplicas cells; 0: offset (code + L^k/2) encoding.
  parameter int unsigned SignCell     = 0,
  /// Copies of the sign cell (used only with SignCell), decoded by majority.
  parameter int unsigned SignReplicas = 1,
  /// Replica combiner: CombineMean (0), CombineMedian (1) or CombineMl (2).
  parameter int unsigned Combine      = weight_codec_pkg::CombineMedian,
  /// Width of an ADC code; the tables have 2^AdcBits entries.
  parameter int unsigned AdcBits      = 6,
  /// Fraction bits of the soft digit estimates (adc_soft = digit * 2^SoftFracBits).
  parameter int unsigned SoftFracBits = 8,
  /// Width of a log-likelihood entry of adc_llr (signed; used with CombineMl).
  parameter int unsigned LlrBits      = 16,
  /// Width of the signed weight code; at least code_bits(Levels, Split, SignCell).
  parameter int unsigned CodeBits     = weight_codec_pkg::code_bits(Levels, Split, SignCell),
  /// Optional $readmemh file with 2^AdcBits entries of adc_digit ("" = none).
  parameter              AdcDigitFile = "",
  /// Optional $readmemh file with 2^AdcBits entries of adc_soft ("" = none).
  parameter              AdcSoftFile  = "",
  /// Optional $readmemh file with 2^AdcBits entries of adc_sign ("" = none).
  parameter              AdcSignFile  = "",
  /// Optional $readmemh file with 2^AdcBits * Levels entries of adc_llr, entry
  /// code * Levels + level ("" = none).
  parameter              AdcLlrFile   = "",
  // Derived: do not override.
  /// Cells per weight.
  localparam int unsigned Cells       = weight_codec_pkg::cells(Split, Replicas, SignCell, SignReplicas),
  /// Width of the configuration address: {[level,] 2-bit select, ADC code}.
  localparam int unsigned CfgAddrBits = AdcBits + 2 + ((Combine == weight_codec_pkg::CombineMl) ?
                                        weight_codec_pkg::idx_bits(64'(Levels)) : 0),
  /// Width of the configuration data (a soft value or, with ml, a log-likelihood; digits and
  /// sign bits use the LSBs).
  localparam int unsigned CfgDataBits = (Combine == weight_codec_pkg::CombineMl) ? LlrBits :
                                        weight_codec_pkg::val_bits((64'(Levels) - 1) << SoftFracBits)
) (
  /// Clock.
  input  logic                           clk_i,
  /// Synchronous reset, active low (clears the pipeline, keeps the tables).
  input  logic                           rst_ni,
  /// Configuration write enable (one table entry per cycle).
  input  logic                           cfg_we_i,
  /// Configuration address {select, ADC code}: select 0 adc_digit, 1 adc_soft, 2 adc_sign.
  input  logic [CfgAddrBits-1:0]         cfg_addr_i,
  /// Configuration write data.
  input  logic [CfgDataBits-1:0]         cfg_wdata_i,
  /// Input cells valid.
  input  logic                           valid_i,
  /// Input cells accepted when valid_i && ready_o.
  output logic                           ready_o,
  /// ADC codes of the weight's cells, cell c at adc_i[c*AdcBits +: AdcBits].
  input  logic [Cells*AdcBits-1:0]       adc_i,
  /// Output weight valid.
  output logic                           valid_o,
  /// Downstream ready; the weight is taken when valid_o && ready_i.
  input  logic                           ready_i,
  /// Decoded signed weight code (two's complement).
  output logic signed [CodeBits-1:0]     code_o
);

  localparam logic [63:0] MagRange  = weight_codec_pkg::mag_range(Levels, Split);
  localparam int unsigned     VBits     = weight_codec_pkg::idx_bits(MagRange);    // holds 0 .. MagRange-1
  localparam int unsigned     XBits     = VBits + 1;             // holds Levels as well
  localparam int unsigned     WBits     = ((CodeBits > VBits) ? CodeBits : VBits) + 1;
  localparam int unsigned     IdxBits   = weight_codec_pkg::idx_bits(64'(Levels));
  localparam int unsigned     SoftBits  = CfgDataBits;
  localparam int unsigned     NumAdc    = 1 << AdcBits;
  localparam int unsigned     SignCells = (SignCell != 0) ? SignReplicas : 0;
  localparam int unsigned     MagCells  = Split * Replicas;
  localparam bit              IsMean    = Combine == weight_codec_pkg::CombineMean;
  localparam bit              IsMl      = Combine == weight_codec_pkg::CombineMl;
  // Ml combiner: sum of Replicas signed LlrBits-bit entries; adc_llr index code * Levels + d.
  localparam int unsigned     LlrSumBits = LlrBits + weight_codec_pkg::val_bits(64'(Replicas));
  localparam int unsigned     LlrIdxBits = weight_codec_pkg::idx_bits(64'(NumAdc) * 64'(Levels));
  // Mean combiner: s + unit/2 <= Replicas * ((Levels-1) << F) + (Replicas << F) / 2.
  localparam logic [63:0] SumMax    = 64'(Replicas) * ((64'(Levels) - 1) << SoftFracBits)
                                          + ((64'(Replicas) << SoftFracBits) / 2);
  localparam int unsigned     SumBits   = weight_codec_pkg::val_bits(SumMax);
  localparam int unsigned     TBits     = SumBits - SoftFracBits;
  localparam int unsigned     QBits     = ((TBits > IdxBits) ? TBits : IdxBits) + 1;
  // Median: rank of the selected element and width of the rank counters.
  localparam int unsigned     Mid       = (Replicas - 1) / 2;
  localparam int unsigned     CntBits   = weight_codec_pkg::val_bits(64'(Replicas));
  localparam int unsigned     SCntBits  = weight_codec_pkg::val_bits(64'(SignReplicas));

`ifndef SYNTHESIS
  initial begin
    if (Levels < 2) $fatal(1, "weight_decoder: Levels must be >= 2");
    if (Split < 1 || Replicas < 1) $fatal(1, "weight_decoder: Split and Replicas must be >= 1");
    if (SignCell != 0 && SignReplicas < 1) $fatal(1, "weight_decoder: SignReplicas must be >= 1");
    if (MagRange > (64'd1 << 30)) $fatal(1, "weight_decoder: Levels^Split must be <= 2^30");
    if (Combine > weight_codec_pkg::CombineMl) begin
      $fatal(1, "weight_decoder: Combine must be CombineMean (0), CombineMedian (1) or CombineMl (2)");
    end
    if (IsMl && (LlrBits < 2 || LlrBits > 32)) $fatal(1, "weight_decoder: LlrBits must be in [2, 32]");
    if (AdcBits < 1 || AdcBits > 16) $fatal(1, "weight_decoder: AdcBits must be in [1, 16]");
    if (SoftFracBits < 1 || SoftFracBits > 16) begin
      $fatal(1, "weight_decoder: SoftFracBits must be in [1, 16]");
    end
    if (CodeBits < weight_codec_pkg::code_bits(Levels, Split, SignCell) || CodeBits > 32) begin
      $fatal(1, "weight_decoder: CodeBits out of range");
    end
  end
`endif

  /////////////////////
  // Pipeline control //
  /////////////////////

  // Stage s register loads when en_s: it is empty or its content moves on.
  logic valid1_q, valid2_q, valid3_q;
  logic en1, en2, en3;

  assign en3     = !valid3_q || ready_i;
  assign en2     = !valid2_q || en3;
  assign en1     = !valid1_q || en2;
  assign ready_o = en1;
  assign valid_o = valid3_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      valid1_q <= 1'b0;
      valid2_q <= 1'b0;
      valid3_q <= 1'b0;
    end else begin
      if (en1) valid1_q <= valid_i;
      if (en2) valid2_q <= valid1_q;
      if (en3) valid3_q <= valid2_q;
    end
  end

  logic load1, load2, load3;
  assign load1 = valid_i && en1;
  assign load2 = valid1_q && en2;
  assign load3 = valid2_q && en3;

  ////////////////////////////////////
  // Configuration port and tables  //
  ////////////////////////////////////

  logic [1:0]         cfg_sel;
  logic [AdcBits-1:0] cfg_idx;
  assign cfg_sel = cfg_addr_i[AdcBits+1:AdcBits];
  assign cfg_idx = cfg_addr_i[AdcBits-1:0];

  logic unused_cfg;  // the LSBs suffice for digits and sign bits
  assign unused_cfg = ^cfg_wdata_i;

  /////////////////////////////
  // Stage 1: sign lookups   //
  /////////////////////////////

  logic neg2_d;  // stage 2 input: majority of the sign replicas

  if (SignCell != 0) begin : gen_sign
    logic                 adc_sign_q [NumAdc];
    logic [SignCells-1:0] sign_q;

    always_ff @(posedge clk_i) begin
      if (cfg_we_i && cfg_sel == 2'(weight_codec_pkg::DecSelAdcSign)) begin
        adc_sign_q[cfg_idx] <= cfg_wdata_i[0];
      end
    end

    if (AdcSignFile != "") begin : gen_init
      initial $readmemh(AdcSignFile, adc_sign_q);
    end

    always_ff @(posedge clk_i) begin
      if (load1) begin
        for (int j = 0; j < SignCells; j++) begin
          sign_q[j] <= adc_sign_q[adc_i[j*AdcBits +: AdcBits]];
        end
      end
    end

    // Majority, ties positive: 2 * ones > SignReplicas <=> ones > SignReplicas / 2.
    logic [SCntBits-1:0] ones;
    always_comb begin
      ones = '0;
      for (int j = 0; j < SignCells; j++) begin
        ones = ones + SCntBits'(sign_q[j]);
      end
    end
    assign neg2_d = ones > SCntBits'(SignReplicas / 2);
  end else begin : gen_no_sign
    assign neg2_d = 1'b0;
  end

  //////////////////////////////////////////
  // Stage 1 + 2: digit lookup, combining //
  //////////////////////////////////////////

  logic [Split*IdxBits-1:0] digit2_d;  // stage 2 output: digit i at [i*IdxBits +: IdxBits]

  if (IsMean) begin : gen_mean
    logic [SoftBits-1:0] adc_soft_q [NumAdc];
    logic [MagCells*SoftBits-1:0] soft_q;

    always_ff @(posedge clk_i) begin
      if (cfg_we_i && cfg_sel == 2'(weight_codec_pkg::DecSelAdcSoft)) begin
        adc_soft_q[cfg_idx] <= cfg_wdata_i;
      end
    end

    if (AdcSoftFile != "") begin : gen_init
      initial $readmemh(AdcSoftFile, adc_soft_q);
    end

    always_ff @(posedge clk_i) begin
      if (load1) begin
        for (int c = 0; c < MagCells; c++) begin
          soft_q[c*SoftBits +: SoftBits] <= adc_soft_q[adc_i[(SignCells + c)*AdcBits +: AdcBits]];
        end
      end
    end

    for (genvar i = 0; i < Split; i++) begin : gen_digit
      logic [SumBits-1:0] sum;      // sum of the soft values + unit / 2
      logic [TBits-1:0]   scaled;   // (s + unit/2) >> F
      logic [QBits-1:0]   quot;     // ... / Replicas
      logic [QBits-1:0]   top;      // min(quot, Levels-1)

      always_comb begin
        sum = SumBits'((64'(Replicas) << SoftFracBits) / 2);
        for (int j = 0; j < Replicas; j++) begin
          sum = sum + SumBits'(soft_q[(i * Replicas + j)*SoftBits +: SoftBits]);
        end
      end
      assign scaled      = sum[SumBits-1:SoftFracBits];
      assign quot        = QBits'(scaled) / QBits'(Replicas);
      assign top         = (quot > QBits'(Levels - 1)) ? QBits'(Levels - 1) : quot;
      assign digit2_d[i*IdxBits +: IdxBits] = top[IdxBits-1:0];

      logic unused_mean;  // rounding bits, and top < Levels
      assign unused_mean = ^sum[SoftFracBits-1:0] ^ ^top;
    end
  end else if (IsMl) begin : gen_ml
    logic signed [LlrBits-1:0]          adc_llr_q [NumAdc*Levels];
    logic [MagCells*Levels*LlrBits-1:0] llr_q;  // cell c, level d at [(c*Levels+d)*LlrBits]
    logic [IdxBits-1:0]                 cfg_lvl;
    assign cfg_lvl = cfg_addr_i[CfgAddrBits-1:AdcBits+2];

    always_ff @(posedge clk_i) begin
      if (cfg_we_i && cfg_sel == 2'(weight_codec_pkg::DecSelAdcLlr) &&
          32'(cfg_lvl) < Levels) begin
        adc_llr_q[LlrIdxBits'(cfg_idx) * LlrIdxBits'(Levels) + LlrIdxBits'(cfg_lvl)] <=
            cfg_wdata_i[LlrBits-1:0];
      end
    end

    if (AdcLlrFile != "") begin : gen_init
      initial $readmemh(AdcLlrFile, adc_llr_q);
    end

    always_ff @(posedge clk_i) begin
      if (load1) begin
        for (int c = 0; c < MagCells; c++) begin
          for (int d = 0; d < Levels; d++) begin
            llr_q[(c*Levels + d)*LlrBits +: LlrBits] <=
                adc_llr_q[LlrIdxBits'(adc_i[(SignCells + c)*AdcBits +: AdcBits]) *
                          LlrIdxBits'(Levels) + LlrIdxBits'(d)];
          end
        end
      end
    end

    for (genvar i = 0; i < Split; i++) begin : gen_digit
      // Levels in increasing order; a strictly larger sum replaces the best (ties: lowest).
      logic signed [LlrSumBits-1:0] ll;
      logic signed [LlrSumBits-1:0] best_ll;
      logic [IdxBits-1:0]           best;
      always_comb begin
        best    = '0;
        best_ll = '0;
        for (int d = 0; d < Levels; d++) begin
          ll = '0;
          for (int j = 0; j < Replicas; j++) begin
            ll = ll + LlrSumBits'($signed(llr_q[((i * Replicas + j)*Levels + d)*LlrBits +: LlrBits]));
          end
          if (d == 0 || ll > best_ll) begin
            best    = IdxBits'(d);
            best_ll = ll;
          end
        end
      end
      assign digit2_d[i*IdxBits +: IdxBits] = best;
    end
  end else begin : gen_median
    logic [IdxBits-1:0] adc_digit_q [NumAdc];
    logic [MagCells*IdxBits-1:0] hard_q;

    always_ff @(posedge clk_i) begin
      if (cfg_we_i && cfg_sel == 2'(weight_codec_pkg::DecSelAdcDigit)) begin
        adc_digit_q[cfg_idx] <= cfg_wdata_i[IdxBits-1:0];
      end
    end

    if (AdcDigitFile != "") begin : gen_init
      initial $readmemh(AdcDigitFile, adc_digit_q);
    end

    always_ff @(posedge clk_i) begin
      if (load1) begin
        for (int c = 0; c < MagCells; c++) begin
          hard_q[c*IdxBits +: IdxBits] <= adc_digit_q[adc_i[(SignCells + c)*AdcBits +: AdcBits]];
        end
      end
    end

    for (genvar i = 0; i < Split; i++) begin : gen_digit
      // Element j has rank Mid in sorted order iff #less(j) <= Mid < #less_or_equal(j).
      logic [IdxBits-1:0] med;
      logic               found;
      logic [CntBits-1:0] lt;
      logic [CntBits-1:0] le;
      always_comb begin
        med   = '0;
        found = 1'b0;
        for (int j = 0; j < Replicas; j++) begin
          lt = '0;
          le = '0;
          for (int m = 0; m < Replicas; m++) begin
            lt = lt + CntBits'(hard_q[(i * Replicas + m)*IdxBits +: IdxBits] <
                               hard_q[(i * Replicas + j)*IdxBits +: IdxBits]);
            le = le + CntBits'(hard_q[(i * Replicas + m)*IdxBits +: IdxBits] <=
                               hard_q[(i * Replicas + j)*IdxBits +: IdxBits]);
          end
          if (!found && lt <= CntBits'(Mid) && CntBits'(Mid) < le) begin
            med   = hard_q[(i * Replicas + j)*IdxBits +: IdxBits];
            found = 1'b1;
          end
        end
      end
      assign digit2_d[i*IdxBits +: IdxBits] = med;
    end
  end

  /////////////////////////////
  // Stage 2 register        //
  /////////////////////////////

  logic [Split*IdxBits-1:0]     digit_q;
  logic                          neg_q;

  always_ff @(posedge clk_i) begin
    if (load2) begin
      digit_q <= digit2_d;
      neg_q   <= neg2_d;
    end
  end

  ///////////////////////////////////
  // Stage 3: recombination, sign  //
  ///////////////////////////////////

  logic [XBits-1:0]        value;
  logic signed [WBits-1:0] value_wide;
  logic signed [WBits-1:0] code_wide;

  always_comb begin
    value = '0;
    for (int i = 0; i < Split; i++) begin
      value = value * XBits'(Levels) + XBits'(digit_q[i*IdxBits +: IdxBits]);
    end
  end

  assign value_wide = WBits'(value[VBits-1:0]);

  if (SignCell != 0) begin : gen_sign_magnitude
    assign code_wide = neg_q ? -value_wide : value_wide;
  end else begin : gen_offset
    assign code_wide = value_wide - WBits'(MagRange / 2);
    logic unused_neg;
    assign unused_neg = neg_q;
  end

  logic unused_code;  // value < Levels^Split; the code fits CodeBits
  assign unused_code = value[XBits-1] ^ ^code_wide[WBits-1:CodeBits];

  logic signed [CodeBits-1:0] code_q;

  always_ff @(posedge clk_i) begin
    if (load3) begin
      code_q <= code_wide[CodeBits-1:0];
    end
  end

  assign code_o = code_q;

endmodule
