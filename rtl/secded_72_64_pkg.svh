// Copyright anvil contributors.
//
// secded_72_64_pkg: the parity-check matrix of the Hsiao SECDED(72,64) code. Row j over the 64
// data bits; the check bits are the unit columns. Data bits 0..55 have the weight-3 columns of
// 8 rows in lexicographic order, data bits 56..63 the cyclic weight-5 columns. These constants
// equal anvil::core::secded_masks() (sw/core/secded.cpp); tests/rtl checks the RTL against it.
// A header, not a compilation unit: each block `includes it (guarded), so every rtl/*.sv lints
// and synthesizes on its own with the include path -I rtl.

`ifndef SECDED_72_64_PKG_SVH
`define SECDED_72_64_PKG_SVH

package secded_72_64_pkg;

  /// Row masks of the parity-check matrix over the data bits, row j at [j*64 +: 64].
  localparam logic [511:0] Masks = {
    64'hF8ED348D221A4420,  // row 7
    64'h7CDAAA4A91152210,  // row 6
    64'h3EB65926488C9108,  // row 5
    64'h1F71C711C4438884,  // row 4
    64'h8F0FC0F03C207842,  // row 3
    64'hC7003FF003E007C1,  // row 2
    64'hE300000FFFE0003F,  // row 1
    64'hF1000000001FFFFF   // row 0
  };

endpackage

`endif  // SECDED_72_64_PKG_SVH
