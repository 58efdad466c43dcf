#include "nn/dataset.hpp"

namespace anvil::nn {

Dataset Dataset::select(const std::vector<size_t>& indices) const {
  Dataset out = *this;
  if (folder) {
    out.folder = std::make_shared<const ImageFolder>(folder->select(indices));
    return out;
  }
  out.images.clear();
  out.labels.clear();
  for (size_t i : indices) {
    out.images.insert(out.images.end(), image(i), image(i) + image_size());
    out.labels.push_back(labels[i]);
  }
  return out;
}

}  // namespace anvil::nn
