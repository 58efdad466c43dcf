// BCH codec (core/bch): known generator polynomials and dimensions, correction of every error
// pattern up to t, detection beyond, and the Monte Carlo word failure rate against the
// analytic word_failure() that footprint accounting uses to choose t.
#define BOOST_TEST_MODULE bch
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/bch.hpp"
#include "core/error.hpp"
#include "core/footprint.hpp"
#include "core/random.hpp"

using namespace anvil::core;

namespace {
const uint64_t kSeed = seed_from_env("ANVIL_TEST_SEED", 20260101);

std::vector<uint8_t> random_bits(const RandomStream& rs, uint64_t index, uint32_t k) {
  std::vector<uint8_t> d(k);
  for (uint32_t i = 0; i < k; ++i) d[i] = static_cast<uint8_t>(rs.below(index, Draw::kUser, i, 2));
  return d;
}
}  // namespace

BOOST_AUTO_TEST_CASE(generator_and_dimension) {
  // BCH(15,7,t=2) over x^4 + x + 1: g(x) = x^8 + x^7 + x^6 + x^4 + 1.
  const Bch b(4, 2);
  BOOST_TEST(b.k() == 7u);
  BOOST_TEST(b.generator() == (std::vector<uint8_t>{1, 0, 0, 0, 1, 0, 1, 1, 1}),
             boost::test_tools::per_element());
  for (uint32_t t : {1u, 2u, 6u, 17u, 40u}) BOOST_TEST(Bch(10, t).k() == bch_dimension(10, t));
  BOOST_CHECK_THROW(Bch(10, 512), anvil::Error);
  BOOST_CHECK_THROW(Bch(2, 1), anvil::Error);
}

BOOST_AUTO_TEST_CASE(corrects_up_to_t_errors) {
  const RandomStream rs(kSeed, 21);
  for (uint32_t t : {1u, 3u, 8u}) {
    const Bch b(10, t);
    for (uint32_t trial = 0; trial < 20; ++trial) {
      const std::vector<uint8_t> data = random_bits(rs, trial * 100 + t, b.k());
      const std::vector<uint8_t> code = b.encode(data);
      BOOST_TEST_REQUIRE(code.size() == 1023u);
      std::vector<uint8_t> word = code;
      BOOST_TEST(b.decode(word) == 0);
      const uint32_t errs = trial % (t + 1);  // 0 .. t errors at distinct positions
      std::vector<uint32_t> pos;
      for (uint32_t e = 0; pos.size() < errs; ++e) {
        const auto p =
            static_cast<uint32_t>(rs.below(trial * 100 + t, Draw::kUser, 5000 + e, 1023));
        if (std::find(pos.begin(), pos.end(), p) == pos.end()) pos.push_back(p);
      }
      for (uint32_t p : pos) word[p] ^= 1;
      BOOST_TEST(b.decode(word) == static_cast<int>(errs));
      BOOST_TEST_REQUIRE(word == code);
    }
  }
}

BOOST_AUTO_TEST_CASE(monte_carlo_word_failure_matches_analytic) {
  // BCH(63,45,t=3) at raw BER 3%: P(> 3 errors in 63 bits) from word_failure().
  const Bch b(6, 3);
  const double p = 0.03;
  const RandomStream rs(kSeed, 22);
  const uint32_t trials = 4000;
  uint32_t fail = 0;
  for (uint32_t i = 0; i < trials; ++i) {
    const std::vector<uint8_t> code = b.encode(random_bits(rs, i, b.k()));
    std::vector<uint8_t> word = code;
    for (uint32_t j = 0; j < 63; ++j)
      if (rs.uniform(i, Draw::kUser, 1000 + j) < p) word[j] ^= 1;
    b.decode(word);
    fail += word != code;
  }
  const double expect = word_failure(63, 3, p);
  const double sd = std::sqrt(expect * (1 - expect) / trials);
  BOOST_TEST_MESSAGE("word failure: simulated " << double(fail) / trials << ", analytic "
                                                << expect);
  BOOST_TEST(std::abs(double(fail) / trials - expect) < 4 * sd);
}
