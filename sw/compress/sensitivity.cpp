#include "compress/sensitivity.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <thread>

#include "core/error.hpp"
#include "core/random.hpp"
#include "nn/train.hpp"

namespace anvil::compress {

namespace {
constexpr uint64_t kFisherStream = 0x464953484552ull;  // "FISHER"
constexpr size_t kChunks = 8;  // fixed summation order, independent of the thread count
}  // namespace

Scores magnitude_scores(const nn::Network& net) {
  Scores s;
  for (const auto& p : net.parameters()) {
    s.emplace_back(p.size);
    for (size_t i = 0; i < p.size; ++i) s.back()[i] = std::fabs(p.data[i]);
  }
  return s;
}

Scores fisher_diagonal(const nn::Network& net, const nn::Dataset& data, size_t images,
                       uint64_t seed, int threads) {
  require(data.image_size() == net.input_size(), data.source, "image shape",
          "does not match the network input");
  require(!data.streamed(), data.source, "fisher",
          "needs images in memory (a streamed ImageNet folder has no gradients pass here)");
  require(images >= 1 && images <= data.size(), "fisher", "images",
          "must be in [1, " + std::to_string(data.size()) + "]");
  require(threads >= 1, "fisher", "threads", "must be >= 1");
  // The first `images` of a seeded Fisher-Yates permutation.
  const core::RandomStream rng(seed, kFisherStream);
  std::vector<uint32_t> perm(data.size());
  std::iota(perm.begin(), perm.end(), 0u);
  for (size_t i = 0; i < images; ++i)
    std::swap(perm[i], perm[i + rng.below(i, core::Draw::kUser, 0, data.size() - i)]);

  const auto params = net.parameters();
  const size_t chunks = std::min(kChunks, images);
  std::vector<std::vector<std::vector<double>>> sums(chunks);
  auto work = [&](size_t first) {
    std::vector<std::vector<float>> g;
    for (size_t c = first; c < chunks; c += static_cast<size_t>(threads)) {
      auto& acc = sums[c];
      for (const auto& p : params) acc.emplace_back(p.size, 0.0);
      for (size_t i = c * images / chunks; i < (c + 1) * images / chunks; ++i) {
        const uint32_t img = perm[i];
        nn::loss_and_gradients(net, data.image(img), &data.labels[img], 1, &g, false);
        for (size_t j = 0; j < g.size(); ++j)
          for (size_t e = 0; e < g[j].size(); ++e)
            acc[j][e] += static_cast<double>(g[j][e]) * g[j][e];
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && static_cast<size_t>(t) < chunks; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& t : pool) t.join();

  Scores out;
  for (size_t j = 0; j < params.size(); ++j) {
    out.emplace_back(params[j].size);
    for (size_t e = 0; e < params[j].size; ++e) {
      double s = 0.0;
      for (size_t c = 0; c < chunks; ++c) s += sums[c][j][e];
      out[j][e] = static_cast<float>(s / static_cast<double>(images));
    }
  }
  return out;
}

std::map<std::string, std::vector<float>> scores_by_name(const nn::Network& net,
                                                         const Scores& scores) {
  const auto params = net.parameters();
  require(scores.size() == params.size(), "scores", "tensors",
          "one score vector per parameter tensor");
  std::map<std::string, std::vector<float>> out;
  for (size_t j = 0; j < params.size(); ++j) {
    require(scores[j].size() == params[j].size, "scores", params[j].name,
            "size differs from the tensor's");
    out[params[j].name] = scores[j];
  }
  return out;
}

}  // namespace anvil::compress
