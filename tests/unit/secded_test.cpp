// SECDED(72,64) golden model: every single error corrected, every double error detected
// (exhaustive over all bit positions and all pairs, for several random words).
#define BOOST_TEST_MODULE secded
#include <boost/test/unit_test.hpp>

#include <bit>
#include <random>
#include <vector>

#include "core/random.hpp"
#include "core/secded.hpp"

using namespace anvil::core;

namespace {
std::vector<uint64_t> test_words() {
  std::mt19937_64 rng(seed_from_env("ANVIL_TEST_SEED", 20260101u));
  std::vector<uint64_t> w = {0, ~uint64_t{0}, 0x5555555555555555ull, 0x8000000000000001ull};
  for (int i = 0; i < 12; ++i) w.push_back(rng());
  return w;
}
}  // namespace

BOOST_AUTO_TEST_CASE(hsiao_matrix_has_distinct_odd_columns_and_balanced_rows) {
  const auto& m = secded_masks();
  std::vector<unsigned> cols;
  for (unsigned i = 0; i < 64; ++i) {
    unsigned c = 0;
    for (unsigned j = 0; j < 8; ++j) c |= static_cast<unsigned>(m[j] >> i & 1u) << j;
    BOOST_TEST(std::popcount(c) % 2 == 1);
    BOOST_TEST(std::popcount(c) > 1);
    for (unsigned prev : cols) BOOST_TEST(prev != c);
    cols.push_back(c);
  }
  for (unsigned j = 0; j < 8; ++j) BOOST_TEST(std::popcount(m[j]) == 26);
}

BOOST_AUTO_TEST_CASE(clean_words_decode_unchanged) {
  for (uint64_t d : test_words()) {
    const SecdedResult r = secded_decode(secded_encode(d));
    BOOST_TEST(r.data == d);
    BOOST_TEST(r.syndrome == 0);
    BOOST_TEST(!r.corrected);
    BOOST_TEST(!r.double_error);
  }
}

BOOST_AUTO_TEST_CASE(every_single_error_is_corrected) {
  for (uint64_t d : test_words()) {
    for (unsigned b = 0; b < 72; ++b) {
      Codeword72 w = secded_encode(d);
      w.flip(b);
      const SecdedResult r = secded_decode(w);
      BOOST_TEST_REQUIRE(r.data == d);
      BOOST_TEST_REQUIRE(r.corrected);
      BOOST_TEST_REQUIRE(!r.double_error);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_double_error_is_detected) {
  for (uint64_t d : test_words()) {
    for (unsigned a = 0; a < 72; ++a) {
      for (unsigned b = a + 1; b < 72; ++b) {
        Codeword72 w = secded_encode(d);
        w.flip(a);
        w.flip(b);
        const SecdedResult r = secded_decode(w);
        BOOST_TEST_REQUIRE(r.double_error);
        BOOST_TEST_REQUIRE(!r.corrected);
      }
    }
  }
}
