// Direct 2-D convolution for inference, the hot loop of every Monte Carlo trial.
//
// Training keeps im2col + Eigen GEMM (it needs the column matrix for backward); inference
// convolves straight from a zero-padded copy of the image, a tile of output positions x
// output channels held in registers. Each output is summed in the order (c, kh, kw), then
// the bias is added, so every instruction set gives the same bits: the AVX2 variant (picked
// at run time when the CPU has it) uses no FMA, only wider vectors.
#pragma once

#include <cstdint>

namespace anvil::nn {

struct ConvGeometry {
  int64_t c, h, w;         // input planes
  int64_t oc;              // output channels
  int64_t kh, kw;          // kernel
  int64_t stride;          // equal in both axes (the only case this kernel takes)
  int64_t pt, pl, pb, pr;  // pads: top, left, bottom, right
  int64_t oh, ow;          // output
};

enum class KernelIsa { kGeneric, kAvx2 };

// The variant used by conv2d_direct(g, ...): AVX2 when the CPU has it, unless the
// environment sets ANVIL_ISA=generic.
KernelIsa active_isa();
bool isa_available(KernelIsa isa);
const char* isa_name(KernelIsa isa);

// y [oc, oh, ow] = conv(x [c, h, w], w [oc, c, kh, kw]) + bias [oc] (bias may be null), for
// one image. Thread-safe (per-thread scratch).
void conv2d_direct(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                   float* y);
void conv2d_direct(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                   float* y, KernelIsa isa);

}  // namespace anvil::nn
