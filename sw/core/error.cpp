#include "core/error.hpp"

namespace anvil {

namespace {
std::string compose(const std::string& file, const std::string& field, const std::string& rule) {
  std::string msg = file.empty() ? std::string("<input>") : file;
  // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on `": " + std::string`.
  if (!field.empty()) {
    msg += ": ";
    msg += field;
  }
  msg += ": ";
  msg += rule;
  return msg;
}
}  // namespace

Error::Error(std::string file, std::string field, std::string rule)
    : std::runtime_error(compose(file, field, rule)),
      file_(std::move(file)),
      field_(std::move(field)),
      rule_(std::move(rule)) {}

}  // namespace anvil
