#include "nn/imagenet.hpp"

#include <turbojpeg.h>

#include <cmath>
#include <exception>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>
#include <thread>

#include "core/error.hpp"

namespace anvil::nn {

namespace fs = std::filesystem;

namespace {

// A real validation JPEG is well under 1 MB; refuse absurd files before reading them.
constexpr uintmax_t kMaxJpegBytes = uintmax_t{64} << 20;
// Decoded pixels: a header claiming more is refused before allocating.
constexpr uint64_t kMaxPixels = uint64_t{1} << 28;

struct TjDeleter {
  void operator()(void* h) const { tjDestroy(h); }
};
using TjHandle = std::unique_ptr<void, TjDeleter>;

bool is_jpeg_name(const fs::path& p) {
  std::string e = p.extension().string();
  for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e == ".jpeg" || e == ".jpg";
}

std::string read_file(const fs::path& p) {
  std::error_code ec;
  const uintmax_t bytes = fs::file_size(p, ec);
  require(!ec, p.string(), "file", "cannot read: " + ec.message());
  require(bytes > 0, p.string(), "file size", "is empty; expected a JPEG image");
  require(bytes <= kMaxJpegBytes, p.string(), "file size",
          std::to_string(bytes) + " bytes is more than the 64 MiB limit for one JPEG");
  std::ifstream in(p, std::ios::binary);
  std::string s(static_cast<size_t>(bytes), '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  require(static_cast<size_t>(in.gcount()) == s.size(), p.string(), "file", "short read");
  return s;
}

// Packed RGB pixels of any JPEG (grayscale expanded, CMYK/YCCK converted).
std::vector<unsigned char> decode_rgb(const std::string& bytes, const std::string& source, int* w,
                                      int* h) {
  thread_local TjHandle tj(tjInitDecompress());
  require(tj != nullptr, source, "jpeg", "cannot initialise libjpeg-turbo");
  const auto* buf = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto size = static_cast<unsigned long>(bytes.size());
  int subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), buf, size, w, h, &subsamp, &colorspace) != 0)
    throw Error(source, "jpeg header",
                std::string("not a valid JPEG: ") + tjGetErrorStr2(tj.get()));
  require(*w > 0 && *h > 0 && static_cast<uint64_t>(*w) * static_cast<uint64_t>(*h) <= kMaxPixels,
          source, "jpeg size",
          std::to_string(*w) + "x" + std::to_string(*h) + " is outside 1 .. 2^28 pixels");
  const bool cmyk = colorspace == TJCS_CMYK || colorspace == TJCS_YCCK;
  const int pf = cmyk ? TJPF_CMYK : TJPF_RGB;
  const size_t px = static_cast<size_t>(*w) * static_cast<size_t>(*h);
  std::vector<unsigned char> out(px * static_cast<size_t>(tjPixelSize[pf]));
  // Stop on warnings too: a truncated file ("premature end of data") is an error here.
  if (tjDecompress2(tj.get(), buf, size, out.data(), *w, 0, *h, pf, TJFLAG_STOPONWARNING) != 0)
    throw Error(
        source, "jpeg data",
        std::string("cannot be decoded (corrupt or truncated): ") + tjGetErrorStr2(tj.get()));
  if (!cmyk) return out;
  std::vector<unsigned char> rgb(px * 3);
  for (size_t i = 0; i < px; ++i) {
    const unsigned k = out[4 * i + 3];
    for (int c = 0; c < 3; ++c)
      rgb[3 * i + static_cast<size_t>(c)] =
          static_cast<unsigned char>((out[4 * i + static_cast<size_t>(c)] * k + 127) / 255);
  }
  return rgb;
}

// Source coordinate of resized pixel `o` (half-pixel centres), as the two taps and weight.
struct Tap {
  int i0, i1;
  float f;
};
Tap tap(int o, int in, int resized) {
  const double s = std::clamp((o + 0.5) * in / static_cast<double>(resized) - 0.5, 0.0, in - 1.0);
  const int i0 = static_cast<int>(std::floor(s));
  return {i0, std::min(i0 + 1, in - 1), static_cast<float>(s - i0)};
}

}  // namespace

void decode_jpeg_image(const std::string& bytes, const std::string& source,
                       const ImagePreprocess& pp, float* out) {
  int w = 0, h = 0;
  const std::vector<unsigned char> rgb = decode_rgb(bytes, source, &w, &h);
  // Shorter side to pp.resize (torchvision: long side = int(resize * long / short)).
  const bool wide = w >= h;
  const int rw = wide ? static_cast<int>(static_cast<int64_t>(pp.resize) * w / h) : pp.resize;
  const int rh = wide ? pp.resize : static_cast<int>(static_cast<int64_t>(pp.resize) * h / w);
  const int top = static_cast<int>(std::lround((rh - pp.crop) / 2.0));
  const int left = static_cast<int>(std::lround((rw - pp.crop) / 2.0));
  std::vector<Tap> xs(static_cast<size_t>(pp.crop));
  for (int x = 0; x < pp.crop; ++x) xs[static_cast<size_t>(x)] = tap(x + left, w, rw);
  const size_t plane = static_cast<size_t>(pp.crop) * pp.crop;
  for (int y = 0; y < pp.crop; ++y) {
    const Tap ty = tap(y + top, h, rh);
    const unsigned char* r0 = rgb.data() + static_cast<size_t>(ty.i0) * w * 3;
    const unsigned char* r1 = rgb.data() + static_cast<size_t>(ty.i1) * w * 3;
    for (int x = 0; x < pp.crop; ++x) {
      const Tap& tx = xs[static_cast<size_t>(x)];
      for (int c = 0; c < 3; ++c) {
        const auto at = [&](const unsigned char* row, int i) {
          return static_cast<float>(row[static_cast<size_t>(i) * 3 + static_cast<size_t>(c)]);
        };
        const float top_v = at(r0, tx.i0) + tx.f * (at(r0, tx.i1) - at(r0, tx.i0));
        const float bot_v = at(r1, tx.i0) + tx.f * (at(r1, tx.i1) - at(r1, tx.i0));
        const float v = (top_v + ty.f * (bot_v - top_v)) / 255.0f;
        out[static_cast<size_t>(c) * plane + static_cast<size_t>(y) * pp.crop + x] =
            (v - pp.mean[static_cast<size_t>(c)]) / pp.std[static_cast<size_t>(c)];
      }
    }
  }
}

ImageFolder::ImageFolder(const fs::path& dir, const fs::path& label_file, ImagePreprocess pp)
    : dir_(dir), pp_(pp) {
  std::error_code ec;
  require(fs::is_directory(dir, ec), dir.string(), "directory",
          "does not exist; expected class folders of JPEGs or a folder of JPEGs + label file");
  if (!label_file.empty()) {
    std::ifstream in(label_file);
    require(static_cast<bool>(in), label_file.string(), "file", "cannot open the label file");
    std::string line;
    for (size_t no = 1; std::getline(in, line); ++no) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ls(line);
      std::string name;
      long label = -1;
      std::string rest;
      const std::string field = "line " + std::to_string(no);
      require(static_cast<bool>(ls >> name >> label) && !(ls >> rest), label_file.string(), field,
              "must be 'FILE LABEL' (LABEL an integer class index)");
      require(label >= 0 && label < 100000, label_file.string(), field,
              "label " + std::to_string(label) + " is outside 0 .. 99999");
      require(fs::is_regular_file(dir / name, ec), label_file.string(), field,
              "file " + (dir / name).string() + " does not exist");
      files_.push_back(dir / name);
      labels_.push_back(static_cast<int>(label));
      classes_ = std::max(classes_, static_cast<int>(label) + 1);
    }
    require(!files_.empty(), label_file.string(), "lines", "lists no images");
    return;
  }
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory()) class_names_.push_back(e.path().filename().string());
  std::sort(class_names_.begin(), class_names_.end());
  require(!class_names_.empty(), dir.string(), "layout",
          "has no class folders; give a label file for a flat folder of JPEGs");
  for (size_t c = 0; c < class_names_.size(); ++c) {
    std::vector<fs::path> in_class;
    for (const auto& e : fs::directory_iterator(dir / class_names_[c], ec))
      if (e.is_regular_file() && is_jpeg_name(e.path())) in_class.push_back(e.path());
    std::sort(in_class.begin(), in_class.end());
    for (auto& p : in_class) {
      files_.push_back(std::move(p));
      labels_.push_back(static_cast<int>(c));
    }
  }
  classes_ = static_cast<int>(class_names_.size());
  require(!files_.empty(), dir.string(), "layout", "class folders hold no .JPEG/.jpg files");
}

ImageFolder ImageFolder::select(const std::vector<size_t>& indices) const {
  ImageFolder out = *this;
  out.files_.clear();
  out.labels_.clear();
  for (size_t i : indices) {
    out.files_.push_back(files_.at(i));
    out.labels_.push_back(labels_.at(i));
  }
  return out;
}

void ImageFolder::load(size_t first, size_t count, std::vector<float>& images,
                       std::vector<int>& labels, int threads) const {
  require(first + count <= files_.size(), dir_.string(), "images", "range past the last image");
  images.resize(count * image_size());
  labels.assign(labels_.begin() + static_cast<std::ptrdiff_t>(first),
                labels_.begin() + static_cast<std::ptrdiff_t>(first + count));
  std::vector<std::exception_ptr> errors(count);
  auto work = [&](size_t t, size_t stride) {
    for (size_t i = t; i < count; i += stride) {
      try {
        const fs::path& f = files_[first + i];
        decode_jpeg_image(read_file(f), f.string(), pp_, images.data() + i * image_size());
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  const size_t n = static_cast<size_t>(std::max(threads, 1));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < n && t < count; ++t) pool.emplace_back(work, t, n);
  work(0, n);
  for (auto& t : pool) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);  // the first bad file, as it was (file, field, rule)
}

}  // namespace anvil::nn
