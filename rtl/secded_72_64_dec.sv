// Copyright anvil contributors.
//
// secded_72_64_dec: Hsiao SECDED(72,64) decoder, combinational. Bit-exact with
// anvil::core::secded_decode (sw/core/secded.cpp):
//   syndrome = check(data) ^ received check;
//   syndrome == 0                      : no error;
//   syndrome == a data bit's column    : that bit is flipped back, corrected_o = 1;
//   syndrome of weight 1 (a check bit) : data intact, corrected_o = 1;
//   any other syndrome                 : uncorrectable, double_err_o = 1 (every double error
//                                        gives an even-weight syndrome and lands here).

`include "secded_72_64_pkg.svh"

module secded_72_64_dec (
  /// Received codeword: {check[7:0], data[63:0]}.
  input  logic [71:0] data_i,
  /// Corrected data word.
  output logic [63:0] data_o,
  /// Syndrome (0: no error).
  output logic [7:0]  syndrome_o,
  /// A single error was corrected.
  output logic        corrected_o,
  /// An uncorrectable (double) error was detected.
  output logic        double_err_o
);

  logic [7:0]  syndrome;
  logic [63:0] flip;
  logic        check_bit_err;

  always_comb begin
    for (int j = 0; j < 8; j++) begin
      syndrome[j] = ^(data_i[63:0] & secded_72_64_pkg::Masks[j*64 +: 64]) ^ data_i[64 + j];
    end
  end

  always_comb begin
    for (int i = 0; i < 64; i++) begin
      logic [7:0] column;
      for (int j = 0; j < 8; j++) begin
        column[j] = secded_72_64_pkg::Masks[j*64 + i];
      end
      flip[i] = syndrome == column;
    end
  end

  assign check_bit_err = (syndrome != 8'd0) && ((syndrome & (syndrome - 8'd1)) == 8'd0);
  assign data_o        = data_i[63:0] ^ flip;
  assign syndrome_o    = syndrome;
  assign corrected_o   = (|flip) || check_bit_err;
  assign double_err_o  = (syndrome != 8'd0) && !corrected_o;

endmodule
