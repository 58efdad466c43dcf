// ImageNet-style validation data, streamed: JPEG files decoded with libjpeg-turbo
// (TurboJPEG API) and preprocessed as torchvision's evaluation transform does: shorter side
// resized to 256 (bilinear, half-pixel centres), centre crop 224x224, RGB in [0, 1], then
// (x - mean) / std per channel (ImageNet mean 0.485 0.456 0.406, std 0.229 0.224 0.225).
// Grayscale JPEGs are expanded to RGB; CMYK/YCCK JPEGs are converted with the Adobe
// (inverted) convention R = C * K / 255, as libjpeg-turbo's own test helpers do.
//
// Layouts (the usual copies of the ILSVRC2012 validation set):
//   class folders  DIR/<class>/*.JPEG|*.jpg|*.jpeg: one folder per class, classes numbered
//                  in sorted folder-name order (torchvision's ImageFolder; wnids n01440764 ..
//                  sort to the standard 0..999 indices);
//   flat + labels  DIR/*.JPEG with a label file: one "FILE LABEL" line per image (FILE
//                  relative to DIR, LABEL an integer class index), '#' lines ignored.
// Only file names and labels are held in memory; images are decoded a batch at a time, so
// memory does not grow with the data set.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace anvil::nn {

struct ImagePreprocess {
  int resize = 256;  // shorter side
  int crop = 224;    // centre crop, square
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

// Decodes one JPEG held in memory and preprocesses it into out [3, crop, crop] (CHW).
// Throws anvil::Error(source, field, rule) for a file that is not a whole, valid JPEG.
void decode_jpeg_image(const std::string& bytes, const std::string& source,
                       const ImagePreprocess& pp, float* out);

class ImageFolder {
 public:
  // Class folders under `dir`, or, when `label_file` is given, the images it lists.
  // Throws anvil::Error naming the folder or the label file line for a bad layout.
  explicit ImageFolder(const std::filesystem::path& dir,
                       const std::filesystem::path& label_file = {}, ImagePreprocess pp = {});

  size_t size() const { return files_.size(); }
  int classes() const { return classes_; }
  const ImagePreprocess& preprocess() const { return pp_; }
  size_t image_size() const { return 3 * static_cast<size_t>(pp_.crop) * pp_.crop; }
  const std::filesystem::path& file(size_t i) const { return files_[i]; }
  int label(size_t i) const { return labels_[i]; }
  const std::vector<std::string>& class_names() const { return class_names_; }
  // The images at `indices`, in that order (classes and their names unchanged).
  ImageFolder select(const std::vector<size_t>& indices) const;

  // Decodes images [first, first + count) into images (count * image_size() floats) and
  // their labels, over `threads` workers (each image decoded by one worker: same bits for
  // any thread count). Throws anvil::Error naming the first bad file.
  void load(size_t first, size_t count, std::vector<float>& images, std::vector<int>& labels,
            int threads = 1) const;

 private:
  std::filesystem::path dir_;
  ImagePreprocess pp_;
  std::vector<std::filesystem::path> files_;
  std::vector<int> labels_;
  std::vector<std::string> class_names_;
  int classes_ = 0;
};

// Top-1 accuracy of `predict` (images -> predicted classes) over the whole folder, `batch`
// images decoded at a time: memory holds one batch whatever the folder's size.
// `correct` (optional) receives the count of correctly classified images.
template <class Predict>
double streamed_accuracy(const ImageFolder& data, size_t batch, int threads, Predict&& predict,
                         size_t* correct_out = nullptr) {
  std::vector<float> images;
  std::vector<int> labels;
  size_t correct = 0;
  for (size_t lo = 0; lo < data.size(); lo += batch) {
    const size_t n = std::min(batch, data.size() - lo);
    data.load(lo, n, images, labels, threads);
    const std::vector<int> pred = predict(images.data(), n);
    for (size_t i = 0; i < n; ++i) correct += pred[i] == labels[i];
  }
  if (correct_out) *correct_out = correct;
  return data.size() ? static_cast<double>(correct) / static_cast<double>(data.size()) : 0.0;
}

}  // namespace anvil::nn
