// Direct 2-D convolution for inference, the hot loop of every Monte Carlo trial.
//
// Training keeps im2col + Eigen GEMM (it needs the column matrix for backward); inference
// convolves straight from a zero-padded copy of the image, a tile of output positions x
// output channels held in registers. A stride s > 1 first splits the padded image into its
// s x s phases (every s-th row and column), so the inner loop reads contiguous vectors for
// every stride. Output positions are processed in chunks whose input stays in cache while
// every block of output channels passes over it (wide layers: 64-512 channels).
//
// Each output is summed in the order (c, kh, kw), one rounded multiply and one rounded add
// per term starting from +0, then the bias is added, so every variant gives the same bits:
// the AVX2 and AVX-512 variants (picked at run time when the CPU has them) use no FMA, only
// wider vectors, and the blocking only changes which outputs are computed together.
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

enum class KernelIsa { kGeneric, kAvx2, kAvx512 };

// The variant used by conv2d_direct(g, ...): the widest the CPU has (AVX-512, AVX2, else
// generic SSE), unless the environment sets ANVIL_ISA=generic or ANVIL_ISA=avx2. All give
// the same bits; the choice only changes speed.
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
