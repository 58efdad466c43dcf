// The ONNX protobuf pieces onnx_io writes graphs with, shared with code that builds graphs by
// hand (the tests that feed the importer models anvil would not export itself).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace anvil::nn {

// A float tensor `name` of shape [N, per_image...] (N symbolic), as a graph input or output.
void set_onnx_value_info(onnx::ValueInfoProto* vi, const std::string& name,
                         const std::vector<int64_t>& per_image);

}  // namespace anvil::nn
