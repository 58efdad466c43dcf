#include "nn/layers.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "nn/conv_kernel.hpp"

namespace anvil::nn {

namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapRow = Eigen::Map<RowMat>;
using MapRowC = Eigen::Map<const RowMat>;
using MapVec = Eigen::Map<Eigen::VectorXf>;
using MapVecC = Eigen::Map<const Eigen::VectorXf>;

std::string shape_str(const ValueShape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) r += ',';
    r += std::to_string(s[i]);
  }
  return r + "]";
}

int64_t prod(const std::vector<int64_t>& s, size_t from = 0) {
  int64_t p = 1;
  for (size_t i = from; i < s.size(); ++i) p *= s[i];
  return p;
}

// Geometry of a 2-D window op (conv or pool) on one [C, H, W] plane set.
struct Window {
  int64_t c, h, w;  // input
  int64_t kh, kw;   // kernel
  int64_t sh, sw;   // stride
  int64_t pt, pl;   // pad top, left
  int64_t oh, ow;   // output
};

Window window(const Node& node, const std::vector<int64_t>& in_chw, int64_t kh, int64_t kw) {
  const auto& a = node.attr;
  Window g{in_chw[0],   in_chw[1], in_chw[2], kh, kw, a.stride[0],
           a.stride[1], a.pads[0], a.pads[1], 0,  0};
  g.oh = (g.h + a.pads[0] + a.pads[2] - kh) / g.sh + 1;
  g.ow = (g.w + a.pads[1] + a.pads[3] - kw) / g.sw + 1;
  return g;
}

Window window_of(const Node& node, const Tensor& x) {
  std::vector<int64_t> chw(x.shape.begin() + 1, x.shape.end());
  if (node.op == OpType::kConv2d) {
    const auto& ws = node.params[0].shape;
    return window(node, chw, ws[2], ws[3]);
  }
  return window(node, chw, node.attr.kernel[0], node.attr.kernel[1]);
}

// Output columns ox in [lo, hi) read inside the image for kernel column j (no branches in
// the inner loops below).
void valid_range(const Window& g, int64_t j, int64_t* lo, int64_t* hi) {
  const int64_t first = g.pl - j;  // ix = ox * sw - pl + j >= 0  <=>  ox * sw >= pl - j
  *lo = first <= 0 ? 0 : (first + g.sw - 1) / g.sw;
  const int64_t last = g.w - 1 + g.pl - j;  // ix <= w - 1
  *hi = last < 0 ? 0 : std::min(g.ow, last / g.sw + 1);
  *lo = std::min(*lo, *hi);
}

// cols [C*kh*kw, oh*ow] of one image (zeros where the window hits padding), written with row
// stride `ld` so the images of a batch sit side by side in one matrix.
void im2col(const float* x, const Window& g, float* cols, int64_t ld) {
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        float* row = cols + ((c * g.kh + i) * g.kw + j) * ld;
        const float* plane = x + c * g.h * g.w;
        int64_t lo = 0, hi = 0;
        valid_range(g, j, &lo, &hi);
        for (int64_t oy = 0; oy < g.oh; ++oy) {
          const int64_t iy = oy * g.sh - g.pt + i;
          float* r = row + oy * g.ow;
          if (iy < 0 || iy >= g.h) {
            std::fill(r, r + g.ow, 0.0f);
            continue;
          }
          const int64_t base = iy * g.w - g.pl + j;  // plane[base + ox * sw] is the pixel
          std::fill(r, r + lo, 0.0f);
          if (g.sw == 1) {
            std::copy(plane + base + lo, plane + base + hi, r + lo);
          } else {
            for (int64_t ox = lo; ox < hi; ++ox) r[ox] = plane[base + ox * g.sw];
          }
          std::fill(r + hi, r + g.ow, 0.0f);
        }
      }
}

// dx += col2im(dcols), the adjoint of im2col.
void col2im_add(const float* dcols, const Window& g, float* dx, int64_t ld) {
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        const float* row = dcols + ((c * g.kh + i) * g.kw + j) * ld;
        float* plane = dx + c * g.h * g.w;
        int64_t lo = 0, hi = 0;
        valid_range(g, j, &lo, &hi);
        for (int64_t oy = 0; oy < g.oh; ++oy) {
          const int64_t iy = oy * g.sh - g.pt + i;
          if (iy < 0 || iy >= g.h) continue;
          const int64_t base = iy * g.w - g.pl + j;
          const float* r = row + oy * g.ow;
          for (int64_t ox = lo; ox < hi; ++ox) plane[base + ox * g.sw] += r[ox];
        }
      }
}

// One GEMM per batch: cols [K, n*P] (image i in columns i*P..), Y [OC, n*P] = W * cols, then
// scattered to NCHW. Large GEMMs keep Eigen efficient even at 4x4 spatial size.
void conv_forward(const Node& node, const Tensor& x, Tensor& y, NodeCache* cache) {
  const auto& w = node.params[0];
  const Window g = window_of(node, x);
  const int64_t n = x.dim(0), oc = w.shape[0], k = g.c * g.kh * g.kw, p = g.oh * g.ow;
  y.resize({n, oc, g.oh, g.ow});
  if (!cache && g.sh == g.sw) {  // inference: no column matrix needed afterwards
    const auto& pads = node.attr.pads;
    const ConvGeometry cg{g.c,     g.h,     g.w,     oc,      g.kh, g.kw, g.sh,
                          pads[0], pads[1], pads[2], pads[3], g.oh, g.ow};
    const Param* b = node.find(ParamRole::kBias);
    for (int64_t i = 0; i < n; ++i)
      conv2d_direct(cg, x.data.data() + i * g.c * g.h * g.w, w.data.data(),
                    b ? b->data.data() : nullptr, y.data.data() + i * oc * p);
    return;
  }
  std::vector<float> cols(static_cast<size_t>(k * n * p));
  for (int64_t i = 0; i < n; ++i)
    im2col(x.data.data() + i * g.c * g.h * g.w, g, cols.data() + i * p, n * p);
  RowMat out(oc, n * p);
  out.noalias() = MapRowC(w.data.data(), oc, k) * MapRowC(cols.data(), k, n * p);
  if (const Param* b = node.find(ParamRole::kBias)) out.colwise() += MapVecC(b->data.data(), oc);
  for (int64_t i = 0; i < n; ++i)
    MapRow(y.data.data() + i * oc * p, oc, p) = out.middleCols(i * p, p);
  if (cache) cache->cols = std::move(cols);  // reused by backward
}

void conv_backward(const Node& node, const Tensor& x, const Tensor& dy, const NodeCache& cache,
                   Tensor* dx, std::vector<std::vector<float>>& dparams) {
  const auto& w = node.params[0];
  const Window g = window_of(node, x);
  const int64_t n = x.dim(0), oc = w.shape[0], k = g.c * g.kh * g.kw, p = g.oh * g.ow;
  std::vector<float> own;
  const float* cols = cache.cols.data();
  if (cache.cols.size() != static_cast<size_t>(k * n * p)) {
    own.resize(static_cast<size_t>(k * n * p));
    for (int64_t i = 0; i < n; ++i)
      im2col(x.data.data() + i * g.c * g.h * g.w, g, own.data() + i * p, n * p);
    cols = own.data();
  }
  RowMat d(oc, n * p);
  for (int64_t i = 0; i < n; ++i)
    d.middleCols(i * p, p) = MapRowC(dy.data.data() + i * oc * p, oc, p);
  MapRow(dparams[0].data(), oc, k).noalias() += d * MapRowC(cols, k, n * p).transpose();
  if (node.params.size() > 1) MapVec(dparams[1].data(), oc) += d.rowwise().sum();
  if (dx) {
    RowMat dcols(k, n * p);
    dcols.noalias() = MapRowC(w.data.data(), oc, k).transpose() * d;
    for (int64_t i = 0; i < n; ++i)
      col2im_add(dcols.data() + i * p, g, dx->data.data() + i * g.c * g.h * g.w, n * p);
  }
}

void linear_forward(const Node& node, const Tensor& x, Tensor& y) {
  const auto& w = node.params[0];
  const int64_t n = x.dim(0), in = w.shape[1], out = w.shape[0];
  y.resize({n, out});
  MapRowC X(x.data.data(), n, in), W(w.data.data(), out, in);
  MapRow Y(y.data.data(), n, out);
  Y.noalias() = X * W.transpose();
  if (const Param* b = node.find(ParamRole::kBias))
    Y.rowwise() += MapVecC(b->data.data(), out).transpose();
}

void linear_backward(const Node& node, const Tensor& x, const Tensor& dy, Tensor* dx,
                     std::vector<std::vector<float>>& dparams) {
  const auto& w = node.params[0];
  const int64_t n = x.dim(0), in = w.shape[1], out = w.shape[0];
  MapRowC X(x.data.data(), n, in), W(w.data.data(), out, in), dY(dy.data.data(), n, out);
  MapRow(dparams[0].data(), out, in).noalias() += dY.transpose() * X;
  if (node.params.size() > 1) MapVec(dparams[1].data(), out) += dY.colwise().sum().transpose();
  if (dx) MapRow(dx->data.data(), n, in).noalias() += dY * W;
}

// Inference max pool without padding: every window lies inside the plane, so no clamping
// and no argmax. Same fold as below (first maximum in row-major order wins).
template <int K>
void max_pool_unpadded(const Window& g, int64_t planes, const float* x, float* y) {
  const int64_t kh = K ? K : g.kh, kw = K ? K : g.kw;
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float* xp = x + pl * g.h * g.w;
    float* yp = y + pl * g.oh * g.ow;
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      const float* row = xp + oy * g.sh * g.w;
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        float best = -std::numeric_limits<float>::infinity();
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j) {
            const float v = row[i * g.w + ox * g.sw + j];
            best = v > best ? v : best;
          }
        yp[oy * g.ow + ox] = best;
      }
    }
  }
}

void pool_forward(const Node& node, const Tensor& x, Tensor& y, NodeCache* cache) {
  const Window g = window_of(node, x);
  const int64_t n = x.dim(0);
  y.resize({n, g.c, g.oh, g.ow});
  const bool is_max = node.op == OpType::kMaxPool2d;
  const auto& pads = node.attr.pads;
  if (is_max && !cache && pads[0] == 0 && pads[1] == 0 && pads[2] == 0 && pads[3] == 0) {
    if (g.kh == 2 && g.kw == 2)
      max_pool_unpadded<2>(g, n * g.c, x.data.data(), y.data.data());
    else
      max_pool_unpadded<0>(g, n * g.c, x.data.data(), y.data.data());
    return;
  }
  if (is_max && cache) cache->argmax.resize(y.size());
  const float full = static_cast<float>(g.kh * g.kw);
  for (int64_t pl = 0; pl < n * g.c; ++pl) {
    const float* xp = x.data.data() + pl * g.h * g.w;
    float* yp = y.data.data() + pl * g.oh * g.ow;
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        const int64_t y0 = oy * g.sh - g.pt, x0 = ox * g.sw - g.pl;
        const int64_t ya = std::max<int64_t>(y0, 0), yb = std::min(y0 + g.kh, g.h);
        const int64_t xa = std::max<int64_t>(x0, 0), xb = std::min(x0 + g.kw, g.w);
        if (is_max) {
          float best = -std::numeric_limits<float>::infinity();
          int64_t arg = ya * g.w + xa;
          for (int64_t iy = ya; iy < yb; ++iy)
            for (int64_t ix = xa; ix < xb; ++ix)
              if (xp[iy * g.w + ix] > best) {
                best = xp[iy * g.w + ix];
                arg = iy * g.w + ix;
              }
          yp[oy * g.ow + ox] = best;
          if (cache)
            cache->argmax[pl * g.oh * g.ow + oy * g.ow + ox] =
                static_cast<int32_t>(pl * g.h * g.w + arg);
        } else {
          float s = 0.0f;
          for (int64_t iy = ya; iy < yb; ++iy)
            for (int64_t ix = xa; ix < xb; ++ix) s += xp[iy * g.w + ix];
          const float cnt =
              node.attr.count_include_pad ? full : static_cast<float>((yb - ya) * (xb - xa));
          yp[oy * g.ow + ox] = s / cnt;
        }
      }
  }
}

void pool_backward(const Node& node, const Tensor& x, const Tensor& dy, const NodeCache& cache,
                   Tensor& dx) {
  if (node.op == OpType::kMaxPool2d) {
    for (size_t i = 0; i < dy.size(); ++i) dx.data[cache.argmax[i]] += dy.data[i];
    return;
  }
  const Window g = window_of(node, x);
  const int64_t n = x.dim(0);
  const float full = static_cast<float>(g.kh * g.kw);
  for (int64_t pl = 0; pl < n * g.c; ++pl) {
    float* dxp = dx.data.data() + pl * g.h * g.w;
    const float* dyp = dy.data.data() + pl * g.oh * g.ow;
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        const int64_t y0 = oy * g.sh - g.pt, x0 = ox * g.sw - g.pl;
        const int64_t ya = std::max<int64_t>(y0, 0), yb = std::min(y0 + g.kh, g.h);
        const int64_t xa = std::max<int64_t>(x0, 0), xb = std::min(x0 + g.kw, g.w);
        const float cnt =
            node.attr.count_include_pad ? full : static_cast<float>((yb - ya) * (xb - xa));
        const float d = dyp[oy * g.ow + ox] / cnt;
        for (int64_t iy = ya; iy < yb; ++iy)
          for (int64_t ix = xa; ix < xb; ++ix) dxp[iy * g.w + ix] += d;
      }
  }
}

// BatchNorm over [N, C, spatial...]: per channel statistics over N and spatial.
void bn_forward(const Node& node, const Tensor& x, Tensor& y, bool train, NodeCache* cache) {
  const int64_t n = x.dim(0), c = x.dim(1), s = prod(x.shape, 2);
  y.resize(x.shape);
  const float* scale = node.params[0].data.data();
  const float* bias = node.params[1].data.data();
  std::vector<float> mean(node.params[2].data), var(node.params[3].data);
  if (train) {
    const double m = static_cast<double>(n * s);
    for (int64_t ch = 0; ch < c; ++ch) {
      double sum = 0.0, sq = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        const float* p = x.data.data() + (i * c + ch) * s;
        for (int64_t k = 0; k < s; ++k) sum += p[k];
      }
      const double mu = sum / m;
      for (int64_t i = 0; i < n; ++i) {
        const float* p = x.data.data() + (i * c + ch) * s;
        for (int64_t k = 0; k < s; ++k) sq += (p[k] - mu) * (p[k] - mu);
      }
      mean[ch] = static_cast<float>(mu);
      var[ch] = static_cast<float>(sq / m);
    }
    if (cache) {
      cache->mean = mean;
      cache->var = var;
    }
  }
  if (cache) cache->train = train;
  for (int64_t ch = 0; ch < c; ++ch) {
    const float a = scale[ch] / std::sqrt(var[ch] + node.attr.epsilon);
    const float b = bias[ch] - a * mean[ch];
    for (int64_t i = 0; i < n; ++i) {
      const float* p = x.data.data() + (i * c + ch) * s;
      float* q = y.data.data() + (i * c + ch) * s;
      for (int64_t k = 0; k < s; ++k) q[k] = a * p[k] + b;
    }
  }
}

void bn_backward(const Node& node, const Tensor& x, const Tensor& dy, const NodeCache& cache,
                 Tensor* dx, std::vector<std::vector<float>>& dparams) {
  const int64_t n = x.dim(0), c = x.dim(1), s = prod(x.shape, 2);
  const float* scale = node.params[0].data.data();
  const auto& mean = cache.train ? cache.mean : node.params[2].data;
  const auto& var = cache.train ? cache.var : node.params[3].data;
  const double m = static_cast<double>(n * s);
  for (int64_t ch = 0; ch < c; ++ch) {
    const double invstd = 1.0 / std::sqrt(static_cast<double>(var[ch]) + node.attr.epsilon);
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const float* p = x.data.data() + (i * c + ch) * s;
      const float* d = dy.data.data() + (i * c + ch) * s;
      for (int64_t k = 0; k < s; ++k) {
        sum_dy += d[k];
        sum_dy_xhat += d[k] * (p[k] - mean[ch]) * invstd;
      }
    }
    dparams[0][ch] += static_cast<float>(sum_dy_xhat);
    dparams[1][ch] += static_cast<float>(sum_dy);
    if (!dx) continue;
    const double g = scale[ch] * invstd;
    for (int64_t i = 0; i < n; ++i) {
      const float* p = x.data.data() + (i * c + ch) * s;
      const float* d = dy.data.data() + (i * c + ch) * s;
      float* q = dx->data.data() + (i * c + ch) * s;
      if (cache.train) {
        for (int64_t k = 0; k < s; ++k) {
          const double xhat = (p[k] - mean[ch]) * invstd;
          q[k] += static_cast<float>(g * (d[k] - sum_dy / m - xhat * sum_dy_xhat / m));
        }
      } else {
        for (int64_t k = 0; k < s; ++k) q[k] += static_cast<float>(g * d[k]);
      }
    }
  }
}

[[noreturn]] void bad(const Node& node, const std::string& field, const std::string& rule) {
  throw Error(node.name.empty() ? std::string("<node>") : node.name, field, rule);
}

}  // namespace

void Tensor::resize(std::vector<int64_t> s) {
  shape = std::move(s);
  data.resize(static_cast<size_t>(prod(shape)));
}

void Tensor::zero_like(const Tensor& t) {
  shape = t.shape;
  data.assign(t.data.size(), 0.0f);
}

ValueShape node_output_shape(const Node& node, const std::vector<ValueShape>& in) {
  const size_t want_inputs = node.op == OpType::kAdd ? 2 : 1;
  if (in.size() != want_inputs)
    bad(node, "inputs",
        std::string(op_name(node.op)) + " takes " + std::to_string(want_inputs) +
            " input(s), got " + std::to_string(in.size()));
  const ValueShape& x = in[0];
  auto need_rank = [&](size_t r) {
    if (x.size() != r)
      bad(node, "input",
          std::string(op_name(node.op)) + " needs a rank-" + std::to_string(r + 1) +
              " input (with batch), got " + shape_str(x));
  };
  auto need_param = [&](size_t i, ParamRole role, size_t rank) -> const Param& {
    if (node.params.size() <= i || node.params[i].role != role)
      bad(node, "params", std::string("missing ") + role_name(role));
    const Param& p = node.params[i];
    if (p.shape.size() != rank)
      bad(node, p.name, "must have rank " + std::to_string(rank) + ", has " + shape_str(p.shape));
    if (static_cast<int64_t>(p.data.size()) != prod(p.shape))
      bad(node, p.name, "data size does not match shape " + shape_str(p.shape));
    return p;
  };
  auto check_window = [&](int64_t kh, int64_t kw) {
    const auto& a = node.attr;
    if (kh < 1 || kw < 1 || a.stride[0] < 1 || a.stride[1] < 1)
      bad(node, "kernel/stride", "must be >= 1");
    for (int p : a.pads)
      if (p < 0 || p >= std::max(kh, kw)) bad(node, "pads", "must be in [0, kernel)");
    if (x[1] + a.pads[0] + a.pads[2] < kh || x[2] + a.pads[1] + a.pads[3] < kw)
      bad(node, "kernel", "larger than the padded input " + shape_str(x));
    return ValueShape{0, (x[1] + a.pads[0] + a.pads[2] - kh) / a.stride[0] + 1,
                      (x[2] + a.pads[1] + a.pads[3] - kw) / a.stride[1] + 1};
  };
  switch (node.op) {
    case OpType::kLinear: {
      need_rank(1);
      const Param& w = need_param(0, ParamRole::kWeight, 2);
      if (w.shape[1] != x[0])
        bad(node, w.name, "weight " + shape_str(w.shape) + " does not fit input " + shape_str(x));
      if (node.params.size() > 1) {
        const Param& b = need_param(1, ParamRole::kBias, 1);
        if (b.shape[0] != w.shape[0]) bad(node, b.name, "bias size != output features");
      }
      if (node.params.size() > 2) bad(node, "params", "Linear has at most weight and bias");
      return {w.shape[0]};
    }
    case OpType::kConv2d: {
      need_rank(3);
      const Param& w = need_param(0, ParamRole::kWeight, 4);
      if (w.shape[1] != x[0])
        bad(node, w.name,
            "weight " + shape_str(w.shape) + " does not fit input " + shape_str(x) +
                " (groups must be 1)");
      if (node.params.size() > 1) {
        const Param& b = need_param(1, ParamRole::kBias, 1);
        if (b.shape[0] != w.shape[0]) bad(node, b.name, "bias size != output channels");
      }
      if (node.params.size() > 2) bad(node, "params", "Conv2d has at most weight and bias");
      ValueShape s = check_window(w.shape[2], w.shape[3]);
      s[0] = w.shape[0];
      return s;
    }
    case OpType::kMaxPool2d:
    case OpType::kAvgPool2d: {
      need_rank(3);
      ValueShape s = check_window(node.attr.kernel[0], node.attr.kernel[1]);
      s[0] = x[0];
      return s;
    }
    case OpType::kGlobalAveragePool:
      need_rank(3);
      return {x[0], 1, 1};
    case OpType::kBatchNorm: {
      if (x.empty()) bad(node, "input", "BatchNorm needs a channel axis");
      const ParamRole roles[4] = {ParamRole::kBnScale, ParamRole::kBnBias, ParamRole::kBnMean,
                                  ParamRole::kBnVar};
      for (size_t i = 0; i < 4; ++i)
        if (need_param(i, roles[i], 1).shape[0] != x[0])
          bad(node, node.params[i].name, "size != channels of input " + shape_str(x));
      if (node.params.size() != 4) bad(node, "params", "BatchNorm has exactly 4 parameters");
      if (!(node.attr.epsilon > 0.0f)) bad(node, "epsilon", "must be > 0");
      return x;
    }
    case OpType::kAdd:
      if (in[0] != in[1])
        bad(node, "inputs",
            "Add needs equal shapes, got " + shape_str(in[0]) + " and " + shape_str(in[1]));
      return x;
    case OpType::kFlatten:
      return {prod(x)};
    case OpType::kReLU:
      return x;
    case OpType::kSoftmax:
      need_rank(1);
      return x;
  }
  bad(node, "op", "unknown op");
}

namespace {

// max(x, 0) over `n` values; with kCheck also whether all were finite. A float is NaN or Inf
// when its exponent bits are all set: an integer max over the masked bits vectorises beside
// the max(x, 0) at no extra memory traffic. Without kCheck the loop is the plain ReLU.
template <bool kCheck>
bool relu_loop(const float* in, float* y, size_t n) {
  constexpr uint32_t kExp = 0x7f800000u;
  uint32_t worst = 0;
  for (size_t i = 0; i < n; ++i) {
    const float v = in[i];
    y[i] = std::max(v, 0.0f);
    if constexpr (kCheck) {
      uint32_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      worst = std::max(worst, bits & kExp);
    }
  }
  return worst != kExp;
}

}  // namespace

bool relu_forward(const Tensor& x, Tensor& out) {
  out.resize(x.shape);
  return relu_loop<true>(x.data.data(), out.data.data(), x.size());
}

void forward_node(const Node& node, const std::vector<const Tensor*>& in, Tensor& out, bool train,
                  NodeCache* cache) {
  const Tensor& x = *in[0];
  switch (node.op) {
    case OpType::kLinear:
      linear_forward(node, x, out);
      return;
    case OpType::kConv2d:
      conv_forward(node, x, out, train ? cache : nullptr);
      return;
    case OpType::kReLU:
      out.resize(x.shape);
      relu_loop<false>(x.data.data(), out.data.data(), x.size());
      return;
    case OpType::kMaxPool2d:
    case OpType::kAvgPool2d:
      pool_forward(node, x, out, cache);
      return;
    case OpType::kGlobalAveragePool: {
      const int64_t n = x.dim(0), c = x.dim(1), s = x.dim(2) * x.dim(3);
      out.resize({n, c, 1, 1});
      for (int64_t i = 0; i < n * c; ++i)
        out.data[i] = MapVecC(x.data.data() + i * s, s).sum() / static_cast<float>(s);
      return;
    }
    case OpType::kBatchNorm:
      bn_forward(node, x, out, train, cache);
      return;
    case OpType::kAdd: {
      const Tensor& b = *in[1];
      out.resize(x.shape);
      for (size_t i = 0; i < x.size(); ++i) out.data[i] = x.data[i] + b.data[i];
      return;
    }
    case OpType::kFlatten:
      out.shape = {x.dim(0), static_cast<int64_t>(x.size()) / std::max<int64_t>(x.dim(0), 1)};
      out.data = x.data;
      return;
    case OpType::kSoftmax: {
      const int64_t n = x.dim(0), k = x.dim(1);
      out.resize(x.shape);
      for (int64_t i = 0; i < n; ++i) {
        const float* p = x.data.data() + i * k;
        float* q = out.data.data() + i * k;
        const float mx = *std::max_element(p, p + k);
        float s = 0.0f;
        for (int64_t j = 0; j < k; ++j) s += (q[j] = std::exp(p[j] - mx));
        for (int64_t j = 0; j < k; ++j) q[j] /= s;
      }
      return;
    }
  }
}

void backward_node(const Node& node, const std::vector<const Tensor*>& in, const Tensor& out,
                   const Tensor& dout, const NodeCache& cache, const std::vector<Tensor*>& din,
                   std::vector<std::vector<float>>& dparams) {
  const Tensor& x = *in[0];
  Tensor* dx = din.empty() ? nullptr : din[0];
  switch (node.op) {
    case OpType::kLinear:
      linear_backward(node, x, dout, dx, dparams);
      return;
    case OpType::kConv2d:
      conv_backward(node, x, dout, cache, dx, dparams);
      return;
    case OpType::kBatchNorm:
      bn_backward(node, x, dout, cache, dx, dparams);
      return;
    default:
      break;
  }
  switch (node.op) {
    case OpType::kReLU:
      if (dx)
        for (size_t i = 0; i < x.size(); ++i)
          if (out.data[i] > 0.0f) dx->data[i] += dout.data[i];
      return;
    case OpType::kMaxPool2d:
    case OpType::kAvgPool2d:
      if (dx) pool_backward(node, x, dout, cache, *dx);
      return;
    case OpType::kGlobalAveragePool: {
      if (!dx) return;
      const int64_t nc = x.dim(0) * x.dim(1), s = x.dim(2) * x.dim(3);
      for (int64_t i = 0; i < nc; ++i) {
        const float d = dout.data[i] / static_cast<float>(s);
        float* q = dx->data.data() + i * s;
        for (int64_t k = 0; k < s; ++k) q[k] += d;
      }
      return;
    }
    case OpType::kAdd:
      for (Tensor* d : din)
        if (d)
          for (size_t i = 0; i < d->size(); ++i) d->data[i] += dout.data[i];
      return;
    case OpType::kFlatten:
      if (dx)
        for (size_t i = 0; i < dx->size(); ++i) dx->data[i] += dout.data[i];
      return;
    case OpType::kSoftmax: {
      if (!dx) return;
      const int64_t n = x.dim(0), k = x.dim(1);
      for (int64_t i = 0; i < n; ++i) {
        const float* y = out.data.data() + i * k;
        const float* d = dout.data.data() + i * k;
        float dot = 0.0f;
        for (int64_t j = 0; j < k; ++j) dot += y[j] * d[j];
        for (int64_t j = 0; j < k; ++j) dx->data[i * k + j] += y[j] * (d[j] - dot);
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace anvil::nn
