// The data sets anvil knows by name, and where each is found by default:
//   fashion-mnist  IDX (gzip) from Debian's dataset-fashion-mnist:
//   /usr/share/datasets/fashion-mnist mnist          IDX (gzip) made by scripts/fetch-mnist.sh:
//   $ANVIL_MNIST_DIR, else
//                  ${ANVIL_CACHE:-$HOME/.cache/anvil}/mnist (8,000 train / 2,000 test)
//   cifar10        CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin): no default
//                  copy exists offline; $ANVIL_CACHE/cifar10 or a folder given explicitly.
//   imagenet       an ILSVRC2012-style validation folder of JPEGs, streamed (nn/imagenet.hpp):
//                  $ANVIL_CACHE/imagenet/val or a folder given explicitly.
#pragma once

#include <string>
#include <vector>

#include "nn/dataset.hpp"

namespace anvil::nn {

std::vector<std::string> dataset_names();  // {"fashion-mnist", "mnist", "cifar10"}

// The folder `name` is read from when no override is given. Throws anvil::Error for an
// unknown name.
std::string default_dataset_dir(const std::string& name);

// Loads both splits of data set `name` from `dir_override`, or from the default folder if
// `dir_override` is empty. Throws anvil::Error naming the folder and what to do when the
// data set is missing, and for an unknown name.
// imagenet: the test split streams `dir` (nn/imagenet.hpp; `label_file` for a flat folder),
// the training split is empty.
DataSplit load_dataset(const std::string& name, const std::string& dir_override = "",
                       const std::string& label_file = "");

}  // namespace anvil::nn
