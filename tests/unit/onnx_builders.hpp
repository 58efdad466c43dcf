// Builders for hand-written ONNX graphs, shared by the tests that feed anvil's importer
// models it would not export itself.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace anvil::test {

// A float tensor `name` of shape [N, per_image...] (N symbolic), as a graph input or output.
inline void onnx_value_info(onnx::ValueInfoProto* vi, const std::string& name,
                            const std::vector<int64_t>& per_image) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  auto* s = tt->mutable_shape();
  s->add_dim()->set_dim_param("N");
  for (int64_t d : per_image) s->add_dim()->set_dim_value(d);
}

// Appends a node of operator `op` with inputs `in` and the one output `out`.
inline onnx::NodeProto* onnx_node(onnx::GraphProto* g, const std::string& op,
                                  const std::string& name, const std::vector<std::string>& in,
                                  const std::string& out) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : in) n->add_input(i);
  n->add_output(out);
  return n;
}

}  // namespace anvil::test
