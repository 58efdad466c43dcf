#include "nn/onnx_io.hpp"

#include <onnx/onnx_pb.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <system_error>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "nn/onnx_proto.hpp"

namespace anvil::nn {

static_assert(std::endian::native == std::endian::little,
              "ONNX raw_data is little-endian; this reader copies it as is");

namespace {

// ONNX protobuf files cannot exceed 2 GiB.
constexpr uintmax_t kMaxFileBytes = (uintmax_t{1} << 31) - 1;
// Largest tensor accepted (elements); a header claiming more is absurd for this tool.
constexpr int64_t kMaxElements = int64_t{1} << 31;
// Largest per-image activation accepted (values).
constexpr int64_t kMaxActivation = int64_t{1} << 26;

std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

// ---------------------------------------------------------------------------------------
// Export

void set_ints(onnx::NodeProto& n, const char* name, std::initializer_list<int64_t> v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

void set_int(onnx::NodeProto& n, const char* name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

void set_float(onnx::NodeProto& n, const char* name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

}  // namespace

void set_onnx_value_info(onnx::ValueInfoProto* vi, const std::string& name,
                         const std::vector<int64_t>& per_image) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  auto* shape = tt->mutable_shape();
  shape->add_dim()->set_dim_param("N");
  for (int64_t d : per_image) shape->add_dim()->set_dim_value(d);
}

std::string onnx_bytes(const Network& net) {
  onnx::ModelProto model;
  model.set_ir_version(7);
  model.set_producer_name("anvil");
  model.set_producer_version(ANVIL_VERSION);
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  auto* g = model.mutable_graph();
  g->set_name("anvil");
  set_onnx_value_info(g->add_input(), net.input_name(),
                      {net.channels(), net.height(), net.width()});

  std::set<std::string> init_names;
  for (size_t i = 0; i < net.nodes().size(); ++i) {
    const Node& node = net.nodes()[i];
    const std::string name = node.name.empty() ? "node_" + std::to_string(i) : node.name;
    auto* n = g->add_node();
    n->set_name(name);
    n->set_op_type(op_names(node.op).onnx);
    for (const auto& in : node.inputs) n->add_input(in);
    for (const Param& p : node.params) {
      const std::string pname = p.name.empty() ? name + "." + role_name(p.role) : p.name;
      require(init_names.insert(pname).second, "", "parameter '" + pname + "'",
              "name used twice; ONNX initializer names must be unique");
      n->add_input(pname);
      auto* t = g->add_initializer();
      t->set_name(pname);
      t->set_data_type(onnx::TensorProto::FLOAT);
      for (int64_t d : p.shape) t->add_dims(d);
      t->set_raw_data(
          std::string(reinterpret_cast<const char*>(p.data.data()), p.data.size() * sizeof(float)));
    }
    n->add_output(node.output);
    const Attributes& a = node.attr;
    switch (node.op) {
      case OpType::kLinear:
        set_int(*n, "transB", 1);
        break;
      case OpType::kConv2d: {
        const Param* w = node.find(ParamRole::kWeight);
        require(w && w->shape.size() == 4, name, "weight", "Conv2d needs a rank-4 weight");
        set_ints(*n, "kernel_shape", {w->shape[2], w->shape[3]});
        set_ints(*n, "strides", {a.stride[0], a.stride[1]});
        set_ints(*n, "pads", {a.pads[0], a.pads[1], a.pads[2], a.pads[3]});
        set_ints(*n, "dilations", {1, 1});
        set_int(*n, "group", 1);
        break;
      }
      case OpType::kMaxPool2d:
      case OpType::kAvgPool2d:
        set_ints(*n, "kernel_shape", {a.kernel[0], a.kernel[1]});
        set_ints(*n, "strides", {a.stride[0], a.stride[1]});
        set_ints(*n, "pads", {a.pads[0], a.pads[1], a.pads[2], a.pads[3]});
        if (node.op == OpType::kAvgPool2d) set_int(*n, "count_include_pad", a.count_include_pad);
        break;
      case OpType::kBatchNorm:
        set_float(*n, "epsilon", a.epsilon);
        set_float(*n, "momentum", a.momentum);
        break;
      case OpType::kFlatten:
        set_int(*n, "axis", 1);
        break;
      case OpType::kSoftmax:
        set_int(*n, "axis", 1);
        break;
      case OpType::kReLU:
      case OpType::kGlobalAveragePool:
      case OpType::kAdd:
        break;
    }
  }
  set_onnx_value_info(g->add_output(), net.output_name(), net.value_shape(net.output_name()));
  std::string bytes;
  require(model.SerializeToString(&bytes), "", "model", "protobuf serialization failed");
  return bytes;
}

void save_onnx(const Network& net, const std::filesystem::path& path) {
  std::string bytes;
  try {
    bytes = onnx_bytes(net);
  } catch (const Error& e) {
    throw Error(path.string(), e.field(), e.rule());
  }
  write_file_atomic(path, bytes);
}

// ---------------------------------------------------------------------------------------
// Import

namespace {

const std::set<std::string> kSupportedOps = {"Gemm",
                                             "MatMul",
                                             "Conv",
                                             "Relu",
                                             "MaxPool",
                                             "AveragePool",
                                             "GlobalAveragePool",
                                             "Add",
                                             "Flatten",
                                             "Reshape",
                                             "Softmax",
                                             "BatchNormalization",
                                             "Constant",
                                             "Identity",
                                             "Dropout",
                                             "Shape",
                                             "Gather",
                                             "Unsqueeze",
                                             "Concat"};

std::string supported_list() {
  return "Gemm, MatMul(+Add), Conv, Relu, MaxPool, AveragePool, GlobalAveragePool, "
         "BatchNormalization, Add, Flatten, Reshape, Softmax, Constant, Identity, Dropout "
         "(and Shape/Gather/Unsqueeze/Concat computing a Reshape's shape)";
}

// A checked window (kernel kh x kw, strides, pads) into a node's attributes.
void set_window(Attributes& out, int64_t kh, int64_t kw, const std::vector<int64_t>& s,
                const std::vector<int64_t>& p) {
  out.kernel = {static_cast<int>(kh), static_cast<int>(kw)};
  out.stride = {static_cast<int>(s[0]), static_cast<int>(s[1])};
  out.pads = {static_cast<int>(p[0]), static_cast<int>(p[1]), static_cast<int>(p[2]),
              static_cast<int>(p[3])};
}

// Attributes of one node, checked by name and type.
class Attrs {
 public:
  Attrs(const onnx::NodeProto& n, std::string where, std::string src,
        const std::set<std::string>& allowed)
      : where_(std::move(where)), src_(std::move(src)) {
    for (const auto& a : n.attribute()) {
      if (!allowed.count(a.name())) {
        throw Error(src_, field(a.name()),
                    "unsupported attribute for " + n.op_type() + " in anvil");
      }
      if (!by_name_.emplace(a.name(), &a).second) {
        throw Error(src_, field(a.name()), "given twice");
      }
    }
  }

  std::string field(const std::string& attr) const { return where_ + " attribute " + attr; }
  bool has(const std::string& name) const { return by_name_.count(name) != 0; }

  int64_t i(const std::string& name, int64_t def) const {
    const auto* a = get(name, onnx::AttributeProto::INT, "an integer");
    return a ? a->i() : def;
  }
  float f(const std::string& name, float def) const {
    const auto* a = get(name, onnx::AttributeProto::FLOAT, "a float");
    return a ? a->f() : def;
  }
  std::string s(const std::string& name, const std::string& def) const {
    const auto* a = get(name, onnx::AttributeProto::STRING, "a string");
    return a ? a->s() : def;
  }
  std::vector<int64_t> ints(const std::string& name, std::vector<int64_t> def) const {
    const auto* a = get(name, onnx::AttributeProto::INTS, "a list of integers");
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : def;
  }
  const onnx::TensorProto* t(const std::string& name) const {
    const auto* a = get(name, onnx::AttributeProto::TENSOR, "a tensor");
    return a ? &a->t() : nullptr;
  }

  [[noreturn]] void fail(const std::string& attr, const std::string& rule) const {
    throw Error(src_, field(attr), rule);
  }

  // The window attributes Conv and the pools share (each checked where the op reads it):
  // auto_pad, which must leave the pads explicit; strides (two positive steps) and pads.
  void explicit_pads_only() const {
    const std::string auto_pad = s("auto_pad", "NOTSET");
    if (auto_pad != "NOTSET" && !auto_pad.empty()) {
      fail("auto_pad", "'" + auto_pad + "' is not supported; only NOTSET (explicit pads)");
    }
  }
  std::vector<int64_t> strides() const {
    auto v = ints("strides", {1, 1});
    if (v.size() != 2 || v[0] < 1 || v[1] < 1) fail("strides", "must be two positive steps");
    return v;
  }
  std::vector<int64_t> pads() const {
    auto v = ints("pads", {0, 0, 0, 0});
    if (v.size() != 4) fail("pads", "must hold 4 values (top, left, bottom, right)");
    return v;
  }

 private:
  const onnx::AttributeProto* get(const std::string& name, int type, const char* what) const {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) return nullptr;
    // Old writers leave `type` unset; accept that when the matching field is filled.
    if (it->second->type() != type && it->second->type() != onnx::AttributeProto::UNDEFINED) {
      fail(name, std::string("must be ") + what);
    }
    return it->second;
  }

  std::string where_, src_;
  std::map<std::string, const onnx::AttributeProto*> by_name_;
};

class Importer {
 public:
  Importer(const onnx::ModelProto& model, std::string src) : m_(model), src_(std::move(src)) {}

  Network run();

 private:
  [[noreturn]] void fail(const std::string& field, const std::string& rule) const {
    throw Error(src_, field, rule);
  }

  void check_model();
  void read_input();
  void import_node(size_t index);
  // One per operator family (import_node dispatches; `node` carries name and output): each
  // returns the node for import_node to add, but import_passthrough, which adds none.
  struct Site {
    const onnx::NodeProto& n;
    size_t index;
    const std::string& where;
    const std::string& op;
    const std::string& out;
  };
  void import_passthrough(const Site& site);
  Node import_gemm(const Site& site, Node node);
  Node import_conv(const Site& site, Node node);
  Node import_pool(const Site& site, Node node);
  Node import_unary(const Site& site, Node node);
  Node import_batchnorm(const Site& site, Node node);
  Node import_add(const Site& site, Node node);
  Node import_flatten(const Site& site, Node node);
  Node import_softmax(const Site& site, Node node);

  std::string resolve(const std::string& v) const {
    auto it = alias_.find(v);
    return it == alias_.end() ? v : it->second;
  }
  // Activation input k of a node (not an initializer).
  std::string value_in(const onnx::NodeProto& n, int k, const std::string& where) const;
  // Per-image shape of a value (the graph input included, before any node exists).
  ValueShape shape_of(const std::string& value) const {
    if (value == net_.input_name()) return {net_.channels(), net_.height(), net_.width()};
    return net_.value_shape(value);
  }
  bool is_const(const std::string& v) const { return consts_.count(resolve(v)) != 0; }
  const onnx::TensorProto* const_in(const onnx::NodeProto& n, int k, const std::string& where,
                                    const std::string& what, bool optional);
  Param param(const onnx::TensorProto& t, ParamRole role, const std::string& field) const;
  // The dims of `t` and the number of elements they hold, checked: no negative size, at most
  // 2^31 elements, the data inside the file.
  struct Dims {
    std::vector<int64_t> shape;
    size_t elements;
  };
  Dims dims(const onnx::TensorProto& t, const std::string& field) const;
  std::vector<float> floats(const onnx::TensorProto& t, const std::string& field) const;
  std::vector<int64_t> int64s(const onnx::TensorProto& t, const std::string& field) const;
  void add(Node node, const std::string& where);
  void check_single_output(const onnx::NodeProto& n, const std::string& where) const;
  void pool_attrs(const Attrs& a, const ValueShape& in, Attributes& out, bool max_pool) const;

  const onnx::ModelProto& m_;
  std::string src_;
  int64_t opset_ = 0;
  int64_t batch_dim_ = -1;                                  // declared batch size if fixed, else -1
  std::map<std::string, const onnx::TensorProto*> consts_;  // initializers + Constant outputs
  std::set<std::string> used_consts_;
  std::map<std::string, std::string> alias_;  // value -> the value it equals
  // Small int64 tensors computed in the graph (PyTorch's x.view(x.size(0), -1) exports
  // Shape -> Gather -> Unsqueeze -> Concat -> Reshape); kBatch stands for the batch size.
  static constexpr int64_t kBatch = std::numeric_limits<int64_t>::min();
  struct IntValue {
    std::vector<int64_t> v;
    bool scalar = false;
  };
  std::map<std::string, IntValue> ints_;
  bool int_value(const std::string& name, IntValue& out, const std::string& field) const;
  void import_shape_op(const onnx::NodeProto& n, const std::string& where);
  std::map<std::string, int> consumers_;  // raw value name -> number of node inputs
  std::set<std::string> graph_outputs_;
  std::set<size_t> fused_;  // nodes folded into an earlier one (MatMul bias Add)
  std::set<std::string> node_names_;
  Network net_;
};

void Importer::check_model() {
  require(m_.ir_version() >= 3, src_, "ir_version",
          std::to_string(m_.ir_version()) +
              " is not a valid ONNX IR version (>= 3); the file is corrupted or not ONNX");
  for (const auto& op : m_.opset_import()) {
    if (op.domain().empty() || op.domain() == "ai.onnx") opset_ = op.version();
  }
  require(opset_ >= 7, src_, "opset_import",
          opset_ == 0 ? std::string("no default-domain opset; the file is corrupted or not ONNX")
                      : "opset " + std::to_string(opset_) + " is older than 7; re-export");
  require(m_.has_graph() && m_.graph().node_size() > 0, src_, "graph",
          "missing or has no nodes; the file is corrupted or not ONNX");
}

void Importer::read_input() {
  const auto& g = m_.graph();
  for (const auto& t : g.initializer()) {
    require(!t.name().empty(), src_, "initializer", "has no name");
    require(consts_.emplace(t.name(), &t).second, src_, "initializer '" + t.name() + "'",
            "defined twice");
  }
  std::vector<const onnx::ValueInfoProto*> inputs;
  for (const auto& in : g.input()) {
    if (!consts_.count(in.name())) inputs.push_back(&in);
  }
  require(inputs.size() == 1, src_, "graph input",
          "found " + std::to_string(inputs.size()) +
              " inputs that are not initializers; anvil needs exactly one image input");
  const auto& in = *inputs[0];
  const std::string field = "graph input '" + in.name() + "'";
  require(in.type().has_tensor_type(), src_, field, "must be a tensor");
  const auto& tt = in.type().tensor_type();
  require(tt.elem_type() == onnx::TensorProto::FLOAT, src_, field + " elem_type",
          "must be float32 (1), is " + std::to_string(tt.elem_type()));
  require(tt.has_shape(), src_, field + " shape", "must be given ([N, C, H, W] or [N, F])");
  const auto& dims = tt.shape().dim();
  require(dims.size() == 4 || dims.size() == 2, src_, field + " shape",
          "has rank " + std::to_string(dims.size()) + "; anvil needs [N, C, H, W] or [N, F]");
  if (dims[0].has_dim_value() && dims[0].dim_value() > 0) batch_dim_ = dims[0].dim_value();
  std::vector<int64_t> s;
  for (int k = 1; k < dims.size(); ++k) {
    require(dims[k].has_dim_value() && dims[k].dim_value() > 0 && dims[k].dim_value() <= 65536,
            src_, field + " shape",
            "dimension " + std::to_string(k) + " must be a fixed size in 1..65536");
    s.push_back(dims[k].dim_value());
  }
  int64_t total = 1;
  for (int64_t d : s) total *= d;
  require(total <= kMaxActivation, src_, field + " shape",
          shape_str(s) + " per image is absurdly large (> 2^26 values)");
  if (s.size() == 3) {
    net_ =
        Network(in.name(), static_cast<int>(s[0]), static_cast<int>(s[1]), static_cast<int>(s[2]));
  } else {
    // [N, F]: the engine's input is an image, so read it as [N, F, 1, 1] and flatten first.
    net_ = Network(in.name(), static_cast<int>(s[0]), 1, 1);
    Node flat;
    flat.name = in.name() + ".flatten";
    flat.op = OpType::kFlatten;
    flat.inputs = {in.name()};
    flat.output = in.name() + ".flat";
    node_names_.insert(flat.name);
    add(std::move(flat), field);
    alias_[in.name()] = in.name() + ".flat";
  }
}

Importer::Dims Importer::dims(const onnx::TensorProto& t, const std::string& field) const {
  std::vector<int64_t> d(t.dims().begin(), t.dims().end());
  int64_t n = 1;
  for (int64_t x : d) {
    require(x >= 0, src_, field, "dims " + shape_str(d) + " has a negative size");
    require(x == 0 || n <= kMaxElements / x, src_, field,
            "dims " + shape_str(d) + " claim more than 2^31 elements");
    n *= x;
  }
  require(t.data_location() != onnx::TensorProto::EXTERNAL, src_, field,
          "uses external data; save the model with its weights inside the file");
  return {std::move(d), static_cast<size_t>(n)};
}

std::vector<float> Importer::floats(const onnx::TensorProto& t, const std::string& field) const {
  const auto [d, n] = dims(t, field);
  const bool is_double = t.data_type() == onnx::TensorProto::DOUBLE;
  if (!is_double && t.data_type() != onnx::TensorProto::FLOAT)
    fail(field, "data_type " + std::to_string(t.data_type()) +
                    " is not supported for weights (float32 or float64 only)");
  // The data held must match the dims before anything is allocated: dims alone may claim up
  // to 2^31 elements from a file of a few bytes (found by fuzz_onnx).
  const size_t elem = is_double ? sizeof(double) : sizeof(float);
  const size_t held = is_double ? static_cast<size_t>(t.double_data_size())
                                : static_cast<size_t>(t.float_data_size());
  if (t.has_raw_data())
    require(t.raw_data().size() == n * elem, src_, field,
            "raw_data holds " + std::to_string(t.raw_data().size()) + " bytes; dims " +
                shape_str(d) + " need " + std::to_string(n * elem));
  else
    require(held == n, src_, field,
            std::string(is_double ? "double_data" : "float_data") + " holds " +
                std::to_string(held) + " values; dims " + shape_str(d) + " need " +
                std::to_string(n));
  std::vector<float> out(n);
  if (!is_double) {
    if (t.has_raw_data()) {
      if (n) std::memcpy(out.data(), t.raw_data().data(), n * sizeof(float));
    } else {
      for (size_t i = 0; i < n; ++i) out[i] = t.float_data(static_cast<int>(i));
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      if (t.has_raw_data()) {
        double v;
        std::memcpy(&v, t.raw_data().data() + i * sizeof(double), sizeof(double));
        out[i] = static_cast<float>(v);
      } else {
        out[i] = static_cast<float>(t.double_data(static_cast<int>(i)));
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    require(std::isfinite(out[i]), src_, field,
            "element " + std::to_string(i) + " is " + (std::isnan(out[i]) ? "NaN" : "Inf") +
                "; weights must be finite");
  }
  return out;
}

std::vector<int64_t> Importer::int64s(const onnx::TensorProto& t, const std::string& field) const {
  const auto [d, n] = dims(t, field);
  require(t.data_type() == onnx::TensorProto::INT64, src_, field,
          "must be an int64 tensor, has data_type " + std::to_string(t.data_type()));
  // Sizes checked before the allocation, as in floats().
  if (t.has_raw_data())
    require(t.raw_data().size() == n * sizeof(int64_t), src_, field,
            "raw_data size does not match dims " + shape_str(d));
  else
    require(static_cast<size_t>(t.int64_data_size()) == n, src_, field,
            "int64_data size does not match dims " + shape_str(d));
  std::vector<int64_t> out(n);
  if (t.has_raw_data()) {
    if (n) std::memcpy(out.data(), t.raw_data().data(), n * sizeof(int64_t));
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = t.int64_data(static_cast<int>(i));
  }
  return out;
}

Param Importer::param(const onnx::TensorProto& t, ParamRole role, const std::string& field) const {
  Param p;
  p.name = t.name();
  p.role = role;
  p.shape = dims(t, field).shape;
  p.data = floats(t, field);
  return p;
}

std::string Importer::value_in(const onnx::NodeProto& n, int k, const std::string& where) const {
  require(k < n.input_size() && !n.input(k).empty(), src_, where + " input " + std::to_string(k),
          "missing");
  const std::string v = resolve(n.input(k));
  require(!consts_.count(v), src_, where + " input '" + n.input(k) + "'",
          "is a constant; an activation was expected here");
  require(!ints_.count(v), src_, where + " input '" + n.input(k) + "'",
          "is a shape tensor; an activation was expected here");
  try {
    (void)shape_of(v);
  } catch (const Error&) {
    fail(where + " input '" + n.input(k) + "'",
         "is not produced by an earlier node or the graph input (nodes must be in "
         "topological order)");
  }
  return v;
}

const onnx::TensorProto* Importer::const_in(const onnx::NodeProto& n, int k,
                                            const std::string& where, const std::string& what,
                                            bool optional) {
  if (k >= n.input_size() || n.input(k).empty()) {
    require(optional, src_, where + " input " + what, "missing");
    return nullptr;
  }
  const std::string name = resolve(n.input(k));
  auto it = consts_.find(name);
  require(it != consts_.end(), src_, where + " input " + what + " '" + n.input(k) + "'",
          "missing initializer: weights must be stored in the file as initializers");
  require(used_consts_.insert(name).second, src_, where + " input " + what + " '" + name + "'",
          "is already used by another node; shared weights are not supported");
  return it->second;
}

void Importer::add(Node node, const std::string& where) {
  const std::string out = node.output;
  try {
    net_.add(std::move(node));
  } catch (const Error& e) {
    fail(where + (e.field().empty() ? "" : " " + e.field()), e.rule());
  }
  // A per-image activation beyond 2^26 values (256 MiB) comes from absurd sizes or pads.
  int64_t total = 1;
  for (int64_t d : net_.value_shape(out)) {
    require(d > 0 && total <= kMaxActivation / d, src_, where + " output '" + out + "'",
            "per-image shape " + shape_str(net_.value_shape(out)) +
                " is empty or absurdly large (> 2^26 values)");
    total *= d;
  }
}

void Importer::check_single_output(const onnx::NodeProto& n, const std::string& where) const {
  require(n.output_size() >= 1 && !n.output(0).empty(), src_, where + " output", "missing");
  for (int k = 1; k < n.output_size(); ++k) {
    const std::string& o = n.output(k);
    require(o.empty() || (!consumers_.count(o) && !graph_outputs_.count(o)), src_,
            where + " output " + std::to_string(k) + " '" + o + "'",
            "is used, but anvil computes only the first output of " + n.op_type());
  }
}

bool Importer::int_value(const std::string& name, IntValue& out, const std::string& field) const {
  const std::string v = resolve(name);
  if (auto it = ints_.find(v); it != ints_.end()) {
    out = it->second;
    return true;
  }
  auto c = consts_.find(v);
  if (c == consts_.end()) return false;
  out.v = int64s(*c->second, field);
  out.scalar = c->second->dims_size() == 0;
  require(out.scalar || c->second->dims_size() == 1, src_, field,
          "must be a scalar or 1-D int64 tensor");
  return true;
}

void Importer::import_shape_op(const onnx::NodeProto& n, const std::string& where) {
  const std::string& op = n.op_type();
  const std::string out = n.output(0);
  auto int_in = [&](int k, const char* what) {
    IntValue r;
    require(k < n.input_size() && !n.input(k).empty(), src_, where + " input " + what, "missing");
    const std::string field = where + " input " + what + " '" + n.input(k) + "'";
    require(int_value(n.input(k), r, field), src_, field,
            "must be a constant or computed int64 shape tensor (" + op +
                " is supported only for shape arithmetic)");
    return r;
  };
  IntValue r;
  if (op == "Shape") {
    const Attrs a(n, where, src_, {});
    const std::string x = value_in(n, 0, where);
    r.v = {kBatch};
    for (int64_t d : shape_of(x)) r.v.push_back(d);
  } else if (op == "Gather") {
    const Attrs a(n, where, src_, {"axis"});
    if (a.i("axis", 0) != 0) a.fail("axis", "must be 0");
    const IntValue data = int_in(0, "data"), idx = int_in(1, "indices");
    require(!data.scalar, src_, where + " input data", "must be 1-D");
    const auto size = static_cast<int64_t>(data.v.size());
    for (int64_t i : idx.v) {
      require(i >= -size && i < size, src_, where + " input indices",
              "index " + std::to_string(i) + " is out of range for " + std::to_string(size) +
                  " values");
      r.v.push_back(data.v[static_cast<size_t>(i < 0 ? i + size : i)]);
    }
    r.scalar = idx.scalar;
  } else if (op == "Unsqueeze") {
    const Attrs a(n, where, src_, {"axes"});
    const IntValue data = int_in(0, "data");
    std::vector<int64_t> axes = a.ints("axes", {});
    if (n.input_size() >= 2 && !n.input(1).empty()) axes = int_in(1, "axes").v;
    require(data.scalar && axes == std::vector<int64_t>{0}, src_, where + " axes",
            "only a scalar unsqueezed on axis 0 is supported (shape arithmetic)");
    r.v = data.v;
  } else {  // Concat
    const Attrs a(n, where, src_, {"axis"});
    if (a.i("axis", 0) != 0 && a.i("axis", 0) != -1) a.fail("axis", "must be 0 (1-D shapes)");
    for (int k = 0; k < n.input_size(); ++k) {
      const IntValue part = int_in(k, "inputs");
      require(!part.scalar, src_, where + " input '" + n.input(k) + "'", "must be 1-D");
      r.v.insert(r.v.end(), part.v.begin(), part.v.end());
    }
  }
  require(r.v.size() <= 8, src_, where, "shape tensor longer than 8 values");
  ints_[out] = r;
}

void Importer::pool_attrs(const Attrs& a, const ValueShape& in, Attributes& out,
                          bool max_pool) const {
  a.explicit_pads_only();
  if (!a.has("kernel_shape")) a.fail("kernel_shape", "is required");
  const auto k = a.ints("kernel_shape", {});
  if (k.size() != 2 || k[0] < 1 || k[1] < 1) {
    a.fail("kernel_shape", shape_str(k) + " must be two positive sizes (2-D pooling)");
  }
  const auto s = a.strides();
  const auto p = a.pads();
  for (int i = 0; i < 4; ++i) {
    if (p[i] < 0 || p[i] >= k[i % 2]) {
      a.fail("pads", shape_str(p) + " must be >= 0 and smaller than the kernel " + shape_str(k));
    }
  }
  if (a.has("dilations")) {
    for (int64_t d : a.ints("dilations", {})) {
      if (d != 1) a.fail("dilations", "must be 1 (dilated pooling is not supported)");
    }
  }
  if (max_pool && a.i("storage_order", 0) != 0) a.fail("storage_order", "must be 0");
  const int64_t ceil_mode = a.i("ceil_mode", 0);
  if (ceil_mode != 0 && ceil_mode != 1) a.fail("ceil_mode", "must be 0 or 1");
  if (in.size() == 3) {
    for (int i = 0; i < 2; ++i) {
      const int64_t span = in[1 + i] + p[i] + p[i + 2] - k[i];
      if (span < 0) {
        a.fail("kernel_shape", shape_str(k) + " is larger than the padded input " + shape_str(in));
      }
      // ceil_mode changes nothing when the windows tile the input exactly.
      if (ceil_mode == 1 && span % s[i] != 0) {
        a.fail("ceil_mode", "1 is not supported (only floor output sizes) for this shape");
      }
    }
  }
  set_window(out, k[0], k[1], s, p);
}

void Importer::import_node(size_t index) {
  const onnx::NodeProto& n = m_.graph().node(static_cast<int>(index));
  const std::string& op = n.op_type();
  std::string name = n.name().empty() ? op + "_" + std::to_string(index) : n.name();
  if (node_names_.count(name)) name += "_" + std::to_string(index);
  node_names_.insert(name);
  const std::string where = "node '" + name + "' (" + op + ")";

  require(n.domain().empty() || n.domain() == "ai.onnx", src_, where + " domain",
          "'" + n.domain() + "' is not supported; only the default ONNX domain");
  if (!kSupportedOps.count(op)) {
    fail(where, "unsupported operator; anvil imports " + supported_list());
  }
  check_single_output(n, where);
  const std::string out = n.output(0);
  require(!consts_.count(out) && !alias_.count(out) && !ints_.count(out), src_,
          where + " output '" + out + "'", "is defined twice");

  Node node;
  node.name = name;
  node.output = out;
  const Site site{n, index, where, op, out};

  if (op == "Constant") {
    const Attrs a(n, where, src_, {"value"});
    const onnx::TensorProto* t = a.t("value");
    if (!t) a.fail("value", "is required (other Constant forms are not supported)");
    consts_[out] = t;
    return;
  }
  if (op == "Shape" || op == "Gather" || op == "Unsqueeze" || op == "Concat") {
    import_shape_op(n, where);
    return;
  }
  if (op == "Identity" || op == "Dropout") return import_passthrough(site);
  const auto layer = [&]() -> Node {
    if (op == "Gemm" || op == "MatMul") return import_gemm(site, std::move(node));
    if (op == "Conv") return import_conv(site, std::move(node));
    if (op == "MaxPool" || op == "AveragePool") return import_pool(site, std::move(node));
    if (op == "Relu" || op == "GlobalAveragePool") return import_unary(site, std::move(node));
    if (op == "BatchNormalization") return import_batchnorm(site, std::move(node));
    if (op == "Add") return import_add(site, std::move(node));
    if (op == "Flatten" || op == "Reshape") return import_flatten(site, std::move(node));
    if (op == "Softmax") return import_softmax(site, std::move(node));
    fail(where, "unsupported operator; anvil imports " + supported_list());
  };
  add(layer(), where);
}

void Importer::import_passthrough(const Site& site) {
  const auto& [n, index, where, op, out] = site;
  const Attrs a(n, where, src_,
                op == "Dropout" ? std::set<std::string>{"seed", "ratio", "is_test"}
                                : std::set<std::string>{});
  require(n.input_size() >= 1 && !n.input(0).empty(), src_, where + " input 0", "missing");
  if (op == "Dropout" && n.input_size() >= 3 && !n.input(2).empty()) {
    // training_mode input: must be a constant false.
    auto it = consts_.find(resolve(n.input(2)));
    require(it != consts_.end(), src_, where + " input training_mode",
            "must be a constant false (inference only)");
  }
  const std::string in = resolve(n.input(0));
  if (ints_.count(in)) {
    ints_[out] = ints_.at(in);
  } else if (consts_.count(in)) {
    consts_[out] = consts_.at(in);
  } else {
    (void)value_in(n, 0, where);
    alias_[out] = in;
  }
}

Node Importer::import_gemm(const Site& site, Node node) {
  const auto& [n, index, where, op, out] = site;
  const Attrs a(n, where, src_,
                op == "Gemm" ? std::set<std::string>{"alpha", "beta", "transA", "transB"}
                             : std::set<std::string>{});
  const std::string x = value_in(n, 0, where);
  const auto* b = const_in(n, 1, where, "B", false);
  const int64_t trans_b = op == "Gemm" ? a.i("transB", 0) : 0;
  if (op == "Gemm") {
    if (a.i("transA", 0) != 0) a.fail("transA", "must be 0 (the input is [N, F])");
    if (trans_b != 0 && trans_b != 1) a.fail("transB", "must be 0 or 1");
    if (a.f("alpha", 1.0f) != 1.0f) a.fail("alpha", "must be 1.0");
  }
  const std::string bfield = where + " input B '" + b->name() + "'";
  Param w = param(*b, ParamRole::kWeight, bfield);
  require(w.shape.size() == 2, src_, bfield,
          "has shape " + shape_str(w.shape) + "; a 2-D weight matrix is required");
  if (trans_b == 0) {  // B is [in, out]; the engine stores [out, in]
    const int64_t rows = w.shape[0], cols = w.shape[1];
    std::vector<float> t(w.data.size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) t[c * rows + r] = w.data[r * cols + c];
    w.data = std::move(t);
    w.shape = {cols, rows};
  }
  const int64_t outs = w.shape[0], ins = w.shape[1];
  const ValueShape xs = shape_of(x);
  require(xs.size() == 1, src_, where + " input '" + n.input(0) + "'",
          "has per-image shape " + shape_str(xs) + "; " + op +
              " needs a rank-2 input [N, F] (add Flatten before it)");
  require(xs[0] == ins, src_, where + " input '" + n.input(0) + "'",
          "has " + std::to_string(xs[0]) + " features per image, but weight '" + b->name() + "' " +
              shape_str(w.shape) + " (as [out, in]) takes " + std::to_string(ins) +
              ": shapes do not chain");
  node.op = OpType::kLinear;
  node.inputs = {x};
  node.params.push_back(std::move(w));

  const onnx::TensorProto* c = nullptr;
  std::string cfield;
  if (op == "Gemm") {
    c = const_in(n, 2, where, "C", true);
    if (c && a.f("beta", 1.0f) != 1.0f) a.fail("beta", "must be 1.0");
    if (c) cfield = where + " input C '" + c->name() + "'";
  } else if (consumers_[out] == 1 && !graph_outputs_.count(out)) {
    // MatMul followed by Add of a constant vector: one Linear with bias.
    const auto& nodes = m_.graph().node();
    for (int j = static_cast<int>(index) + 1; j < nodes.size(); ++j) {
      const auto& add = nodes[j];
      if (add.op_type() != "Add" || add.input_size() != 2 || add.attribute_size() != 0) continue;
      const int self = add.input(0) == out ? 0 : (add.input(1) == out ? 1 : -1);
      if (self < 0) continue;
      if (!is_const(add.input(1 - self))) break;
      c = const_in(add, 1 - self, where, "bias", false);
      cfield = where + " bias '" + c->name() + "'";
      check_single_output(add, where);
      node.output = add.output(0);
      fused_.insert(static_cast<size_t>(j));
      break;
    }
  }
  if (c) {
    Param bias = param(*c, ParamRole::kBias, cfield);
    const bool vec = bias.shape.size() == 1 || (bias.shape.size() == 2 && bias.shape[0] == 1);
    if (bias.data.size() == 1 && outs > 1) {
      bias.data.assign(static_cast<size_t>(outs), bias.data[0]);
    } else {
      require(vec && static_cast<int64_t>(bias.data.size()) == outs, src_, cfield,
              "has shape " + shape_str(bias.shape) + "; expected [" + std::to_string(outs) +
                  "] to match the " + std::to_string(outs) + " outputs");
    }
    bias.shape = {outs};
    node.params.push_back(std::move(bias));
  }
  return node;
}

Node Importer::import_conv(const Site& site, Node node) {
  const auto& [n, index, where, op, out] = site;
  const Attrs a(n, where, src_,
                {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const std::string x = value_in(n, 0, where);
  const auto* wt = const_in(n, 1, where, "W", false);
  const auto* bt = const_in(n, 2, where, "B", true);
  a.explicit_pads_only();
  if (a.i("group", 1) != 1) {
    a.fail("group", std::to_string(a.i("group", 1)) +
                        " is not supported; only group 1 (no grouped/depthwise conv)");
  }
  for (int64_t d : a.ints("dilations", {1, 1})) {
    if (d != 1) a.fail("dilations", "must be 1 (dilated convolution is not supported)");
  }
  const std::string wfield = where + " input W '" + wt->name() + "'";
  Param w = param(*wt, ParamRole::kWeight, wfield);
  require(w.shape.size() == 4 && w.data.size() > 0, src_, wfield,
          "has shape " + shape_str(w.shape) + "; Conv needs [out, in, kh, kw] (2-D)");
  if (a.has("kernel_shape")) {
    const auto k = a.ints("kernel_shape", {});
    if (k.size() != 2 || k[0] != w.shape[2] || k[1] != w.shape[3]) {
      a.fail("kernel_shape", shape_str(k) + " does not match weight " + shape_str(w.shape));
    }
  }
  const auto s = a.strides();
  const auto p = a.pads();
  for (int64_t v : p) {
    if (v < 0 || v > 65536) a.fail("pads", shape_str(p) + " must be in 0..65536");
  }
  const ValueShape xs = shape_of(x);
  require(xs.size() == 3, src_, where + " input '" + n.input(0) + "'",
          "has per-image shape " + shape_str(xs) + "; Conv needs [N, C, H, W]");
  require(xs[0] == w.shape[1], src_, where + " input '" + n.input(0) + "'",
          "has " + std::to_string(xs[0]) + " channels, but weight '" + wt->name() + "' " +
              shape_str(w.shape) + " takes " + std::to_string(w.shape[1]) +
              ": shapes do not chain");
  for (int i = 0; i < 2; ++i) {
    require(xs[1 + i] + p[i] + p[i + 2] >= w.shape[2 + i], src_,
            where + " input '" + n.input(0) + "'",
            "per-image shape " + shape_str(xs) + " is smaller than the kernel " +
                shape_str(w.shape) + ": shapes do not chain");
  }
  node.op = OpType::kConv2d;
  node.inputs = {x};
  set_window(node.attr, w.shape[2], w.shape[3], s, p);
  const int64_t outs = w.shape[0];
  node.params.push_back(std::move(w));
  if (bt) {
    const std::string bfield = where + " input B '" + bt->name() + "'";
    Param b = param(*bt, ParamRole::kBias, bfield);
    require(static_cast<int64_t>(b.data.size()) == outs, src_, bfield,
            "has shape " + shape_str(b.shape) + "; expected [" + std::to_string(outs) + "]");
    b.shape = {outs};
    node.params.push_back(std::move(b));
  }
  return node;
}

Node Importer::import_pool(const Site& site, Node node) {
  const auto& [n, index, where, op, out] = site;
  const bool max_pool = op == "MaxPool";
  const Attrs a(n, where, src_,
                max_pool ? std::set<std::string>{"auto_pad", "ceil_mode", "dilations",
                                                 "kernel_shape", "pads", "storage_order", "strides"}
                         : std::set<std::string>{"auto_pad", "ceil_mode", "count_include_pad",
                                                 "dilations", "kernel_shape", "pads", "strides"});
  const std::string x = value_in(n, 0, where);
  const ValueShape xs = shape_of(x);
  require(xs.size() == 3, src_, where + " input '" + n.input(0) + "'",
          "has per-image shape " + shape_str(xs) + "; " + op + " needs [N, C, H, W]");
  pool_attrs(a, xs, node.attr, max_pool);
  if (!max_pool) {
    const int64_t cip = a.i("count_include_pad", 0);
    if (cip != 0 && cip != 1) a.fail("count_include_pad", "must be 0 or 1");
    node.attr.count_include_pad = cip == 1;
  }
  node.op = max_pool ? OpType::kMaxPool2d : OpType::kAvgPool2d;
  node.inputs = {x};
  return node;
}

Node Importer::import_unary(const Site& site, Node node) {
  const auto& [n, index, where, op, out] = site;
  const Attrs a(n, where, src_, {});
  const std::string x = value_in(n, 0, where);
  if (op == "GlobalAveragePool") {
    require(
        shape_of(x).size() == 3, src_, where + " input '" + n.input(0) + "'",
        "has per-image shape " + shape_str(shape_of(x)) + "; GlobalAveragePool needs [N, C, H, W]");
  }
  node.op = op == "Relu" ? OpType::kReLU : OpType::kGlobalAveragePool;
  node.inputs = {x};
  return node;
}

Node Importer::import_batchnorm(const Site& site, Node node) {
  const auto& [n, index, where, op, out] = site;
  const Attrs a(n, where, src_, {"epsilon", "momentum", "training_mode", "spatial", "is_test"});
  if (a.i("training_mode", 0) != 0) a.fail("training_mode", "must be 0 (inference)");
  if (a.i("spatial", 1) != 1) a.fail("spatial", "must be 1");
  const float eps = a.f("epsilon", 1e-5f);
  if (!(eps > 0.0f) || !std::isfinite(eps)) a.fail("epsilon", "must be a positive number");
  const float momentum = a.f("momentum", 0.9f);
  if (!std::isfinite(momentum)) a.fail("momentum", "must be finite");
  const std::string x = value_in(n, 0, where);
  const ValueShape xs = shape_of(x);
  require(xs.size() == 3 || xs.size() == 1, src_, where + " input '" + n.input(0) + "'",
          "has per-image shape " + shape_str(xs) + "; BatchNormalization needs [N, C(, H, W)]");
  const char* names[] = {"scale", "B", "mean", "var"};
  const ParamRole roles[] = {ParamRole::kBnScale, ParamRole::kBnBias, ParamRole::kBnMean,
                             ParamRole::kBnVar};
  for (int k = 0; k < 4; ++k) {
    const auto* t = const_in(n, 1 + k, where, names[k], false);
    const std::string f = where + " input " + names[k] + " '" + t->name() + "'";
    Param p = param(*t, roles[k], f);
    require(static_cast<int64_t>(p.data.size()) == xs[0], src_, f,
            "has shape " + shape_str(p.shape) + "; expected [" + std::to_string(xs[0]) +
                "] for the input's " + std::to_string(xs[0]) + " channels: shapes do not chain");
    if (k == 3) {
      for (float v : p.data) {
        require(v >= 0.0f, src_, f, "holds a negative variance; running var must be >= 0");
      }
    }
    p.shape = {xs[0]};
    node.params.push_back(std::move(p));
  }
  node.op = OpType::kBatchNorm;
  node.attr.epsilon = eps;
  node.attr.momentum = momentum;
  node.inputs = {x};
  return node;
}

Node Importer::import_add(const Site& site, Node node) {
  const auto& [n, index, where, op, out] = site;
  const Attrs a(n, where, src_, {});
  require(n.input_size() == 2, src_, where, "needs two inputs");
  for (int k = 0; k < 2; ++k) {
    require(!is_const(n.input(k)), src_, where + " input '" + n.input(k) + "'",
            "is a constant; adding a constant is supported only as the bias right after "
            "MatMul");
  }
  const std::string x0 = value_in(n, 0, where), x1 = value_in(n, 1, where);
  require(shape_of(x0) == shape_of(x1), src_, where,
          "input shapes " + shape_str(shape_of(x0)) + " and " + shape_str(shape_of(x1)) +
              " differ (per image); only same-shape Add is supported: shapes do not chain");
  node.op = OpType::kAdd;
  node.inputs = {x0, x1};
  return node;
}

Node Importer::import_flatten(const Site& site, Node node) {
  const auto& [n, index, where, op, out] = site;
  const std::string x = value_in(n, 0, where);
  const ValueShape xs = shape_of(x);
  const int64_t rank = static_cast<int64_t>(xs.size()) + 1;
  int64_t features = 1;
  for (int64_t d : xs) features *= d;
  if (op == "Flatten") {
    const Attrs a(n, where, src_, {"axis"});
    int64_t axis = a.i("axis", 1);
    if (axis < 0) axis += rank;
    if (axis != 1) {
      a.fail("axis", std::to_string(a.i("axis", 1)) +
                         " is not supported; only axis 1 (keep the batch dimension)");
    }
  } else {
    const Attrs a(n, where, src_, {"allowzero"});
    if (a.i("allowzero", 0) != 0) a.fail("allowzero", "must be 0");
    require(n.input_size() == 2, src_, where + " input shape", "missing");
    IntValue shape;
    require(int_value(n.input(1), shape, where + " input shape '" + n.input(1) + "'"), src_,
            where + " input shape '" + n.input(1) + "'",
            "must be a constant or computed from Shape (initializer, Constant, Shape/Gather/"
            "Unsqueeze/Concat)");
    std::vector<int64_t> s = shape.v;
    if (!s.empty() && s[0] == kBatch) s[0] = 0;  // the batch size, copied
    for (int64_t v : s) {
      require(v != kBatch, src_, where + " input shape '" + n.input(1) + "'",
              "uses the batch size away from axis 0; not supported");
    }
    const bool batch_ok = s.size() == 2 && (s[0] == 0 || s[0] == -1 || s[0] == batch_dim_);
    const bool feat_ok = s.size() == 2 && (s[1] == -1 || s[1] == features);
    require(batch_ok && feat_ok && !(s[0] == -1 && s[1] == -1), src_,
            where + " input shape '" + n.input(1) + "'",
            shape_str(s) + " is not supported; only a flatten to [N, -1] (or [N, " +
                std::to_string(features) + "]) of the per-image shape " + shape_str(xs));
  }
  node.op = OpType::kFlatten;
  node.inputs = {x};
  return node;
}

Node Importer::import_softmax(const Site& site, Node node) {
  const auto& [n, index, where, op, out] = site;
  const Attrs a(n, where, src_, {"axis"});
  const int64_t axis = a.i("axis", opset_ >= 13 ? -1 : 1);
  const std::string x = value_in(n, 0, where);
  const ValueShape xs = shape_of(x);
  require(xs.size() == 1, src_, where + " input '" + n.input(0) + "'",
          "has per-image shape " + shape_str(xs) + "; Softmax needs [N, classes]");
  if (axis != 1 && axis != -1) a.fail("axis", "must be 1 (the class axis of [N, classes])");
  node.op = OpType::kSoftmax;
  node.inputs = {x};
  return node;
}

Network Importer::run() {
  check_model();
  const auto& g = m_.graph();
  for (const auto& n : g.node())
    for (const auto& in : n.input())
      if (!in.empty()) ++consumers_[in];
  for (const auto& o : g.output()) graph_outputs_.insert(o.name());
  read_input();
  for (size_t i = 0; i < static_cast<size_t>(g.node_size()); ++i) {
    if (!fused_.count(i)) import_node(i);
  }
  require(g.output_size() == 1, src_, "graph output",
          "found " + std::to_string(g.output_size()) + " outputs; anvil needs exactly one");
  const std::string out = resolve(g.output(0).name());
  const std::string field = "graph output '" + g.output(0).name() + "'";
  try {
    net_.set_output(out);
  } catch (const Error&) {
    fail(field, "is not produced by any node");
  }
  require(net_.value_shape(out).size() == 1, src_, field,
          "has per-image shape " + shape_str(net_.value_shape(out)) +
              "; anvil needs [N, classes] (add Flatten)");
  return std::move(net_);
}

}  // namespace

Network parse_onnx(std::string_view bytes, const std::string& source) {
  require(!bytes.empty(), source, "file", "is empty; not an ONNX model");
  require(bytes.size() <= kMaxFileBytes, source, "file", "is larger than protobuf's 2 GiB limit");
  onnx::ModelProto model;
  require(model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())), source, "file",
          "is not a valid ONNX protobuf (corrupted or truncated)");
  return Importer(model, source).run();
}

Network load_onnx(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  require(std::filesystem::is_regular_file(path, ec), name, "file",
          "cannot open: no such regular file");
  const uintmax_t size = std::filesystem::file_size(path, ec);
  require(!ec, name, "file", "cannot read its size: " + ec.message());
  require(size <= kMaxFileBytes, name, "file", "is larger than protobuf's 2 GiB limit");
  std::string bytes(static_cast<size_t>(size), '\0');
  std::ifstream in(path, std::ios::binary);
  require(static_cast<bool>(in), name, "file", "cannot open for reading");
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  require(static_cast<size_t>(in.gcount()) == bytes.size(), name, "file", "short read");
  return parse_onnx(bytes, name);
}

}  // namespace anvil::nn
