#include "nn/train.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <thread>

#include "core/error.hpp"
#include "core/random.hpp"
#include "nn/layers.hpp"

namespace anvil::nn {

namespace {

using core::Draw;

constexpr auto kShuffle = static_cast<Draw>(static_cast<uint32_t>(Draw::kUser) + 1);
constexpr auto kAugment = static_cast<Draw>(static_cast<uint32_t>(Draw::kUser) + 2);

// Loss on row-major logits [n, k]; writes d loss / d logits / divisor into grad.
double xent(const float* logits, int64_t n, int64_t k, const uint8_t* labels, float* grad,
            double divisor, size_t* correct) {
  double loss = 0.0;
  std::vector<double> p(static_cast<size_t>(k));
  for (int64_t i = 0; i < n; ++i) {
    const float* z = logits + i * k;
    const int64_t arg = std::max_element(z, z + k) - z;
    if (correct && arg == labels[i]) ++*correct;
    const double mx = z[arg];
    double s = 0.0;
    for (int64_t j = 0; j < k; ++j) s += (p[j] = std::exp(z[j] - mx));
    loss += std::log(s) - (z[labels[i]] - mx);
    if (grad)
      for (int64_t j = 0; j < k; ++j)
        grad[i * k + j] = static_cast<float>((p[j] / s - (j == labels[i] ? 1.0 : 0.0)) / divisor);
  }
  return loss;
}

// The graph as value ids: value 0 is the input, value k+1 the output of node k.
struct Plan {
  std::vector<std::vector<int>> inputs;
  int logits = 0;    // value holding the logits
  size_t nodes = 0;  // nodes to run (a trailing Softmax is skipped in training)
};

Plan make_plan(const Network& net) {
  Plan plan;
  std::vector<std::string> names = {net.input_name()};
  for (const auto& n : net.nodes()) names.push_back(n.output);
  auto id = [&](const std::string& v) {
    return static_cast<int>(std::find(names.begin(), names.end(), v) - names.begin());
  };
  for (const auto& n : net.nodes()) {
    plan.inputs.emplace_back();
    for (const auto& v : n.inputs) plan.inputs.back().push_back(id(v));
  }
  plan.logits = id(net.output_name());
  plan.nodes = static_cast<size_t>(plan.logits);  // nodes after the output are not needed
  if (plan.logits > 0 && net.nodes()[plan.logits - 1].op == OpType::kSoftmax) {
    plan.logits = plan.inputs[plan.logits - 1][0];
    plan.nodes = static_cast<size_t>(plan.logits);
  }
  return plan;
}

// Distillation loss on row-major logits [n, k] with teacher logits t [n, k]:
// alpha * T^2 * KL(softmax(t/T) || softmax(z/T)) + (1 - alpha) * CE(z); gradient / divisor.
// d(T^2 KL)/dz = T (softmax(z/T) - softmax(t/T)).
double distill_xent(const float* logits, const float* teacher, int64_t n, int64_t k,
                    const uint8_t* labels, float* grad, double divisor, size_t* correct,
                    double temp, double alpha) {
  double loss = 0.0;
  std::vector<double> p(static_cast<size_t>(k)), ps(p.size()), pt(p.size());
  auto softmax = [k](const float* z, double scale, std::vector<double>& out) {
    double mx = z[0];
    for (int64_t j = 1; j < k; ++j) mx = std::max(mx, static_cast<double>(z[j]));
    double s = 0.0;
    for (int64_t j = 0; j < k; ++j) s += (out[j] = std::exp((z[j] - mx) * scale));
    for (int64_t j = 0; j < k; ++j) out[j] /= s;
  };
  for (int64_t i = 0; i < n; ++i) {
    const float* z = logits + i * k;
    const float* t = teacher + i * k;
    const int64_t arg = std::max_element(z, z + k) - z;
    if (correct && arg == labels[i]) ++*correct;
    softmax(z, 1.0, p);
    softmax(z, 1.0 / temp, ps);
    softmax(t, 1.0 / temp, pt);
    double kl = 0.0;
    for (int64_t j = 0; j < k; ++j)
      if (pt[j] > 0.0) kl += pt[j] * (std::log(pt[j]) - std::log(std::max(ps[j], 1e-300)));
    const double ce = -std::log(std::max(p[labels[i]], 1e-300));
    loss += alpha * temp * temp * kl + (1.0 - alpha) * ce;
    for (int64_t j = 0; j < k; ++j)
      grad[i * k + j] = static_cast<float>(
          (alpha * temp * (ps[j] - pt[j]) + (1.0 - alpha) * (p[j] - (j == labels[i] ? 1.0 : 0.0))) /
          divisor);
  }
  return loss;
}

struct Shard {
  std::vector<Tensor> values, grads;
  std::vector<NodeCache> caches;
  std::vector<std::vector<std::vector<float>>> dparams;  // [node][param]
  std::vector<uint8_t> labels;
  double loss = 0.0;
  size_t correct = 0;
  std::vector<Tensor> teacher_values;  // distillation: the teacher's activations
};

struct Distill {
  const Network* teacher = nullptr;
  Plan plan;
  double temperature = 1.0, alpha = 0.0;
};

// batch_stats = false runs BatchNorm on its running statistics (eval mode) but still keeps
// what backward needs (im2col, pool indices).
void run_shard(const Network& net, const Plan& plan, Shard& s, double divisor,
               const Distill* distill = nullptr, bool batch_stats = true) {
  const auto& nodes = net.nodes();
  s.caches.resize(plan.nodes);
  for (size_t k = 0; k < plan.nodes; ++k) {
    std::vector<const Tensor*> in;
    for (int id : plan.inputs[k]) in.push_back(&s.values[id]);
    if (!batch_stats && nodes[k].op == OpType::kBatchNorm)
      forward_node(nodes[k], in, s.values[k + 1], false, &s.caches[k]);
    else
      forward_node(nodes[k], in, s.values[k + 1], true, &s.caches[k]);
  }
  const Tensor& z = s.values[plan.logits];
  const int64_t n = z.dim(0), classes = static_cast<int64_t>(z.size()) / n;
  for (size_t v = 0; v <= plan.nodes; ++v) s.grads[v].zero_like(s.values[v]);
  s.correct = 0;
  if (distill) {
    // Teacher logits in eval mode on the same shard images.
    const Network& t = *distill->teacher;
    auto& tv = s.teacher_values;
    tv.resize(distill->plan.nodes + 1);
    tv[0] = s.values[0];
    for (size_t k = 0; k < distill->plan.nodes; ++k) {
      std::vector<const Tensor*> in;
      for (int id : distill->plan.inputs[k]) in.push_back(&tv[id]);
      forward_node(t.nodes()[k], in, tv[k + 1], false, nullptr);
    }
    s.loss = distill_xent(z.data.data(), tv[distill->plan.logits].data.data(), n, classes,
                          s.labels.data(), s.grads[plan.logits].data.data(), divisor, &s.correct,
                          distill->temperature, distill->alpha);
  } else {
    s.loss = xent(z.data.data(), n, classes, s.labels.data(), s.grads[plan.logits].data.data(),
                  divisor, &s.correct);
  }
  for (size_t k = plan.nodes; k-- > 0;) {
    std::vector<const Tensor*> in;
    std::vector<Tensor*> din;
    for (int id : plan.inputs[k]) {
      in.push_back(&s.values[id]);
      din.push_back(id == 0 ? nullptr : &s.grads[id]);  // no gradient for the images
    }
    auto& dp = s.dparams[k];
    dp.resize(nodes[k].params.size());
    for (size_t j = 0; j < dp.size(); ++j) dp[j].assign(nodes[k].params[j].data.size(), 0.0f);
    backward_node(nodes[k], in, s.values[k + 1], s.grads[k + 1], s.caches[k], din, dp);
  }
}

// Copies image `src` into `dst`, shifted by (dy, dx) with zero fill and optionally mirrored.
void augment_copy(const float* src, float* dst, int c, int h, int w, int dy, int dx, bool flip) {
  for (int ch = 0; ch < c; ++ch)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const int sy = y - dy, sx0 = x - dx, sx = flip ? w - 1 - sx0 : sx0;
        const bool in = sy >= 0 && sy < h && sx0 >= 0 && sx0 < w;
        dst[(ch * h + y) * w + x] = in ? src[(ch * h + sy) * w + sx] : 0.0f;
      }
}

}  // namespace

double softmax_cross_entropy(const Eigen::MatrixXf& logits, const uint8_t* labels,
                             Eigen::MatrixXf* grad, double divisor) {
  using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const RowMat z = logits;
  RowMat g(z.rows(), z.cols());
  const double loss = xent(z.data(), z.rows(), z.cols(), labels, g.data(), divisor, nullptr);
  if (grad) *grad = g;
  return loss / static_cast<double>(z.rows());
}

double loss_and_gradients(const Network& net, const float* images, const uint8_t* labels, size_t n,
                          std::vector<std::vector<float>>* grads, bool batch_stats) {
  const Plan plan = make_plan(net);
  Shard s;
  s.values.resize(plan.nodes + 1);
  s.grads.resize(plan.nodes + 1);
  s.dparams.resize(plan.nodes);
  s.values[0].resize({static_cast<int64_t>(n), net.channels(), net.height(), net.width()});
  std::copy_n(images, n * net.input_size(), s.values[0].data.data());
  s.labels.assign(labels, labels + n);
  run_shard(net, plan, s, static_cast<double>(n), nullptr, batch_stats);
  if (grads) {
    grads->clear();
    for (size_t k = 0; k < net.nodes().size(); ++k)
      for (size_t j = 0; j < net.nodes()[k].params.size(); ++j)
        grads->push_back(k < plan.nodes ? s.dparams[k][j]
                                        : std::vector<float>(net.nodes()[k].params[j].data.size()));
  }
  return s.loss / static_cast<double>(n);
}

namespace {

// The teacher of a distillation run, checked against the student.
Distill make_distill(const Network& net, const TrainConfig& cfg) {
  if (!cfg.teacher) return {};
  require(cfg.teacher->input_size() == net.input_size(), "train", "teacher",
          "input shape differs from the student's");
  require(cfg.teacher->classes() == net.classes(), "train", "teacher",
          "class count differs from the student's");
  require(cfg.temperature > 0.0 && std::isfinite(cfg.temperature), "train", "temperature",
          "must be > 0");
  require(cfg.distill_alpha >= 0.0 && cfg.distill_alpha <= 1.0, "train", "distill_alpha",
          "must be in [0, 1]");
  return {cfg.teacher, make_plan(*cfg.teacher), cfg.temperature, cfg.distill_alpha};
}

// Straight-through: the forward copy gets the shadow weights, then the transform.
void refresh_forward(Network& fwd, const Network& net, const TrainConfig& cfg, size_t step) {
  auto& fn = fwd.nodes();
  const auto& nodes = net.nodes();
  for (size_t k = 0; k < nodes.size(); ++k)
    for (size_t j = 0; j < nodes[k].params.size(); ++j)
      fn[k].params[j].data = nodes[k].params[j].data;
  cfg.forward_transform(fwd, static_cast<uint64_t>(step));
  require(fn.size() == nodes.size(), "train", "forward_transform", "must not change the graph");
  for (size_t k = 0; k < nodes.size(); ++k) {
    require(fn[k].params.size() == nodes[k].params.size(), "train", "forward_transform",
            "must not change the graph");
    for (size_t j = 0; j < nodes[k].params.size(); ++j)
      require(fn[k].params[j].data.size() == nodes[k].params[j].data.size(), "train",
              "forward_transform", "must not change parameter sizes");
  }
}

// Images [a, e) of the epoch's order (augmented when asked) into a shard's input.
void fill_shard(Shard& s, const Dataset& d, const TrainConfig& cfg,
                const std::vector<uint32_t>& perm, const core::RandomStream& rng, int epoch,
                size_t a, size_t e) {
  const size_t isz = d.image_size(), n = d.size();
  s.values[0].resize({static_cast<int64_t>(e - a), d.channels, d.height, d.width});
  s.labels.resize(e - a);
  for (size_t i = a; i < e; ++i) {
    const uint32_t src = perm[i];
    float* dst = s.values[0].data.data() + (i - a) * isz;
    s.labels[i - a] = d.labels[src];
    if (cfg.augment) {
      const uint64_t key = static_cast<uint64_t>(epoch) * n + i;
      const uint64_t range = 2 * static_cast<uint64_t>(cfg.shift_px) + 1;
      const int dy = static_cast<int>(rng.below(key, kAugment, 0, range)) - cfg.shift_px;
      const int dx = static_cast<int>(rng.below(key, kAugment, 1, range)) - cfg.shift_px;
      const bool flip = cfg.flip && rng.below(key, kAugment, 2, 2) == 1;
      augment_copy(d.image(src), dst, d.channels, d.height, d.width, dy, dx, flip);
    } else {
      std::copy_n(d.image(src), isz, dst);
    }
  }
}

// Sums the shard gradients into shard 0, in shard order (fixed), so the sum does not depend
// on thread timing.
void reduce_shards(std::vector<Shard>& shards, const Plan& plan) {
  for (size_t si = 1; si < shards.size(); ++si)
    for (size_t k = 0; k < plan.nodes; ++k)
      for (size_t j = 0; j < shards[0].dparams[k].size(); ++j) {
        auto& acc = shards[0].dparams[k][j];
        const auto& add = shards[si].dparams[k][j];
        for (size_t i = 0; i < acc.size(); ++i) acc[i] += add[i];
      }
}

// One optimiser step on one parameter tensor (SGD with momentum, or Adam at step t).
void update_param(Param& p, const std::vector<float>& g, std::vector<float>& v,
                  std::vector<float>* s2, const TrainConfig& cfg, double lr, double t_adam) {
  const double wd = p.role == ParamRole::kWeight ? cfg.weight_decay : 0.0;
  if (cfg.optimizer == Optimizer::kSgd) {
    for (size_t i = 0; i < p.data.size(); ++i) {
      v[i] = static_cast<float>(cfg.momentum * v[i] + g[i] + wd * p.data[i]);
      p.data[i] -= static_cast<float>(lr * v[i]);
    }
    return;
  }
  const double b1 = cfg.momentum, b2 = 0.999;
  const double c1 = 1.0 - std::pow(b1, t_adam), c2 = 1.0 - std::pow(b2, t_adam);
  for (size_t i = 0; i < p.data.size(); ++i) {
    const double gi = g[i] + wd * p.data[i];
    v[i] = static_cast<float>(b1 * v[i] + (1 - b1) * gi);
    (*s2)[i] = static_cast<float>(b2 * (*s2)[i] + (1 - b2) * gi * gi);
    p.data[i] -= static_cast<float>(lr * (v[i] / c1) / (std::sqrt((*s2)[i] / c2) + 1e-8));
  }
}

// BatchNorm running statistics of node k: mean over shards of the shard statistics
// (unbiased variance).
void update_running_stats(Node& node, size_t k, const std::vector<Shard>& shards,
                          const Plan& plan) {
  const float mom = node.attr.momentum;
  for (size_t c = 0; c < node.params[2].data.size(); ++c) {
    double mean = 0.0, var = 0.0;
    for (const auto& s : shards) {
      const Tensor& x = s.values[plan.inputs[k][0]];
      const double m = static_cast<double>(x.size() / static_cast<size_t>(x.dim(1)));
      mean += s.caches[k].mean[c];
      var += s.caches[k].var[c] * (m > 1 ? m / (m - 1) : 1.0);
    }
    mean /= static_cast<double>(shards.size());
    var /= static_cast<double>(shards.size());
    node.params[2].data[c] = static_cast<float>(mom * node.params[2].data[c] + (1 - mom) * mean);
    node.params[3].data[c] = static_cast<float>(mom * node.params[3].data[c] + (1 - mom) * var);
  }
}

}  // namespace

TrainResult train(Network& net, const Dataset& train_set, const Dataset& test,
                  const TrainConfig& cfg, const std::function<void(const EpochStats&)>& on_epoch) {
  require(cfg.epochs >= 0, "train", "epochs", "must be >= 0");
  require(cfg.batch >= 1, "train", "batch", "must be >= 1");
  require(cfg.shards >= 1 && cfg.shards <= cfg.batch, "train", "shards", "must be in [1, batch]");
  require(cfg.threads >= 1, "train", "threads", "must be >= 1");
  require(cfg.lr > 0.0, "train", "lr", "must be > 0");
  require(train_set.image_size() == net.input_size(), train_set.source, "image shape",
          "does not match the network input");
  require(!train_set.streamed() && train_set.size() >= static_cast<size_t>(cfg.batch),
          train_set.source, "images", "fewer images than one batch");
  const Distill distill = make_distill(net, cfg);
  const Distill* dist = cfg.teacher ? &distill : nullptr;
  const Plan plan = make_plan(net);
  const size_t n = train_set.size();
  const size_t steps_per_epoch = n / static_cast<size_t>(cfg.batch);
  const size_t total_steps = steps_per_epoch * static_cast<size_t>(cfg.epochs);
  const size_t warmup = steps_per_epoch * static_cast<size_t>(cfg.warmup_epochs);
  const core::RandomStream rng(cfg.seed, 0x5452414Eull);  // "TRAN"

  std::vector<Shard> shards(static_cast<size_t>(cfg.shards));
  for (auto& s : shards) {
    s.values.resize(plan.nodes + 1);
    s.grads.resize(plan.nodes + 1);
    s.dparams.resize(plan.nodes);
  }
  // Optimiser state, one buffer per parameter tensor.
  auto& nodes = net.nodes();
  std::vector<std::vector<std::vector<float>>> m1(nodes.size()), m2(nodes.size());
  for (size_t k = 0; k < nodes.size(); ++k)
    for (const auto& p : nodes[k].params) {
      m1[k].emplace_back(p.data.size(), 0.0f);
      if (cfg.optimizer == Optimizer::kAdam) m2[k].emplace_back(p.data.size(), 0.0f);
    }

  // Straight-through forward copy: same graph, weights refreshed from `net` every step.
  Network fwd;
  if (cfg.forward_transform) fwd = net;
  const Network& run_net = cfg.forward_transform ? fwd : net;

  TrainResult result;
  std::vector<uint32_t> perm(n);
  size_t step = 0;
  for (int epoch = 1; epoch <= cfg.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    // Fisher-Yates from counter-based draws: the order is a function of (seed, epoch).
    for (size_t i = 0; i < n; ++i) perm[i] = static_cast<uint32_t>(i);
    for (size_t i = n - 1; i > 0; --i)
      std::swap(perm[i], perm[rng.below(i, kShuffle, static_cast<uint32_t>(epoch), i + 1)]);
    double loss_sum = 0.0;
    size_t correct = 0, seen = 0;
    for (size_t b = 0; b < steps_per_epoch; ++b, ++step) {
      if (cfg.forward_transform) refresh_forward(fwd, net, cfg, step);
      const size_t lo = b * static_cast<size_t>(cfg.batch);
      auto fill = [&](size_t si) {
        fill_shard(shards[si], train_set, cfg, perm, rng, epoch, lo + si * cfg.batch / cfg.shards,
                   lo + (si + 1) * cfg.batch / cfg.shards);
        run_shard(run_net, plan, shards[si], static_cast<double>(cfg.batch), dist);
      };
      std::vector<std::thread> pool;
      const int workers = std::min(cfg.threads, cfg.shards);
      for (int t = 1; t < workers; ++t)
        pool.emplace_back([&, t] {
          for (int si = t; si < cfg.shards; si += workers) fill(static_cast<size_t>(si));
        });
      for (int si = 0; si < cfg.shards; si += workers) fill(static_cast<size_t>(si));
      for (auto& t : pool) t.join();

      reduce_shards(shards, plan);
      for (const auto& s : shards) {
        loss_sum += s.loss;
        correct += s.correct;
        seen += s.labels.size();
      }

      const double progress = total_steps ? static_cast<double>(step) / total_steps : 0.0;
      double lr = cfg.lr * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
      if (step < warmup) lr = cfg.lr * static_cast<double>(step + 1) / static_cast<double>(warmup);
      const double t_adam = static_cast<double>(step + 1);
      for (size_t k = 0; k < plan.nodes; ++k) {
        Node& node = nodes[k];
        for (size_t j = 0; j < node.params.size(); ++j) {
          Param& p = node.params[j];
          if (p.role == ParamRole::kBnMean || p.role == ParamRole::kBnVar) continue;
          update_param(p, shards[0].dparams[k][j], m1[k][j],
                       cfg.optimizer == Optimizer::kAdam ? &m2[k][j] : nullptr, cfg, lr, t_adam);
        }
        if (node.op == OpType::kBatchNorm) update_running_stats(node, k, shards, plan);
      }
      if (cfg.after_step) cfg.after_step(net);
    }
    EpochStats st;
    st.epoch = epoch;
    st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    st.loss = seen ? loss_sum / static_cast<double>(seen) : 0.0;
    st.train_accuracy = seen ? static_cast<double>(correct) / static_cast<double>(seen) : 0.0;
    if (test.size() > 0) st.test_accuracy = net.accuracy(test, cfg.threads);
    result.train_seconds += st.seconds;
    result.test_accuracy = st.test_accuracy;
    result.epochs.push_back(st);
    if (on_epoch) on_epoch(st);
  }
  net.check_finite("train");
  return result;
}

}  // namespace anvil::nn
