#include "compress/prune.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "compress/tensors.hpp"
#include "core/error.hpp"

namespace anvil::compress {

namespace {

void check_sparsity(double s, const std::string& field) {
  require(std::isfinite(s) && s >= 0.0 && s <= 1.0, "prune", field, "sparsity must be in [0, 1]");
}

// Indices of the m smallest |w| (ties: lower index), as a mask of n bytes.
std::vector<uint8_t> smallest_mask(const float* w, size_t n, size_t m) {
  std::vector<uint8_t> mask(n, 1);
  if (m == 0) return mask;
  std::vector<uint32_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0u);
  auto less = [w](uint32_t a, uint32_t b) {
    const float fa = std::fabs(w[a]), fb = std::fabs(w[b]);
    return fa < fb || (fa == fb && a < b);
  };
  if (m < n)
    std::nth_element(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(m), idx.end(), less);
  for (size_t i = 0; i < m; ++i) mask[idx[i]] = 0;
  return mask;
}

bool is_dense(nn::OpType op) {
  return op == nn::OpType::kConv2d || op == nn::OpType::kLinear;
}

// The path from a prunable node's output to its consumer.
struct Chain {
  size_t producer = 0;
  std::vector<size_t> batchnorms;  // sliced along with the producer
  size_t consumer = 0;
  int64_t block = 1;  // consumer input columns per channel (H*W after a Flatten)
};

std::optional<Chain> chain_of(const nn::Network& net, size_t k) {
  const auto& nodes = net.nodes();
  if (!is_dense(nodes[k].op)) return std::nullopt;
  Chain c;
  c.producer = k;
  std::string v = nodes[k].output;
  bool flat = false;
  for (;;) {
    if (v == net.output_name()) return std::nullopt;
    size_t user = 0, uses = 0;
    for (size_t j = 0; j < nodes.size(); ++j)
      for (const auto& in : nodes[j].inputs)
        if (in == v) {
          user = j;
          ++uses;
        }
    if (uses != 1) return std::nullopt;
    const nn::Node& u = nodes[user];
    switch (u.op) {
      case nn::OpType::kReLU:
        break;
      case nn::OpType::kMaxPool2d:
      case nn::OpType::kAvgPool2d:
      case nn::OpType::kGlobalAveragePool:
        if (flat) return std::nullopt;
        break;
      case nn::OpType::kBatchNorm:
        if (flat) return std::nullopt;
        c.batchnorms.push_back(user);
        break;
      case nn::OpType::kFlatten: {
        if (flat) return std::nullopt;
        const nn::ValueShape& s = net.value_shape(v);
        c.block = 1;
        for (size_t i = 1; i < s.size(); ++i) c.block *= s[i];
        flat = true;
        break;
      }
      case nn::OpType::kConv2d:
        if (flat) return std::nullopt;
        c.consumer = user;
        return c;
      case nn::OpType::kLinear:
        c.consumer = user;
        return c;
      default:
        return std::nullopt;  // Add (residual sum), Softmax
    }
    v = u.output;
  }
}

size_t node_index(const nn::Network& net, const std::string& name, const std::string& where) {
  const auto& nodes = net.nodes();
  for (size_t k = 0; k < nodes.size(); ++k)
    if (nodes[k].name == name) return k;
  throw Error(where, name, "no such node in the network");
}

// Keeps rows `kept` of axis 0.
void slice_rows(nn::Param& p, const std::vector<int>& kept) {
  const size_t per = p.data.size() / static_cast<size_t>(p.shape[0]);
  std::vector<float> out;
  out.reserve(kept.size() * per);
  for (int c : kept)
    out.insert(out.end(), p.data.begin() + static_cast<std::ptrdiff_t>(c * per),
               p.data.begin() + static_cast<std::ptrdiff_t>((c + 1) * per));
  p.data = std::move(out);
  p.shape[0] = static_cast<int64_t>(kept.size());
}

// Keeps input channels `kept` of a weight [out, C * block, ...] seen as [out, C, inner].
void slice_inputs(nn::Param& p, const std::vector<int>& kept, int64_t block) {
  const size_t out = static_cast<size_t>(p.shape[0]);
  const size_t row = p.data.size() / out;
  size_t inner = static_cast<size_t>(block);
  for (size_t i = 2; i < p.shape.size(); ++i) inner *= static_cast<size_t>(p.shape[i]);
  std::vector<float> data;
  data.reserve(out * kept.size() * inner);
  for (size_t o = 0; o < out; ++o)
    for (int c : kept) {
      const auto first = p.data.begin() + static_cast<std::ptrdiff_t>(o * row + c * inner);
      data.insert(data.end(), first, first + static_cast<std::ptrdiff_t>(inner));
    }
  p.data = std::move(data);
  p.shape[1] = static_cast<int64_t>(kept.size()) * block;
}

}  // namespace

std::vector<std::string> weight_tensors(const nn::Network& net) {
  std::vector<std::string> names;
  for (const auto& node : net.nodes())
    if (is_dense(node.op))
      for (const auto& p : node.params)
        if (p.role == nn::ParamRole::kWeight) names.push_back(p.name);
  return names;
}

size_t pruned_count(size_t n, double sparsity) {
  return std::min(n, static_cast<size_t>(std::floor(sparsity * static_cast<double>(n) + 0.5)));
}

Masks magnitude_masks(const nn::Network& net, const std::map<std::string, double>& sparsity) {
  Masks masks;
  for (const auto& [name, s] : sparsity) {
    check_sparsity(s, name);
    const nn::Param& p = param(net, name, "prune");
    masks[name] = smallest_mask(p.data.data(), p.data.size(), pruned_count(p.data.size(), s));
  }
  return masks;
}

Masks global_magnitude_masks(const nn::Network& net, const std::vector<std::string>& tensors,
                             double sparsity) {
  check_sparsity(sparsity, "sparsity");
  require(!tensors.empty(), "prune", "tensors", "global pruning needs at least one tensor");
  for (const auto& t : tensors) param(net, t, "prune");  // every name must exist
  // Concatenate in network order (so the tie order does not depend on the list order).
  std::vector<const nn::Param*> ps;
  for (const auto& node : net.nodes())
    for (const auto& p : node.params)
      if (std::find(tensors.begin(), tensors.end(), p.name) != tensors.end()) ps.push_back(&p);
  std::vector<float> all;
  for (const auto* p : ps) all.insert(all.end(), p->data.begin(), p->data.end());
  const std::vector<uint8_t> flat =
      smallest_mask(all.data(), all.size(), pruned_count(all.size(), sparsity));
  Masks masks;
  size_t off = 0;
  for (const auto* p : ps) {
    masks[p->name].assign(flat.begin() + static_cast<std::ptrdiff_t>(off),
                          flat.begin() + static_cast<std::ptrdiff_t>(off + p->data.size()));
    off += p->data.size();
  }
  return masks;
}

void apply_masks(nn::Network& net, const Masks& masks) {
  for (const auto& [name, m] : masks) {
    nn::Param& p = param(net, name, "apply_masks");
    require(m.size() == p.data.size(), "apply_masks", name, "mask size differs from the tensor's");
    for (size_t i = 0; i < m.size(); ++i)
      if (!m[i]) p.data[i] = 0.0f;
  }
}

double sparsity(const nn::Network& net, const std::vector<std::string>& tensors) {
  size_t zeros = 0, n = 0;
  for (const auto& t : tensors) {
    const nn::Param& p = param(net, t, "sparsity");
    zeros += static_cast<size_t>(std::count(p.data.begin(), p.data.end(), 0.0f));
    n += p.data.size();
  }
  return n ? static_cast<double>(zeros) / static_cast<double>(n) : 0.0;
}

double mask_sparsity(const Masks& masks) {
  size_t zeros = 0, n = 0;
  for (const auto& [name, m] : masks) {
    zeros += static_cast<size_t>(std::count(m.begin(), m.end(), uint8_t{0}));
    n += m.size();
  }
  return n ? static_cast<double>(zeros) / static_cast<double>(n) : 0.0;
}

std::vector<std::string> prunable_nodes(const nn::Network& net) {
  std::vector<std::string> names;
  for (size_t k = 0; k < net.nodes().size(); ++k)
    if (chain_of(net, k)) names.push_back(net.nodes()[k].name);
  return names;
}

std::vector<double> channel_l1(const nn::Network& net, const std::string& node) {
  const nn::Node& n = net.nodes()[node_index(net, node, "channel_l1")];
  require(is_dense(n.op), "channel_l1", node, "not a Conv or Linear node");
  const nn::Param& w = *n.find(nn::ParamRole::kWeight);
  const size_t out = static_cast<size_t>(w.shape[0]), per = w.data.size() / out;
  std::vector<double> l1(out, 0.0);
  for (size_t c = 0; c < out; ++c)
    for (size_t i = 0; i < per; ++i) l1[c] += std::fabs(static_cast<double>(w.data[c * per + i]));
  return l1;
}

std::vector<int> kept_channels(const nn::Network& net, const std::string& node, int keep) {
  const std::vector<double> l1 = channel_l1(net, node);
  require(keep >= 1 && static_cast<size_t>(keep) <= l1.size(), "prune_channels", node,
          "channels to keep must be in [1, " + std::to_string(l1.size()) + "]");
  std::vector<int> idx(l1.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return l1[a] > l1[b]; });
  idx.resize(static_cast<size_t>(keep));
  std::sort(idx.begin(), idx.end());
  return idx;
}

nn::Network prune_channels(const nn::Network& net, const std::map<std::string, int>& keep) {
  std::vector<nn::Node> nodes = net.nodes();
  for (const auto& [name, count] : keep) {
    const size_t k = node_index(net, name, "prune_channels");
    const std::optional<Chain> c = chain_of(net, k);
    require(c.has_value(), "prune_channels", name,
            "output channels cannot be removed (must reach one Conv/Linear through ReLU, pools, "
            "BatchNorm or Flatten only)");
    const std::vector<int> kept = kept_channels(net, name, count);
    for (auto& p : nodes[k].params) slice_rows(p, kept);  // weight and bias
    for (size_t b : c->batchnorms)
      for (auto& p : nodes[b].params) slice_rows(p, kept);
    slice_inputs(*nodes[c->consumer].find(nn::ParamRole::kWeight), kept, c->block);
  }
  nn::Network out(net.input_name(), net.channels(), net.height(), net.width());
  for (auto& node : nodes) out.add(std::move(node));  // re-checks every shape
  out.set_output(net.output_name());
  return out;
}

std::function<void(nn::Network&)> mask_hook(Masks masks) {
  return [m = std::move(masks)](nn::Network& net) { apply_masks(net, m); };
}

nn::TrainResult prune_iterative(nn::Network& net, const PruneSchedule& schedule,
                                const nn::Dataset& train, const nn::Dataset& test,
                                const nn::TrainConfig& cfg, Masks* masks) {
  require(schedule.stages >= 1, "prune_iterative", "stages", "must be >= 1");
  const bool global = !schedule.tensors.empty();
  require(global || !schedule.sparsity.empty(), "prune_iterative", "sparsity",
          "name the tensors to prune");
  if (global) check_sparsity(schedule.global_sparsity, "global_sparsity");
  for (const auto& [name, s] : schedule.sparsity) check_sparsity(s, name);
  nn::TrainResult total;
  Masks m;
  for (int r = 1; r <= schedule.stages; ++r) {
    // Cubic schedule: prunes fast while many small weights are left, slowly near the target.
    const double left = 1.0 - static_cast<double>(r) / schedule.stages;
    const double frac = 1.0 - left * left * left;
    if (global) {
      m = global_magnitude_masks(net, schedule.tensors, schedule.global_sparsity * frac);
    } else {
      std::map<std::string, double> s;
      for (const auto& [name, target] : schedule.sparsity) s[name] = target * frac;
      m = magnitude_masks(net, s);
    }
    apply_masks(net, m);
    if (cfg.epochs == 0) continue;
    nn::TrainConfig c = cfg;
    c.seed = cfg.seed + static_cast<uint64_t>(r - 1);
    c.after_step = [user = cfg.after_step, hook = mask_hook(m)](nn::Network& n) {
      if (user) user(n);
      hook(n);
    };
    const nn::TrainResult res = nn::train(net, train, test, c);
    total.epochs.insert(total.epochs.end(), res.epochs.begin(), res.epochs.end());
    total.train_seconds += res.train_seconds;
    total.test_accuracy = res.test_accuracy;
  }
  if (masks) *masks = std::move(m);
  return total;
}

}  // namespace anvil::compress
