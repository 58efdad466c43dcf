// Copyright anvil contributors.
//
// secded_72_64_enc: Hsiao SECDED(72,64) encoder, combinational. Codeword bits [63:0] carry the
// data, bits [71:64] the check bits; check bit j = ^(data & secded_72_64_pkg::Masks[j]).
// Golden model: anvil::core::secded_encode (sw/core/secded.cpp).

`include "secded_72_64_pkg.svh"

module secded_72_64_enc (
  /// Data word.
  input  logic [63:0] data_i,
  /// Codeword: {check[7:0], data[63:0]}.
  output logic [71:0] data_o
);

  logic [7:0] check;

  always_comb begin
    for (int j = 0; j < 8; j++) begin
      check[j] = ^(data_i & secded_72_64_pkg::Masks[j*64 +: 64]);
    end
  end

  assign data_o = {check, data_i};

endmodule
