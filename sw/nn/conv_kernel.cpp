#include "nn/conv_kernel.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/enum_names.hpp"

namespace anvil::nn {

namespace {

// SSE, AVX and AVX-512 registers as GCC vector types: the same source compiles to each.
using v4 = float __attribute__((vector_size(16)));
using v8 = float __attribute__((vector_size(32)));
using v16 = float __attribute__((vector_size(64)));

// Input floats a chunk of output positions may touch, summed over all input channels: the
// chunk's input stays in the L2 cache while every block of output channels passes over it.
constexpr int64_t kChunkFloats = 48 * 1024;

struct Plan {
  int64_t s;                 // stride
  int64_t hq, wq;            // one phase plane: every s-th row/column of the padded input
  int64_t cstride;           // floats per input channel (s * s phase planes)
  int64_t q;                 // flat output positions q = oy * wq + ox (ox < ow valid)
  int64_t ldo;               // q rounded up to whole tiles
  int64_t chunk;             // positions per chunk (whole tiles)
  int64_t kk, ckk;           // kh * kw; weights per output channel
  std::vector<int64_t> off;  // kk offsets: tap (i, j) reads phase (i%s, j%s) at (i/s, j/s)
};

Plan make_plan(const ConvGeometry& g, int64_t tile) {
  Plan p;
  p.s = g.stride;
  p.hq = (g.h + g.pt + g.pb + p.s - 1) / p.s;
  p.wq = (g.w + g.pl + g.pr + p.s - 1) / p.s;
  p.cstride = p.s * p.s * p.hq * p.wq;
  p.q = (g.oh - 1) * p.wq + g.ow;
  p.ldo = (p.q + tile - 1) / tile * tile;
  p.chunk = std::max<int64_t>(tile, kChunkFloats / (g.c * p.s * p.s) / tile * tile);
  p.kk = g.kh * g.kw;
  p.ckk = g.c * p.kk;
  p.off.resize(static_cast<size_t>(p.kk));
  for (int64_t i = 0; i < g.kh; ++i)
    for (int64_t j = 0; j < g.kw; ++j)
      p.off[static_cast<size_t>(i * g.kw + j)] =
          ((i % p.s) * p.s + j % p.s) * p.hq * p.wq + (i / p.s) * p.wq + j / p.s;
  return p;
}

// Copies one image into its zero-padded phase planes (stride 1: the padded image itself).
// The buffer extends past the last channel so the last tile's reads stay inside zeros.
void fill_phases(const ConvGeometry& g, const Plan& p, const float* x, std::vector<float>& buf) {
  const int64_t reach =
      (g.c - 1) * p.cstride + *std::max_element(p.off.begin(), p.off.end()) + p.ldo;
  buf.assign(static_cast<size_t>(std::max(g.c * p.cstride, reach)), 0.0f);
  const int64_t plane = p.hq * p.wq;
  for (int64_t ci = 0; ci < g.c; ++ci)
    for (int64_t r = 0; r < g.h; ++r) {
      const int64_t py = r + g.pt;  // padded row
      const float* src = x + (ci * g.h + r) * g.w;
      float* row = buf.data() + ci * p.cstride + (py % p.s) * p.s * plane + (py / p.s) * p.wq;
      if (p.s == 1) {
        std::memcpy(row + g.pl, src, static_cast<size_t>(g.w) * sizeof(float));
        continue;
      }
      for (int64_t c = 0; c < g.w; ++c) {
        const int64_t px = c + g.pl;
        row[(px % p.s) * plane + px / p.s] = src[c];
      }
    }
}

// OCB output channels x V vectors of flat positions starting at xq (= phases + q0). Each
// output sums its c * kh * kw products in (c, i, j) order whatever the vector width.
template <class Vec, int V, int OCB>
[[gnu::always_inline]] inline void tile(const ConvGeometry& g, const Plan& p, const float* xq,
                                        const float* w, float* out, int64_t ldo) {
  constexpr int kLanes = sizeof(Vec) / sizeof(float);
  Vec acc[OCB][V];
#pragma GCC unroll 16
  for (int b = 0; b < OCB; ++b)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[b][v] = Vec{};
  const int64_t* off = p.off.data();
  for (int64_t ci = 0; ci < g.c; ++ci) {
    const float* xc = xq + ci * p.cstride;
    const float* wc = w + ci * p.kk;
    for (int64_t t = 0; t < p.kk; ++t) {
      Vec xv[V];
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) std::memcpy(&xv[v], xc + off[t] + v * kLanes, sizeof(Vec));
#pragma GCC unroll 16
      for (int b = 0; b < OCB; ++b) {
        const float wv = wc[b * p.ckk + t];
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) acc[b][v] += wv * xv[v];
      }
    }
  }
#pragma GCC unroll 16
  for (int b = 0; b < OCB; ++b)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) std::memcpy(out + b * ldo + v * kLanes, &acc[b][v], sizeof(Vec));
}

// All output channels over positions [q0, q1): blocks of OCB channels, then single ones.
template <class Vec, int V, int OCB>
[[gnu::always_inline]] inline void chunk(const ConvGeometry& g, const Plan& p, const float* xp,
                                         const float* w, float* out, int64_t q0, int64_t q1) {
  constexpr int64_t kT = V * sizeof(Vec) / sizeof(float);
  int64_t o = 0;
  for (; o + OCB <= g.oc; o += OCB)
    for (int64_t q = q0; q < q1; q += kT)
      tile<Vec, V, OCB>(g, p, xp + q, w + o * p.ckk, out + o * p.ldo + q, p.ldo);
  for (; o < g.oc; ++o)
    for (int64_t q = q0; q < q1; q += kT)
      tile<Vec, V, 1>(g, p, xp + q, w + o * p.ckk, out + o * p.ldo + q, p.ldo);
}

// Tiles of OCB channels x V vectors of type Vec.
template <class Vec, int V, int OCB>
[[gnu::always_inline]] inline void conv_image(const ConvGeometry& g, const float* x, const float* w,
                                              const float* bias, float* y) {
  constexpr int64_t kT = V * sizeof(Vec) / sizeof(float);
  const Plan p = make_plan(g, kT);
  thread_local std::vector<float> phases, out;
  fill_phases(g, p, x, phases);
  out.resize(static_cast<size_t>(g.oc * p.ldo));
  for (int64_t q0 = 0; q0 < p.ldo; q0 += p.chunk)
    chunk<Vec, V, OCB>(g, p, phases.data(), w, out.data(), q0, std::min(p.ldo, q0 + p.chunk));
  // Sum first, bias last: the order of the GEMM path.
  for (int64_t o = 0; o < g.oc; ++o) {
    const float b = bias ? bias[o] : 0.0f;
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      const float* src = out.data() + o * p.ldo + oy * p.wq;
      float* dst = y + (o * g.oh + oy) * g.ow;
      if (bias)
        for (int64_t ox = 0; ox < g.ow; ++ox) dst[ox] = src[ox] + b;
      else
        std::copy(src, src + g.ow, dst);
    }
  }
}

void conv_generic(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                  float* y) {
  conv_image<v4, 2, 4>(g, x, w, bias, y);
}

#if defined(__x86_64__) || defined(__i386__)
#define ANVIL_HAVE_AVX2_VARIANT 1
// Same source, wider registers: more positions per tile. No "fma" in the targets (and the
// file is built with -ffp-contract=off): a fused multiply-add would round differently from
// the generic variant.
__attribute__((target("avx2"))) void conv_avx2(const ConvGeometry& g, const float* x,
                                               const float* w, const float* bias, float* y) {
  conv_image<v8, 2, 4>(g, x, w, bias, y);
}
// 32 registers: 8 channels x 2 vectors of 16 positions in accumulators.
__attribute__((target("avx512f"))) void conv_avx512(const ConvGeometry& g, const float* x,
                                                    const float* w, const float* bias, float* y) {
  conv_image<v16, 2, 8>(g, x, w, bias, y);
}
#endif

KernelIsa pick_isa() {
  const char* env = std::getenv("ANVIL_ISA");
  const std::string want = env ? env : "";
  if (want == "generic") return KernelIsa::kGeneric;
  if (want != "avx2" && isa_available(KernelIsa::kAvx512)) return KernelIsa::kAvx512;
  return isa_available(KernelIsa::kAvx2) ? KernelIsa::kAvx2 : KernelIsa::kGeneric;
}

}  // namespace

bool isa_available(KernelIsa isa) {
  if (isa == KernelIsa::kGeneric) return true;
#ifdef ANVIL_HAVE_AVX2_VARIANT
  if (isa == KernelIsa::kAvx512) return __builtin_cpu_supports("avx512f");
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

KernelIsa active_isa() {
  static const KernelIsa isa = pick_isa();
  return isa;
}

const char* isa_name(KernelIsa isa) {
  static constexpr std::array<EnumName<KernelIsa>, 3> kNames{{{KernelIsa::kGeneric, "generic"},
                                                              {KernelIsa::kAvx2, "avx2"},
                                                              {KernelIsa::kAvx512, "avx512"}}};
  static_assert(complete_names(kNames, KernelIsa::kAvx512));
  return name_of(kNames, isa);
}

void conv2d_direct(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                   float* y, KernelIsa isa) {
#ifdef ANVIL_HAVE_AVX2_VARIANT
  if (isa == KernelIsa::kAvx512 && isa_available(isa)) return conv_avx512(g, x, w, bias, y);
  if (isa == KernelIsa::kAvx2 && isa_available(isa)) return conv_avx2(g, x, w, bias, y);
#endif
  (void)isa;
  conv_generic(g, x, w, bias, y);
}

void conv2d_direct(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                   float* y) {
  conv2d_direct(g, x, w, bias, y, active_isa());
}

}  // namespace anvil::nn
