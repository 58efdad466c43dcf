#include "nn/conv_kernel.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace anvil::nn {

namespace {

// SSE and AVX registers as GCC vector types: the same source compiles to either.
using v4 = float __attribute__((vector_size(16)));
using v8 = float __attribute__((vector_size(32)));

// Output channels per tile: their accumulators share each loaded input vector.
constexpr int kOcBlock = 4;

// One vector of inputs at stride S (S = 0: the run-time stride s).
// (Out-parameter, not a return value: a 32-byte vector return would change the ABI.)
template <class Vec, int S>
[[gnu::always_inline]] inline void load(const float* p, int64_t s, Vec& r) {
  if constexpr (S == 1) {
    std::memcpy(&r, p, sizeof r);
  } else {
    constexpr int kLanes = sizeof(Vec) / sizeof(float);
    const int64_t k = S ? S : s;
    float t[kLanes];
    for (int e = 0; e < kLanes; ++e) t[e] = p[e * k];
    std::memcpy(&r, t, sizeof r);
  }
}

struct Plan {
  int64_t hp, wp, plane;  // padded input
  int64_t q;              // flat output positions q = oy * wp + ox (ox < ow valid)
  int64_t ckk;            // weights per output channel
};

// OCB output channels x V vectors of flat positions starting at xq (= padded input + s * q0).
// Each output sums its c * kh * kw products in (c, i, j) order whatever the vector width.
template <class Vec, int V, int OCB, int S>
[[gnu::always_inline]] inline void tile(const ConvGeometry& g, const Plan& p, const float* xq,
                                        const float* w, float* out, int64_t ldo) {
  constexpr int kLanes = sizeof(Vec) / sizeof(float);
  Vec acc[OCB][V];
  for (int b = 0; b < OCB; ++b)
    for (int v = 0; v < V; ++v) acc[b][v] = Vec{};
  for (int64_t ci = 0; ci < g.c; ++ci)
    for (int64_t i = 0; i < g.kh; ++i) {
      const float* xr = xq + ci * p.plane + i * p.wp;
      const float* wr = w + (ci * g.kh + i) * g.kw;
      for (int64_t j = 0; j < g.kw; ++j) {
        Vec xv[V] = {};
        for (int v = 0; v < V; ++v) load<Vec, S>(xr + j + v * kLanes * g.stride, g.stride, xv[v]);
        for (int b = 0; b < OCB; ++b) {
          const float wv = wr[b * p.ckk + j];
          for (int v = 0; v < V; ++v) acc[b][v] += wv * xv[v];
        }
      }
    }
  for (int b = 0; b < OCB; ++b)
    for (int v = 0; v < V; ++v) std::memcpy(out + b * ldo + v * kLanes, &acc[b][v], sizeof(Vec));
}

template <class Vec, int V, int S>
[[gnu::always_inline]] inline void channels(const ConvGeometry& g, const Plan& p, const float* xp,
                                            const float* w, float* out, int64_t ldo) {
  constexpr int64_t kT = V * sizeof(Vec) / sizeof(float);
  int64_t o = 0;
  for (; o + kOcBlock <= g.oc; o += kOcBlock)
    for (int64_t q0 = 0; q0 < ldo; q0 += kT)
      tile<Vec, V, kOcBlock, S>(g, p, xp + g.stride * q0, w + o * p.ckk, out + o * ldo + q0, ldo);
  for (; o < g.oc; ++o)
    for (int64_t q0 = 0; q0 < ldo; q0 += kT)
      tile<Vec, V, 1, S>(g, p, xp + g.stride * q0, w + o * p.ckk, out + o * ldo + q0, ldo);
}

// Tiles of V vectors of type Vec.
template <class Vec, int V>
[[gnu::always_inline]] inline void conv_image(const ConvGeometry& g, const float* x, const float* w,
                                              const float* bias, float* y) {
  constexpr int64_t kT = V * sizeof(Vec) / sizeof(float);
  Plan p;
  p.hp = g.h + g.pt + g.pb;
  p.wp = g.w + g.pl + g.pr;
  p.plane = p.hp * p.wp;
  p.q = (g.oh - 1) * p.wp + g.ow;
  p.ckk = g.c * g.kh * g.kw;
  const int64_t ldo = (p.q + kT - 1) / kT * kT;
  // The last tile reads past the last valid position: keep those reads inside zeros.
  const int64_t reach = (g.c - 1) * p.plane + g.stride * (ldo - 1) + (g.kh - 1) * p.wp + g.kw;
  thread_local std::vector<float> padded, out;
  padded.assign(static_cast<size_t>(std::max(g.c * p.plane, reach)), 0.0f);
  out.resize(static_cast<size_t>(g.oc * ldo));
  for (int64_t ci = 0; ci < g.c; ++ci)
    for (int64_t r = 0; r < g.h; ++r)
      std::memcpy(padded.data() + ci * p.plane + (r + g.pt) * p.wp + g.pl, x + (ci * g.h + r) * g.w,
                  static_cast<size_t>(g.w) * sizeof(float));
  if (g.stride == 1)
    channels<Vec, V, 1>(g, p, padded.data(), w, out.data(), ldo);
  else if (g.stride == 2)
    channels<Vec, V, 2>(g, p, padded.data(), w, out.data(), ldo);
  else
    channels<Vec, V, 0>(g, p, padded.data(), w, out.data(), ldo);
  // Sum first, bias last: the order of the GEMM path.
  for (int64_t o = 0; o < g.oc; ++o) {
    const float b = bias ? bias[o] : 0.0f;
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      const float* src = out.data() + o * ldo + oy * p.wp;
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
  conv_image<v4, 2>(g, x, w, bias, y);
}

#if defined(__x86_64__) || defined(__i386__)
#define ANVIL_HAVE_AVX2_VARIANT 1
// Same source, 256-bit registers: twice the positions per tile. No "fma" in the target:
// a fused multiply-add would round differently from the generic variant.
__attribute__((target("avx2"))) void conv_avx2(const ConvGeometry& g, const float* x,
                                               const float* w, const float* bias, float* y) {
  conv_image<v8, 2>(g, x, w, bias, y);
}
#endif

KernelIsa pick_isa() {
  const char* env = std::getenv("ANVIL_ISA");
  if (env && std::string(env) == "generic") return KernelIsa::kGeneric;
  return isa_available(KernelIsa::kAvx2) ? KernelIsa::kAvx2 : KernelIsa::kGeneric;
}

}  // namespace

bool isa_available(KernelIsa isa) {
  if (isa == KernelIsa::kGeneric) return true;
#ifdef ANVIL_HAVE_AVX2_VARIANT
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
  return isa == KernelIsa::kAvx2 ? "avx2" : "generic";
}

void conv2d_direct(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                   float* y, KernelIsa isa) {
#ifdef ANVIL_HAVE_AVX2_VARIANT
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
