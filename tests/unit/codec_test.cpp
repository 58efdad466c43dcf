// Golden codec: exact round trips on a noise-free channel (identity tables), for every
// combination of sign protection, splitting and redundancy, and each combiner.
#define BOOST_TEST_MODULE codec
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "core/codec.hpp"
#include "core/error.hpp"

using namespace anvil::core;

namespace {
// Tables of an ideal cell: DAC code d reads back as ADC code d.
CodecParams ideal(uint32_t levels, uint32_t split, uint32_t replicas, bool sign, Combine c) {
  CodecParams p;
  p.shape = {levels, split, replicas, sign, sign ? 3u : 1u, c};
  p.dac_bits = 4;
  p.adc_bits = 4;
  const uint32_t adcs = 16;
  for (uint32_t d = 0; d < levels; ++d) p.level_dac.push_back(d * 15 / (levels - 1));
  p.sign_dac[0] = 0;
  p.sign_dac[1] = 15;
  for (uint32_t a = 0; a < adcs; ++a) {
    // nearest level
    uint32_t best = 0;
    for (uint32_t d = 0; d < levels; ++d) {
      int dist = std::abs(static_cast<int>(p.level_dac[d]) - static_cast<int>(a));
      int bd = std::abs(static_cast<int>(p.level_dac[best]) - static_cast<int>(a));
      if (dist < bd) best = d;
    }
    p.adc_digit.push_back(best);
    p.adc_soft.push_back(best << p.soft_frac_bits);
    p.adc_sign.push_back(a >= 8 ? 1 : 0);
    for (uint32_t d = 0; d < levels; ++d) p.adc_llr.push_back(d == best ? 0 : -1000);
  }
  return p;
}
}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_every_code_every_scheme) {
  for (bool sign : {false, true})
    for (uint32_t levels : {2u, 3u, 4u, 16u})
      for (uint32_t split : {1u, 2u})
        for (uint32_t r : {1u, 2u, 3u})
          for (Combine c : {Combine::kMean, Combine::kMedian, Combine::kMl}) {
            CodecParams p = ideal(levels, split, r, sign, c);
            validate(p);
            std::vector<uint32_t> cells(cells_per_weight(p));
            for (int32_t code = code_min(p); code <= code_max(p); ++code) {
              encode(p, code, cells);
              BOOST_TEST_REQUIRE(decode(p, cells) == code);
            }
          }
}

BOOST_AUTO_TEST_CASE(code_range_and_width) {
  CodecParams p = ideal(16, 2, 1, true, Combine::kMedian);
  BOOST_TEST(code_min(p) == -255);
  BOOST_TEST(code_max(p) == 255);
  BOOST_TEST(code_bits(p) == 9u);
  BOOST_TEST(cells_per_weight(p) == 5u);
  p = ideal(16, 1, 3, false, Combine::kMedian);
  BOOST_TEST(code_min(p) == -8);
  BOOST_TEST(code_max(p) == 7);
  BOOST_TEST(code_bits(p) == 4u);
  BOOST_TEST(cells_per_weight(p) == 3u);
}

BOOST_AUTO_TEST_CASE(median_outvotes_one_bad_replica) {
  CodecParams p = ideal(16, 1, 3, false, Combine::kMedian);
  std::vector<uint32_t> cells(3);
  encode(p, 5, cells);
  cells[1] = 0;  // one replica read at the bottom level
  BOOST_TEST(decode(p, cells) == 5);
}

BOOST_AUTO_TEST_CASE(bad_parameters_rejected) {
  CodecParams p = ideal(16, 1, 1, false, Combine::kMedian);
  p.shape.replicas = 0;
  BOOST_CHECK_THROW(validate(p), anvil::Error);
  p = ideal(16, 1, 1, false, Combine::kMedian);
  p.shape.levels = 1;
  BOOST_CHECK_THROW(validate(p), anvil::Error);
  p = ideal(16, 1, 1, false, Combine::kMedian);
  p.adc_digit.pop_back();
  try {
    validate(p, "x.yaml");
    BOOST_FAIL("no throw");
  } catch (const anvil::Error& e) {
    BOOST_TEST(e.field() == "adc_digit");
    BOOST_TEST(std::string(e.what()).find("x.yaml: adc_digit") == 0u);
  }
}

// The enum name tables (core/enum_names.hpp): every name parses back to its value, and an
// unknown name is one error that lists the names.
BOOST_AUTO_TEST_CASE(combine_names_round_trip) {
  for (const auto& n : kCombineNames) {
    BOOST_TEST(std::string(to_string(n.value)) == n.name);
    BOOST_TEST((combine_from_string(n.name, "c.yaml", "combine") == n.value));
  }
  try {
    combine_from_string("vote", "c.yaml", "combine");
    BOOST_FAIL("no throw");
  } catch (const anvil::Error& e) {
    BOOST_TEST(e.file() == "c.yaml");
    BOOST_TEST(e.field() == "combine");
    BOOST_TEST(e.rule() == "must be one of mean, median, ml (got 'vote')");
  }
  BOOST_TEST(std::string(to_string(static_cast<Combine>(7))) == "?");
}
