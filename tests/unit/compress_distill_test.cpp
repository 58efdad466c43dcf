// Distillation: a small student taught by the reference LeNet-300-100 beats the same student
// trained alone on the same 1,000 images, epochs and seeds. Skipped without Fashion-MNIST.
//
// The setting is honest but chosen: a 784-16-10 MLP with few images is where soft targets
// carry information the labels do not. lr is 0.01 for both runs because the distillation
// gradient T * (p_student - p_teacher) is T times larger than the cross-entropy's, and at
// lr 0.05 a 16-unit student diverges or loses units as often as it gains (measured while
// choosing this: at lr 0.02 distillation still won on average, +1.0 pp over 3 seeds; with
// 2,000 images at lr 0.05 it lost).
#define BOOST_TEST_MODULE compress_distill
#include <boost/test/unit_test.hpp>

#include "compress/distill.hpp"
#include "core/error.hpp"
#include "fashion_fixture.hpp"
#include "nn/idx.hpp"
#include "nn/onnx_io.hpp"

using namespace anvil;

BOOST_AUTO_TEST_CASE(mlp_builder) {
  const nn::Network s = compress::build_mlp({}, {16, 8}, 1);
  BOOST_TEST(s.classes() == 10);
  BOOST_TEST(s.parameter_count() == 784u * 16 + 16 + 16 * 8 + 8 + 8 * 10 + 10);
  BOOST_TEST(s.nodes().back().name == "fc3");
  BOOST_CHECK_THROW(compress::build_mlp({}, {0}, 1), Error);
}

BOOST_AUTO_TEST_CASE(distilled_student_beats_student_alone) {
  auto fashion = anvil::test::fashion_slice(1000, 2000);
  if (!fashion) return;
  nn::DataSplit& d = *fashion;
  const nn::Network teacher =
      nn::load_onnx(ANVIL_SOURCE_DIR "/models/networks/lenet300-fashion-mnist.onnx");
  BOOST_TEST(teacher.accuracy(d.test) > 0.85);

  double alone = 0.0, taught = 0.0;
  const int seeds = 3;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    nn::TrainConfig cfg;
    cfg.epochs = 10;
    cfg.batch = 32;
    cfg.lr = 0.01;
    cfg.seed = seed;
    nn::Network a = compress::build_mlp({}, {16}, seed), b = a;
    nn::train(a, d.train, {}, cfg);
    const nn::TrainResult r = compress::distill(b, teacher, d.train, d.test, cfg, 4.0, 0.7);
    const double acc_a = a.accuracy(d.test), acc_b = b.accuracy(d.test);
    BOOST_TEST(r.test_accuracy == acc_b);
    BOOST_TEST_MESSAGE("seed " << seed << ": alone " << acc_a << ", distilled " << acc_b);
    BOOST_TEST(acc_b > acc_a);
    alone += acc_a / seeds;
    taught += acc_b / seeds;
  }
  BOOST_TEST_MESSAGE("mean: alone " << alone << ", distilled " << taught);
  BOOST_TEST(taught - alone > 0.01);  // measured +2.2 pp

  // alpha = 0 is plain cross-entropy: the same bits as training alone.
  nn::TrainConfig cfg;
  cfg.epochs = 1;
  nn::Network a = compress::build_mlp({}, {16}, 9), b = a;
  nn::train(a, d.train, {}, cfg);
  compress::distill(b, teacher, d.train, {}, cfg, 4.0, 0.0);
  const auto pa = a.parameters(), pb = b.parameters();
  for (size_t j = 0; j < pa.size(); ++j)
    for (size_t i = 0; i < pa[j].size; ++i)
      BOOST_REQUIRE_CLOSE(pa[j].data[i] + 1.0f, pb[j].data[i] + 1.0f, 1e-3);
  // A teacher of another shape is refused.
  const nn::Network wrong = compress::build_mlp({1, 14, 14, 10}, {4}, 1);
  BOOST_CHECK_THROW(compress::distill(b, wrong, d.train, {}, cfg), Error);
  BOOST_CHECK_THROW(compress::distill(b, teacher, d.train, {}, cfg, 0.0), Error);
  BOOST_CHECK_THROW(compress::distill(b, teacher, d.train, {}, cfg, 4.0, 1.5), Error);
}
