#include "core/codec_tables.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace anvil::core {

const char* to_string(LevelsFrom l) {
  return name_of(kLevelsFromNames, l);
}

const char* to_string(DecodeMode d) {
  return name_of(kDecodeModeNames, d);
}

LevelsFrom levels_from_string(const std::string& s, const std::string& file,
                              const std::string& field) {
  return parse_enum(kLevelsFromNames, s, file, field);
}

DecodeMode decode_from_string(const std::string& s, const std::string& file,
                              const std::string& field) {
  return parse_enum(kDecodeModeNames, s, file, field);
}

uint32_t dac_bits_for(const Channel& ch) {
  const uint32_t n = ch.dac_codes();
  require(n >= 2 && n <= (1u << 16), "channel", "dac_codes", "must be in [2, 65536]");
  uint32_t b = 1;
  while ((1u << b) < n) ++b;
  return b;
}

std::vector<uint32_t> uniform_level_dacs(const Channel& ch, uint32_t levels) {
  const uint32_t n = ch.dac_codes();
  require(levels >= 2, "scheme", "levels", "must be >= 2");
  require(levels <= n, "scheme", "levels",
          "must not exceed the channel's " + std::to_string(n) + " DAC codes");
  std::vector<uint32_t> out(levels);
  for (uint32_t i = 0; i < levels; ++i)
    out[i] = static_cast<uint32_t>(
        std::llround(static_cast<double>(i) * (n - 1) / static_cast<double>(levels - 1)));
  return out;
}

std::array<uint32_t, 2> sign_level_dacs(const Channel& ch, double t_s) {
  std::array<uint32_t, 2> s{0, 0};
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (uint32_t d = 0; d < ch.dac_codes(); ++d) {
    const double m = ch.stats(d, t_s).mean;
    if (m < lo) lo = m, s[0] = d;
    if (m > hi) hi = m, s[1] = d;
  }
  return s;
}

double nominal_time(const Cell& cell, const TableOptions& opt) {
  return opt.nominal_time_s >= 0.0 ? opt.nominal_time_s : cell.spec().verify_time_s;
}

DriftFit fit_drift(std::span<const double> nominal, std::span<const double> observed) {
  DriftFit f;
  const size_t n = std::min(nominal.size(), observed.size());
  if (n == 0) return f;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) mx += nominal[i], my += observed[i];
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxx = 0, sxy = 0, sxx0 = 0, sxy0 = 0;
  for (size_t i = 0; i < n; ++i) {
    sxx += (nominal[i] - mx) * (nominal[i] - mx);
    sxy += (nominal[i] - mx) * (observed[i] - my);
    sxx0 += nominal[i] * nominal[i];
    sxy0 += nominal[i] * observed[i];
  }
  if (sxx > 1e-12 * std::max(1.0, sxx0)) {
    f.gain = sxy / sxx;
    f.offset = my - f.gain * mx;
  } else if (sxx0 > 0.0) {
    f.gain = sxy0 / sxx0;  // one distinct level: a pure scale
  }
  return f;
}

namespace {

// ADC bin edges: midpoints between bin centres, outer bins open (the ADC clamps).
std::vector<double> adc_edges(const Cell& cell) {
  const uint32_t a_n = cell.adc_codes();
  std::vector<double> e(a_n + 1);
  e[0] = -std::numeric_limits<double>::infinity();
  e[a_n] = std::numeric_limits<double>::infinity();
  for (uint32_t a = 1; a < a_n; ++a) e[a] = 0.5 * (cell.dequantize(a - 1) + cell.dequantize(a));
  return e;
}

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

// P(adc | level) of a Gaussian read value N(mean, std) through the ADC.
std::vector<std::vector<double>> gaussian_transition(const Cell& cell,
                                                     const std::vector<double>& mean,
                                                     const std::vector<double>& std) {
  const std::vector<double> e = adc_edges(cell);
  const uint32_t a_n = cell.adc_codes();
  std::vector<std::vector<double>> p(mean.size(), std::vector<double>(a_n, 0.0));
  for (size_t d = 0; d < mean.size(); ++d) {
    if (!(std[d] > 0.0)) {
      p[d][cell.quantize(mean[d])] = 1.0;
      continue;
    }
    for (uint32_t a = 0; a < a_n; ++a) {
      const double lo = std::isinf(e[a]) ? 0.0 : normal_cdf((e[a] - mean[d]) / std[d]);
      const double hi = std::isinf(e[a + 1]) ? 1.0 : normal_cdf((e[a + 1] - mean[d]) / std[d]);
      p[d][a] = std::max(0.0, hi - lo);
    }
  }
  return p;
}

uint32_t nearest(const std::vector<double>& means, double v) {
  uint32_t best = 0;
  for (uint32_t d = 1; d < means.size(); ++d)
    if (std::abs(means[d] - v) < std::abs(means[best] - v)) best = d;
  return best;
}

// Soft digit by inverting a (possibly non-monotone) mean response: levels sorted by mean,
// piecewise-linear between neighbours, clamped at the ends.
double invert_response(const std::vector<double>& means, double v) {
  std::vector<uint32_t> order(means.size());
  for (uint32_t d = 0; d < order.size(); ++d) order[d] = d;
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return means[a] < means[b]; });
  if (v <= means[order.front()]) return order.front();
  if (v >= means[order.back()]) return order.back();
  for (size_t i = 0; i + 1 < order.size(); ++i) {
    const double m0 = means[order[i]], m1 = means[order[i + 1]];
    if (v >= m0 && v <= m1) {
      if (m1 - m0 <= 0.0) return order[i];
      const double f = (v - m0) / (m1 - m0);
      return order[i] + f * (static_cast<double>(order[i + 1]) - order[i]);
    }
  }
  return nearest(means, v);
}

std::vector<double> row_means(const Cell& cell, const std::vector<std::vector<double>>& p) {
  std::vector<double> m(p.size(), 0.0);
  for (size_t d = 0; d < p.size(); ++d) {
    double s = 0.0, w = 0.0;
    for (uint32_t a = 0; a < p[d].size(); ++a) s += p[d][a] * cell.dequantize(a), w += p[d][a];
    m[d] = w > 0.0 ? s / w : 0.0;
  }
  return m;
}

}  // namespace

CodecParams build_codec(const Cell& cell, const CodecShape& shape,
                        std::span<const uint32_t> level_dac, const TableOptions& opt,
                        const DriftFit& drift) {
  const Channel& ch = cell.channel();
  CodecParams p;
  p.shape = shape;
  p.dac_bits = dac_bits_for(ch);
  p.adc_bits = cell.spec().adc_bits;
  p.soft_frac_bits = opt.soft_frac_bits;
  require(p.shape.levels >= 2, "scheme", "levels", "must be >= 2");
  require(level_dac.size() == p.shape.levels, "scheme", "level_dac",
          "needs one DAC code per level (" + std::to_string(p.shape.levels) + ")");
  for (uint32_t d : level_dac)
    require(d < ch.dac_codes(), "scheme", "level_dac", "DAC code beyond the channel's range");
  require(opt.draws >= 1, "scheme", "draws", "must be >= 1");
  p.level_dac.assign(level_dac.begin(), level_dac.end());

  const uint32_t L = p.shape.levels, a_n = cell.adc_codes();
  const double t_read = cell.spec().read_time_s, t_nom = nominal_time(cell, opt);
  const bool nominal_model = opt.decode == DecodeMode::kNaive || opt.decode == DecodeMode::kRef;
  const DriftFit fit = opt.decode == DecodeMode::kRef ? drift : DriftFit{};

  // The decoder's model of each level: nominal (naive, ref) or measured at the read time.
  auto model_of = [&](std::span<const uint32_t> dacs) {
    std::vector<double> mean(dacs.size()), sd(dacs.size());
    for (size_t i = 0; i < dacs.size(); ++i) {
      const LevelStats s = ch.stats(dacs[i], t_nom);
      mean[i] = fit.gain * s.mean + fit.offset;
      sd[i] = std::abs(fit.gain) * s.std;
    }
    return std::pair{mean, sd};
  };
  std::vector<std::vector<double>> P;
  std::vector<double> means;
  if (nominal_model) {
    auto [m, sd] = model_of(p.level_dac);
    P = gaussian_transition(cell, m, sd);
    means = m;
  } else {
    P = cell.transition(p.level_dac, t_read, opt.draws, opt.seed);
    means = row_means(cell, P);
  }

  const double unit = std::ldexp(1.0, static_cast<int>(p.soft_frac_bits));
  const double top = static_cast<double>(L - 1);
  const double floor_p = 0.5 / opt.draws;  // half a count: the floor of empty bins
  const double llr_unit = std::ldexp(1.0, static_cast<int>(opt.llr_frac_bits));
  p.adc_digit.resize(a_n);
  p.adc_soft.resize(a_n);
  p.adc_llr.resize(size_t{a_n} * L);
  for (uint32_t a = 0; a < a_n; ++a) {
    const double v = cell.dequantize(a);
    double mass = 0.0, moment = 0.0, best_p = 0.0;
    uint32_t best = nearest(means, v);
    for (uint32_t d = 0; d < L; ++d) {
      const double pd = P[d][a];
      mass += pd;
      moment += pd * d;
      if (pd > best_p) best_p = pd, best = d;
      const double ll = std::log(std::max(pd, floor_p)) * llr_unit;
      p.adc_llr[size_t{a} * L + d] = static_cast<int32_t>(std::llround(ll));
    }
    double soft = 0.0;
    uint32_t digit = 0;
    switch (opt.decode) {
      case DecodeMode::kNaive:
      case DecodeMode::kRef:
        digit = nearest(means, v);
        soft = invert_response(means, v);
        break;
      case DecodeMode::kMl:
        digit = best;  // empty bins: nearest by the measured mean read
        soft = digit;
        break;
      case DecodeMode::kMmse:
        soft = mass > 0.0 ? moment / mass : static_cast<double>(nearest(means, v));
        digit = static_cast<uint32_t>(std::clamp(std::llround(soft), 0ll, (long long)(L - 1)));
        break;
    }
    p.adc_digit[a] = digit;
    p.adc_soft[a] = static_cast<uint32_t>(std::llround(std::clamp(soft, 0.0, top) * unit));
  }

  if (p.shape.sign_cell) {
    const std::array<uint32_t, 2> s = sign_level_dacs(ch, t_read);
    p.sign_dac[0] = s[0];
    p.sign_dac[1] = s[1];
    std::vector<std::vector<double>> Ps;
    std::vector<double> sm;
    if (nominal_model) {
      auto [m, sd] = model_of(s);
      Ps = gaussian_transition(cell, m, sd);
      sm = m;
    } else {
      Ps = cell.transition(s, t_read, opt.draws, opt.seed ^ 0x5167ull);
      sm = row_means(cell, Ps);
    }
    p.adc_sign.resize(a_n);
    for (uint32_t a = 0; a < a_n; ++a) {
      const double v = cell.dequantize(a);
      uint8_t bit = static_cast<uint8_t>(nearest(sm, v));
      if (!nominal_model && Ps[0][a] != Ps[1][a]) bit = Ps[1][a] > Ps[0][a] ? 1 : 0;
      p.adc_sign[a] = bit;
    }
  }
  validate(p, "codec_tables");
  return p;
}

}  // namespace anvil::core
