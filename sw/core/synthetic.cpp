#include "core/synthetic.hpp"

#include <memory>

#include "core/gaussian_channel.hpp"
#include "core/random.hpp"

namespace anvil::core {

Cell gaussian_cell(double sigma, double read_sigma, uint32_t adc_bits) {
  GaussianConfig g;
  g.levels = 256;
  g.sigma = {sigma};
  g.read_sigma = read_sigma;
  CellSpec spec;
  spec.adc_bits = adc_bits;
  return Cell(std::make_shared<GaussianChannel>(g), spec);
}

CodecParams uniform_codec(const Cell& cell, const CodecShape& shape, DecodeMode decode) {
  TableOptions opt;
  opt.decode = decode;
  return build_codec(cell, shape, uniform_level_dacs(cell.channel(), shape.levels), opt);
}

std::vector<int32_t> uniform_codes(const CodecParams& p, size_t n, uint64_t seed) {
  const RandomStream rs(seed, 99);
  const int32_t lo = code_min(p), hi = code_max(p);
  std::vector<int32_t> codes(n);
  for (size_t i = 0; i < n; ++i)
    codes[i] = lo + static_cast<int32_t>(rs.below(i, Draw::kUser, 0, uint64_t(hi - lo) + 1));
  return codes;
}

}  // namespace anvil::core
