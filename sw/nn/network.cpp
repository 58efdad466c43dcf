#include "nn/network.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <thread>

#include "core/enum_names.hpp"
#include "core/error.hpp"
#include "nn/layers.hpp"

namespace anvil::nn {

namespace {

constexpr std::array<OpNames, 10> kOpNames{{
    {OpType::kLinear, "Linear", "Gemm"},
    {OpType::kConv2d, "Conv2d", "Conv"},
    {OpType::kReLU, "ReLU", "Relu"},
    {OpType::kMaxPool2d, "MaxPool2d", "MaxPool"},
    {OpType::kAvgPool2d, "AvgPool2d", "AveragePool"},
    {OpType::kGlobalAveragePool, "GlobalAveragePool", "GlobalAveragePool"},
    {OpType::kBatchNorm, "BatchNorm", "BatchNormalization"},
    {OpType::kAdd, "Add", "Add"},
    {OpType::kFlatten, "Flatten", "Flatten"},
    {OpType::kSoftmax, "Softmax", "Softmax"},
}};
static_assert(complete_names(kOpNames, OpType::kSoftmax), "every OpType needs its names");

constexpr std::array<EnumName<ParamRole>, 6> kRoleNames{{{ParamRole::kWeight, "weight"},
                                                         {ParamRole::kBias, "bias"},
                                                         {ParamRole::kBnScale, "bn_scale"},
                                                         {ParamRole::kBnBias, "bn_bias"},
                                                         {ParamRole::kBnMean, "bn_mean"},
                                                         {ParamRole::kBnVar, "bn_var"}}};
static_assert(complete_names(kRoleNames, ParamRole::kBnVar), "every ParamRole needs its name");

}  // namespace

OpNames op_names(OpType op) {
  for (const OpNames& n : kOpNames)
    if (n.value == op) return n;
  return {op, "?", "?"};
}

const char* op_name(OpType op) {
  return name_of(kOpNames, op);
}

const char* role_name(ParamRole role) {
  return name_of(kRoleNames, role);
}

Param* Node::find(ParamRole role) {
  for (auto& p : params)
    if (p.role == role) return &p;
  return nullptr;
}

const Param* Node::find(ParamRole role) const {
  for (const auto& p : params)
    if (p.role == role) return &p;
  return nullptr;
}

Network::Network(std::string input_name, int channels, int height, int width)
    : input_name_(std::move(input_name)), channels_(channels), height_(height), width_(width) {
  require(channels > 0 && height > 0 && width > 0, input_name_, "shape",
          "channels, height and width must be > 0");
  value_names_ = {input_name_};
  value_shapes_ = {{channels, height, width}};
}

namespace {
int find_value(const std::vector<std::string>& names, const std::string& v) {
  auto it = std::find(names.begin(), names.end(), v);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}
}  // namespace

void Network::infer_shape(const Node& node) {
  std::vector<ValueShape> in;
  for (const auto& v : node.inputs) {
    const int id = find_value(value_names_, v);
    require(id >= 0, node.name, "inputs", "value '" + v + "' is not defined before this node");
    in.push_back(value_shapes_[id]);
  }
  require(!node.output.empty(), node.name, "output", "must be named");
  require(find_value(value_names_, node.output) < 0, node.name, "output",
          "value '" + node.output + "' is already defined (outputs must be unique)");
  value_shapes_.push_back(node_output_shape(node, in));
  value_names_.push_back(node.output);
}

Node& Network::add(Node node) {
  if (value_names_.empty()) {
    value_names_ = {input_name_};
    value_shapes_ = {{channels_, height_, width_}};
  }
  infer_shape(node);
  output_ = node.output;
  nodes_.push_back(std::move(node));
  return nodes_.back();
}

void Network::set_output(const std::string& value) {
  require(find_value(value_names_, value) >= 0, value, "output", "no such value in the graph");
  output_ = value;
}

int Network::classes() const {
  const ValueShape& s = value_shape(output_);
  require(s.size() == 1, output_, "shape", "network output must be [N, classes]");
  return static_cast<int>(s[0]);
}

const ValueShape& Network::value_shape(const std::string& value) const {
  const int id = find_value(value_names_, value);
  require(id >= 0, value, "value", "no such value in the graph");
  return value_shapes_[id];
}

std::vector<ParamRef> Network::parameters() {
  std::vector<ParamRef> r;
  for (auto& n : nodes_)
    for (auto& p : n.params)
      r.push_back({p.name, p.shape, p.data.data(), p.data.size(), p.role, n.name, n.op});
  return r;
}

std::vector<ConstParamRef> Network::parameters() const {
  std::vector<ConstParamRef> r;
  for (const auto& n : nodes_)
    for (const auto& p : n.params)
      r.push_back({p.name, p.shape, p.data.data(), p.data.size(), p.role, n.name, n.op});
  return r;
}

size_t Network::parameter_count() const {
  size_t c = 0;
  for (const auto& n : nodes_)
    for (const auto& p : n.params) c += p.data.size();
  return c;
}

Eigen::MatrixXf Network::forward(const float* images, size_t n) const {
  std::vector<Tensor> values;
  return run_graph(images, n, values, false, nullptr);
}

namespace {

// True when every value is finite. x * 0 is 0 for a finite x and NaN for NaN or +-Inf, so one
// vectorised sum answers for the whole tensor (about one pass over memory already in cache).
bool all_finite(const std::vector<float>& v) {
  const Eigen::Map<const Eigen::ArrayXf> a(v.data(), static_cast<Eigen::Index>(v.size()));
  return std::isfinite((a * 0.0f).sum());
}

// Whether a node can turn finite inputs into a NaN or Inf. ReLU, MaxPool and Flatten only
// select or move values, so a non-finite output of theirs was already flagged at the node
// that produced it; skipping them halves the scan (LeNet-5) without changing the answer.
bool can_overflow(OpType op) {
  return op != OpType::kReLU && op != OpType::kMaxPool2d && op != OpType::kFlatten;
}

// Ops every output of which reads every input element through sums and products, so a NaN
// or Inf in the input always leaves one in the output (Inf * 0 and Inf - Inf are NaN).
// Not Conv (strides may skip inputs), pooling, ReLU or Softmax (-Inf turns into 0).
bool carries_nonfinite(OpType op) {
  return op == OpType::kLinear || op == OpType::kBatchNorm || op == OpType::kAdd ||
         op == OpType::kFlatten || op == OpType::kGlobalAveragePool;
}

// Which node outputs predict()'s detection pass scans. A node needs no scan of its own when
// a ReLU reads its output (the ReLU checks its input in the same pass), or when every
// consumer carries a NaN/Inf on to an output that is itself observed. In the reference
// networks every convolution and hidden layer feeds a ReLU (directly or through Add), so
// only the logits are scanned. `ids[k]`: node k's input value ids; node k writes value k + 1.
std::vector<char> scan_plan(const std::vector<Node>& nodes,
                            const std::vector<std::vector<int>>& ids, int out_id) {
  const size_t n = nodes.size();
  std::vector<std::vector<size_t>> consumers(n);
  for (size_t k = 0; k < n; ++k)
    for (int id : ids[k])
      if (id > 0) consumers[static_cast<size_t>(id - 1)].push_back(k);
  std::vector<char> scan(n, 0), observed(n, 0);
  for (size_t k = n; k-- > 0;) {
    const auto& c = consumers[k];
    const bool by_relu =
        std::any_of(c.begin(), c.end(), [&](size_t j) { return nodes[j].op == OpType::kReLU; });
    const bool carried = !c.empty() && std::all_of(c.begin(), c.end(), [&](size_t j) {
      return carries_nonfinite(nodes[j].op) && observed[j];
    });
    scan[k] =
        static_cast<int>(k) + 1 == out_id || (!by_relu && !carried && can_overflow(nodes[k].op));
    observed[k] = scan[k] || by_relu || carried;
  }
  return scan;
}

// A buffer from `pool` for `floats` values: the smallest whose size already covers them (a
// shrink writes nothing), else the largest (its tail is zero-filled once as it grows). Its
// contents are stale; every op writes all of its output.
std::vector<float> take_buffer(std::vector<std::vector<float>>& pool, size_t floats) {
  if (pool.empty()) return {};
  size_t best = 0;
  for (size_t i = 1; i < pool.size(); ++i) {
    const size_t c = pool[i].size(), b = pool[best].size();
    const bool fits = c >= floats, best_fits = b >= floats;
    if (fits != best_fits ? fits : (fits ? c < b : c > b)) best = i;
  }
  std::vector<float> v = std::move(pool[best]);
  pool[best] = std::move(pool.back());
  pool.pop_back();
  return v;
}

}  // namespace

Eigen::MatrixXf Network::run_graph(const float* images, size_t n, std::vector<Tensor>& values,
                                   bool keep, std::vector<std::vector<float>>* pool, int* nonfinite,
                                   bool exact) const {
  require(!nodes_.empty(), input_name_, "nodes", "network has no nodes");
  values.resize(value_names_.size());
  values[0].shape = {static_cast<int64_t>(n), channels_, height_, width_};
  // The input's buffer comes from the pool too, or every batch would add one to it.
  if (pool != nullptr && values[0].data.capacity() == 0)
    values[0].data = take_buffer(*pool, n * input_size());
  values[0].data.assign(images, images + n * input_size());
  // Last use of each value, so activations are freed as soon as possible.
  std::vector<size_t> last_use(values.size(), 0);
  std::vector<std::vector<int>> ids(nodes_.size());
  for (size_t k = 0; k < nodes_.size(); ++k)
    for (const auto& v : nodes_[k].inputs) {
      ids[k].push_back(find_value(value_names_, v));
      last_use[ids[k].back()] = k;
    }
  const int out_id = find_value(value_names_, output_);
  // Detection (nothing found yet): the plan's scans and the ReLUs' own checks; a hit reruns
  // the batch exactly. Exact: every node that can overflow, before the first one known.
  const bool detect = nonfinite != nullptr && *nonfinite < 0 && !exact;
  const std::vector<char> scan = detect ? scan_plan(nodes_, ids, out_id) : std::vector<char>{};
  bool hit = false;
  for (size_t k = 0; k < nodes_.size(); ++k) {
    std::vector<const Tensor*> in;
    for (int id : ids[k]) in.push_back(&values[id]);
    Tensor& out = values[k + 1];
    if (pool != nullptr && out.data.capacity() == 0) {
      size_t floats = n;
      for (int64_t d : value_shapes_[k + 1]) floats *= static_cast<size_t>(d);
      out.data = take_buffer(*pool, floats);
    }
    if (detect && nodes_[k].op == OpType::kReLU)
      hit |= !relu_forward(*in[0], out);
    else
      forward_node(nodes_[k], in, out, false, nullptr);
    if (detect)
      hit |= scan[k] && !all_finite(out.data);
    else if (nonfinite != nullptr && (*nonfinite < 0 || static_cast<int>(k) < *nonfinite) &&
             can_overflow(nodes_[k].op) && !all_finite(out.data))
      *nonfinite = static_cast<int>(k);
    for (int id : ids[k])
      if (!keep && last_use[id] == k && id != out_id) {
        if (pool != nullptr && values[id].data.capacity() > 0)
          pool->push_back(std::move(values[id].data));
        values[id] = Tensor{};
      }
  }
  if (hit) return run_graph(images, n, values, keep, pool, nonfinite, true);
  const Tensor& y = values[out_id];
  const int64_t k = static_cast<int64_t>(y.size()) / std::max<int64_t>(1, y.dim(0));
  Eigen::MatrixXf logits(static_cast<Eigen::Index>(n), k);
  logits = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      y.data.data(), static_cast<Eigen::Index>(n), k);
  return logits;
}

std::vector<int> Network::predict(const float* images, size_t n, int threads,
                                  int* nonfinite) const {
  std::vector<int> pred(n);
  // Batches of 50 images, fewer when one batch's values (all of them: what `keep` holds, a
  // bound on the pool's live set) would pass kBatchFloats per thread: ImageNet-size ResNets run a
  // few images at a time, the small reference networks keep their 50.
  constexpr size_t kBatchFloats = size_t{8} << 20;
  size_t per_image = 0;
  for (const auto& s : value_shapes_) {
    size_t e = 1;
    for (int64_t d : s) e *= static_cast<size_t>(d);
    per_image += e;
  }
  const size_t kBatch = std::clamp<size_t>(kBatchFloats / std::max<size_t>(per_image, 1), 1, 50);
  // A full batch within the bound: keep every value (the reference networks; a pool made
  // LeNet-300-100 30 % slower). Otherwise recycle buffers through each worker's pool.
  const bool keep = kBatch == 50;
  const size_t batches = (n + kBatch - 1) / kBatch;
  const int workers = static_cast<int>(std::min<size_t>(std::max(threads, 1), batches));
  std::vector<int> first_bad(std::max(workers, 1), -1);  // per worker, merged below
  auto work = [&](size_t first) {
    std::vector<Tensor> values;
    std::vector<std::vector<float>> pool;
    int* bad = nonfinite != nullptr ? &first_bad[first] : nullptr;
    for (size_t b = first; b < batches; b += static_cast<size_t>(std::max(threads, 1))) {
      const size_t lo = b * kBatch, cnt = std::min(kBatch, n - lo);
      Eigen::MatrixXf y =
          run_graph(images + lo * input_size(), cnt, values, keep, keep ? nullptr : &pool, bad);
      for (size_t i = 0; i < cnt; ++i) {
        Eigen::Index arg = 0;
        y.row(static_cast<Eigen::Index>(i)).maxCoeff(&arg);
        pred[lo + i] = static_cast<int>(arg);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && static_cast<size_t>(t) < batches; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& t : pool) t.join();
  if (nonfinite != nullptr) {
    *nonfinite = -1;
    for (int b : first_bad)
      if (b >= 0 && (*nonfinite < 0 || b < *nonfinite)) *nonfinite = b;
  }
  return pred;
}

size_t Network::count_correct(const Dataset& data, int threads, int* nonfinite) const {
  require(data.size() > 0, data.source, "images", "data set is empty");
  require(static_cast<size_t>(data.image_size()) == input_size(), data.source, "image shape",
          "data set images do not match the network input " + std::to_string(channels_) + "x" +
              std::to_string(height_) + "x" + std::to_string(width_));
  size_t correct = 0;
  if (!data.streamed()) {
    const std::vector<int> pred = predict(data.images.data(), data.size(), threads, nonfinite);
    for (size_t i = 0; i < data.size(); ++i) correct += pred[i] == data.labels[i];
    return correct;
  }
  // Streamed (ImageNet): 64 images decoded per chunk; the first non-finite node over all.
  int first_bad = -1;
  nn::streamed_accuracy(
      *data.folder, 64, threads,
      [&](const float* x, size_t n) {
        int bad = -1;
        std::vector<int> pred = predict(x, n, threads, nonfinite ? &bad : nullptr);
        if (bad >= 0 && (first_bad < 0 || bad < first_bad)) first_bad = bad;
        return pred;
      },
      &correct);
  if (nonfinite) *nonfinite = first_bad;
  return correct;
}

double Network::accuracy(const Dataset& data, int threads) const {
  const size_t correct = count_correct(data, threads, nullptr);
  return static_cast<double>(correct) / static_cast<double>(data.size());
}

Evaluation Network::evaluate(const Dataset& data, int threads) const {
  Evaluation e;
  const size_t correct = count_correct(data, threads, &e.nonfinite_node);
  e.accuracy = static_cast<double>(correct) / static_cast<double>(data.size());
  if (!e.finite()) {
    const Node& bad = nodes_[static_cast<size_t>(e.nonfinite_node)];
    e.nonfinite = bad.name + " (" + op_name(bad.op) + ")";
  }
  return e;
}

Network Network::fold_batchnorm() const {
  Network out(input_name_, channels_, height_, width_);
  std::vector<bool> skip(nodes_.size(), false);
  std::vector<Node> folded;
  for (size_t k = 0; k < nodes_.size(); ++k) {
    if (skip[k]) continue;
    Node node = nodes_[k];
    const bool foldable = node.op == OpType::kConv2d || node.op == OpType::kLinear;
    if (foldable && k + 1 < nodes_.size() && nodes_[k + 1].op == OpType::kBatchNorm &&
        nodes_[k + 1].inputs.size() == 1 && nodes_[k + 1].inputs[0] == node.output &&
        output_ != node.output) {
      size_t uses = 0;
      for (const auto& m : nodes_)
        uses += static_cast<size_t>(std::count(m.inputs.begin(), m.inputs.end(), node.output));
      if (uses == 1) {
        const Node& bn = nodes_[k + 1];
        const int64_t oc = node.params[0].shape[0];
        const size_t per = node.params[0].data.size() / static_cast<size_t>(oc);
        if (!node.find(ParamRole::kBias))
          node.params.push_back(
              {node.name + ".bias", ParamRole::kBias, {oc}, std::vector<float>(oc, 0.0f)});
        // Bound after the push_back, which may move the params (TSan/ASan: heap-use-after-free
        // when `w` was taken before it).
        Param& w = node.params[0];
        Param& b = *node.find(ParamRole::kBias);
        for (int64_t c = 0; c < oc; ++c) {
          const double a = bn.params[0].data[c] /
                           std::sqrt(static_cast<double>(bn.params[3].data[c]) + bn.attr.epsilon);
          for (size_t i = 0; i < per; ++i) w.data[c * per + i] *= static_cast<float>(a);
          b.data[c] =
              static_cast<float>(a * (b.data[c] - bn.params[2].data[c]) + bn.params[1].data[c]);
        }
        node.output = bn.output;  // the folded node produces what BN produced
        skip[k + 1] = true;
      }
    }
    out.add(std::move(node));
  }
  out.set_output(output_);
  return out;
}

void Network::check_finite(const std::string& file) const {
  for (const auto& n : nodes_)
    for (const auto& p : n.params)
      for (float v : p.data)
        require(std::isfinite(v), file, p.name, "parameters must be finite (found NaN or Inf)");
}

}  // namespace anvil::nn
