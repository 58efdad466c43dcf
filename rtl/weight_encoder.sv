// Copyright anvil contributors.
//
// weight_encoder: one signed weight code in, the DAC codes of all its cells out, in parallel.
// Bit-exact with anvil::core::encode (sw/core/codec.cpp):
//   1. the code is clamped to [code_min, code_max];
//   2. with SignCell, the sign goes to SignReplicas cells written at sign_dac[neg] and the
//      magnitude |code| is stored; without, the offset value code + Levels^Split / 2 is stored;
//   3. the value is split into Split digits base Levels, most significant first. A power-of-two
//      Levels takes bit slices; any other Levels uses division / modulo by constants (the
//      synthesizer builds constant dividers; no digit lookup table, so the cost grows with the
//      value width, not with Levels^Split);
//   4. every digit is written to Replicas cells through the programmable level_dac table.
// Cell order on dac_o (cell c at dac_o[c]):
//   [sign replica 0 .. SignReplicas-1] (only with SignCell)
//   [digit 0 (msd) replica 0 .. Replicas-1] ... [digit Split-1 replicas]
//
// Tables (not reset: configuration memory, kept across rst_ni) are written through the
// configuration port, cfg_addr_i = {select, index}: select 0 = level_dac[index] (index <
// Levels, others ignored), select 1 = sign_dac[index[0]]. They may also be initialised from
// $readmemh files (LevelDacFile, SignDacFile; written by `anvil export-rtl`).
//
// Timing: one pipeline register (latency 1 cycle from the valid_i/ready_o handshake to
// valid_o), one weight per clock in steady state, full valid/ready back-pressure
// (ready_o = !valid_o || ready_i).

`include "weight_codec_pkg.svh"

module weight_encoder #(
  /// Digit values per magnitude cell (L >= 2).
  parameter int unsigned Levels       = 16,
  /// Magnitude cells (digits) per weight (k >= 1), most significant first.
  parameter int unsigned Split        = 1,
  /// Copies of every magnitude cell (r >= 1).
  parameter int unsigned Replicas     = 1,
  /// 1: sign stored apart in SignReplicas cells; 0: offset (code + L^k/2) encoding.
  parameter int unsigned SignCell     = 0,
  /// Copies of the sign cell (used only with SignCell).
  parameter int unsigned SignReplicas = 1,
  /// Width of a DAC code.
  parameter int unsigned DacBits      = 8,
  /// Width of the signed weight code; at least code_bits(Levels, Split, SignCell).
  parameter int unsigned CodeBits     = weight_codec_pkg::code_bits(Levels, Split, SignCell),
  /// Optional $readmemh file with Levels entries of level_dac ("" = none).
  parameter              LevelDacFile = "",
  /// Optional $readmemh file with 2 entries of sign_dac ("" = none).
  parameter              SignDacFile  = "",
  // Derived: do not override.
  /// Cells per weight.
  localparam int unsigned Cells       = weight_codec_pkg::cells(Split, Replicas, SignCell, SignReplicas),
  /// Width of the table index.
  localparam int unsigned IdxBits     = weight_codec_pkg::idx_bits(64'(Levels)),
  /// Width of the configuration address: {select, index}.
  localparam int unsigned CfgAddrBits = IdxBits + 1
) (
  /// Clock.
  input  logic                              clk_i,
  /// Synchronous reset, active low (clears the pipeline, keeps the tables).
  input  logic                              rst_ni,
  /// Configuration write enable (one table entry per cycle).
  input  logic                              cfg_we_i,
  /// Configuration address {select, index}: select 0 level_dac, 1 sign_dac.
  input  logic [CfgAddrBits-1:0]            cfg_addr_i,
  /// Configuration write data: a DAC code.
  input  logic [DacBits-1:0]                cfg_wdata_i,
  /// Input weight valid.
  input  logic                              valid_i,
  /// Input weight accepted when valid_i && ready_o.
  output logic                              ready_o,
  /// Signed weight code (two's complement); clamped to [code_min, code_max].
  input  logic signed [CodeBits-1:0]        code_i,
  /// Output cells valid.
  output logic                              valid_o,
  /// Downstream ready; the cells are taken when valid_o && ready_i.
  input  logic                              ready_i,
  /// DAC codes of the weight's cells, cell c at dac_o[c*DacBits +: DacBits] (order above).
  output logic [Cells*DacBits-1:0]          dac_o
);

  localparam logic [63:0] MagRange = weight_codec_pkg::mag_range(Levels, Split);
  localparam int unsigned     VBits    = weight_codec_pkg::idx_bits(MagRange);   // holds 0 .. MagRange-1
  localparam int unsigned     WBits    = ((CodeBits > VBits) ? CodeBits : VBits) + 1;
  localparam int unsigned     XBits    = VBits + 1;            // holds MagRange and Levels
  localparam int unsigned     SignCells = (SignCell != 0) ? SignReplicas : 0;
  localparam bit              LevelsPow2 = (Levels & (Levels - 1)) == 0;
  localparam logic signed [CodeBits-1:0] CodeMin = CodeBits'(weight_codec_pkg::code_min(Levels, Split, SignCell));
  localparam logic signed [CodeBits-1:0] CodeMax = CodeBits'(weight_codec_pkg::code_max(Levels, Split, SignCell));

`ifndef SYNTHESIS
  initial begin
    if (Levels < 2) $fatal(1, "weight_encoder: Levels must be >= 2");
    if (Split < 1 || Replicas < 1) $fatal(1, "weight_encoder: Split and Replicas must be >= 1");
    if (SignCell != 0 && SignReplicas < 1) $fatal(1, "weight_encoder: SignReplicas must be >= 1");
    if (MagRange > (64'd1 << 30)) $fatal(1, "weight_encoder: Levels^Split must be <= 2^30");
    if (64'(Levels) > (64'd1 << DacBits)) $fatal(1, "weight_encoder: Levels > 2^DacBits");
    if (CodeBits < weight_codec_pkg::code_bits(Levels, Split, SignCell) || CodeBits > 32) begin
      $fatal(1, "weight_encoder: CodeBits out of range");
    end
  end
`endif

  ///////////////////
  // Lookup tables //
  ///////////////////

  logic [DacBits-1:0] level_dac_q [Levels];
  logic [DacBits-1:0] sign_dac_q  [2];

  logic               cfg_sel;
  logic [IdxBits-1:0] cfg_idx;
  logic               cfg_idx_ok;
  assign cfg_sel = cfg_addr_i[CfgAddrBits-1];
  assign cfg_idx = cfg_addr_i[IdxBits-1:0];

  if (LevelsPow2) begin : gen_idx_full
    assign cfg_idx_ok = 1'b1;
  end else begin : gen_idx_check
    assign cfg_idx_ok = cfg_idx < IdxBits'(Levels);
  end

  always_ff @(posedge clk_i) begin
    if (cfg_we_i && !cfg_sel && cfg_idx_ok) begin
      level_dac_q[cfg_idx] <= cfg_wdata_i;
    end
  end

  always_ff @(posedge clk_i) begin
    if (cfg_we_i && cfg_sel) begin
      sign_dac_q[cfg_idx[0]] <= cfg_wdata_i;
    end
  end

  if (LevelDacFile != "") begin : gen_level_dac_init
    initial $readmemh(LevelDacFile, level_dac_q);
  end
  if (SignDacFile != "") begin : gen_sign_dac_init
    initial $readmemh(SignDacFile, sign_dac_q);
  end

  //////////////////////
  // Sign and value   //
  //////////////////////

  logic signed [CodeBits-1:0] code_clamped;
  logic signed [WBits-1:0]    code_wide;
  logic [VBits-1:0]           value;
  logic                       neg;

  always_comb begin
    if (code_i < CodeMin) begin
      code_clamped = CodeMin;
    end else if (code_i > CodeMax) begin
      code_clamped = CodeMax;
    end else begin
      code_clamped = code_i;
    end
  end

  assign code_wide = WBits'(code_clamped);
  assign neg       = code_clamped[CodeBits-1];

  if (SignCell != 0) begin : gen_sign_magnitude
    logic signed [WBits-1:0] mag;
    assign mag   = neg ? -code_wide : code_wide;
    assign value = mag[VBits-1:0];
    logic unused_mag_msb;  // |code| < Levels^Split: the upper bits are zero
    assign unused_mag_msb = ^mag[WBits-1:VBits];
  end else begin : gen_offset
    logic signed [WBits-1:0] off;
    assign off   = code_wide + WBits'(MagRange / 2);
    assign value = off[VBits-1:0];
    logic unused_off_msb;  // 0 <= code + Levels^Split/2 < Levels^Split: the upper bits are zero
    assign unused_off_msb = ^off[WBits-1:VBits];
  end

  /////////////////////
  // Digit splitting //
  /////////////////////

  logic [Split*IdxBits-1:0] digit;  // digit i at [i*IdxBits +: IdxBits]

  for (genvar i = 0; i < Split; i++) begin : gen_digit
    if (LevelsPow2) begin : gen_slice
      assign digit[i*IdxBits +: IdxBits] = value[(Split - 1 - i) * IdxBits +: IdxBits];
    end else begin : gen_divmod
      localparam logic [63:0] Weight = weight_codec_pkg::mag_range(Levels, Split - 1 - i);
      logic [XBits-1:0] quot;
      logic [XBits-1:0] rem;
      assign quot     = XBits'(value) / XBits'(Weight);
      assign rem      = quot % XBits'(Levels);
      assign digit[i*IdxBits +: IdxBits] = rem[IdxBits-1:0];
      logic unused_rem_msb;  // rem < Levels
      assign unused_rem_msb = ^rem[XBits-1:IdxBits];
    end
  end

  /////////////////////////////////
  // Table lookup, replication   //
  /////////////////////////////////

  logic [Cells*DacBits-1:0] dac_d;

  for (genvar j = 0; j < SignCells; j++) begin : gen_sign_cells
    assign dac_d[j*DacBits +: DacBits] = sign_dac_q[neg];
  end

  for (genvar i = 0; i < Split; i++) begin : gen_digit_cells
    logic [DacBits-1:0] level_dac;
    assign level_dac = level_dac_q[digit[i*IdxBits +: IdxBits]];
    for (genvar j = 0; j < Replicas; j++) begin : gen_replica
      assign dac_d[(SignCells + i * Replicas + j) * DacBits +: DacBits] = level_dac;
    end
  end

  if (SignCell == 0) begin : gen_no_sign
    // The sign bit and sign table are not used without a sign cell.
    logic unused_sign;
    assign unused_sign = neg ^ ^sign_dac_q[0] ^ ^sign_dac_q[1];
  end

  ///////////////////////
  // Pipeline register //
  ///////////////////////

  logic                          valid_q;
  logic [Cells*DacBits-1:0]     dac_q;

  assign ready_o = !valid_q || ready_i;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      valid_q <= 1'b0;
    end else if (ready_o) begin
      valid_q <= valid_i;
    end
  end

  always_ff @(posedge clk_i) begin
    if (valid_i && ready_o) begin
      dac_q <= dac_d;
    end
  end

  assign valid_o = valid_q;
  assign dac_o   = dac_q;

endmodule
