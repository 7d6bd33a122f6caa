// support.hpp — what the JSON tests share: conversions both ways, the error a conversion
// raises, and a Sample (kinds.yaml) with every member set.
#pragma once

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <functional>
#include <string>

#include "blog/json.hpp"
#include "kinds/json.hpp"
#include "people/json.hpp"

namespace json_test {

/// value_from, then value_to.
template <class T>
T round_trip(const T& obj) {
  return boost::json::value_to<T>(boost::json::value_from(obj));
}

/// value_from, serialize, parse (strict: invalid UTF-8 is a syntax error), value_to.
template <class T>
T through_text(const T& obj) {
  return boost::json::value_to<T>(boost::json::parse(boost::json::serialize(boost::json::value_from(obj))));
}

/// The message of the aorm::JsonError `f` raises ("" when it raises nothing; a failed check
/// when it raises something else).
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const aorm::JsonError& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("not a JsonError: " << e.what());
  }
  return "";
}

/// The message of value_to<T>(parse(json)).
template <class T>
std::string reading_error(std::string_view json) {
  const boost::json::value v = boost::json::parse(json);
  return error_of([&] { (void)boost::json::value_to<T>(v); });
}

/// A Sample with every member set to a value worth checking.
kinds::Sample full_sample();

/// Checks every column member of `a` and `b` is equal (aorm::Json by parsed value).
void check_same(const kinds::Sample& a, const kinds::Sample& b);

}  // namespace json_test
