// anvil::Error: the one exception type for bad input. It names the file, the field and the
// rule broken, so `main` can print one line and exit non-zero.
#pragma once

#include <stdexcept>
#include <string>

namespace anvil {

class Error : public std::runtime_error {
 public:
  Error(std::string file, std::string field, std::string rule);

  const std::string& file() const { return file_; }
  const std::string& field() const { return field_; }
  const std::string& rule() const { return rule_; }

 private:
  std::string file_, field_, rule_;
};

// Throws Error(file, field, rule) unless `ok`.
inline void require(bool ok, const std::string& file, const std::string& field,
                    const std::string& rule) {
  if (!ok) throw Error(file, field, rule);
}

}  // namespace anvil
