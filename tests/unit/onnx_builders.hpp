// Builders for hand-written ONNX graphs, shared by the tests that feed anvil's importer
// models it would not export itself.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nn/onnx_proto.hpp"

namespace anvil::test {

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
