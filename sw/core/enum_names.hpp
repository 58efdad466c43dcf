// One {value, name} table per enum and the two lookups every enum shares: its name, and the
// value a config string names. Header-only, in the base library, so core and nn both use it.
// A table lists the enumerators in declaration order from 0 (checked at compile time by
// complete_names against the enumerator each table names as its last): an enumerator added
// before that one without its name stops the build; one added after it is caught only once
// the table's `last` is moved to it (weaker than -Wswitch).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace anvil {

template <class E>
struct EnumName {
  E value;
  const char* name;
};

// True when `names` holds every enumerator from 0 to `last` once, in order. T is EnumName or
// any entry with the same `value` and `name` members (nn::OpNames adds the ONNX name).
template <class T, std::size_t N>
constexpr bool complete_names(const std::array<T, N>& names, decltype(T::value) last) {
  for (std::size_t i = 0; i < N; ++i)
    if (static_cast<std::size_t>(names[i].value) != i) return false;
  return N == static_cast<std::size_t>(last) + 1;
}

// The name of `value`; "?" for a value outside the enum.
template <class T, std::size_t N>
constexpr const char* name_of(const std::array<T, N>& names, decltype(T::value) value) {
  for (const T& n : names)
    if (n.value == value) return n.name;
  return "?";
}

// "a, b, c": the names, for messages.
template <class E, std::size_t N>
std::string name_list(const std::array<EnumName<E>, N>& names) {
  std::string list;
  for (const EnumName<E>& n : names) list += std::string(list.empty() ? "" : ", ") + n.name;
  return list;
}

// The value `s` names; throws Error(file, field, "must be one of a, b, c (got 's')").
template <class E, std::size_t N>
E parse_enum(const std::array<EnumName<E>, N>& names, std::string_view s, const std::string& file,
             const std::string& field) {
  for (const EnumName<E>& n : names)
    if (s == n.name) return n.value;
  throw Error(file, field,
              "must be one of " + name_list(names) + " (got '" + std::string(s) + "')");
}

}  // namespace anvil
