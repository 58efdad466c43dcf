#include "nn/dataset.hpp"
