// Training: a short LeNet-300-100 run on a Fashion-MNIST slice learns, and gives
// bit-identical weights for 1 and 2 threads (the shard split, not the thread count, fixes the
// arithmetic). Skipped when the Fashion-MNIST package is not installed.
#define BOOST_TEST_MODULE nn_train
#include <boost/test/unit_test.hpp>

#include "fashion_fixture.hpp"
#include "nn/idx.hpp"
#include "nn/models.hpp"
#include "nn/train.hpp"

using namespace anvil::nn;

BOOST_AUTO_TEST_CASE(short_run_learns_and_is_thread_independent) {
  const size_t n = 3000;
  auto fashion = anvil::test::fashion_slice(n, 2000);
  if (!fashion) return;
  DataSplit& d = *fashion;
  TrainConfig cfg;
  cfg.epochs = 2;
  cfg.batch = 64;
  cfg.augment = true;  // exercises the seeded shift/flip path too
  Network a = build_lenet300({}, 7), b = a;
  cfg.threads = 1;
  const TrainResult ra = train(a, d.train, d.test, cfg);
  cfg.threads = 2;
  const TrainResult rb = train(b, d.train, d.test, cfg);
  const auto pa = a.parameters(), pb = b.parameters();
  for (size_t j = 0; j < pa.size(); ++j)
    BOOST_TEST(std::equal(pa[j].data, pa[j].data + pa[j].size, pb[j].data), pa[j].name);
  BOOST_TEST(ra.test_accuracy == rb.test_accuracy);
  BOOST_TEST(ra.test_accuracy > 0.70);  // chance is 0.10
  BOOST_TEST(ra.epochs[1].loss < ra.epochs[0].loss);
}
