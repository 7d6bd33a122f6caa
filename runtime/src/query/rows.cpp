// The RowReaders over Values (detail/query/rows.hpp).
#include "aorm/detail/query/rows.hpp"

#include <cstdlib>
#include <string>

namespace aorm::detail {

ValueRow::ValueRow(const Value& v) : v_(v) {
  if (const auto* i = std::get_if<std::int64_t>(&v_)) text_ = std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v_)) text_ = std::to_string(*d);
}
bool ValueRow::is_null(int) const noexcept { return std::holds_alternative<std::nullptr_t>(v_); }
std::int64_t ValueRow::get_int64(int) const noexcept {
  if (const auto* i = std::get_if<std::int64_t>(&v_)) return *i;
  if (const auto* d = std::get_if<double>(&v_)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v_)) return std::strtoll(s->c_str(), nullptr, 10);
  return 0;
}
double ValueRow::get_double(int) const noexcept {
  if (const auto* d = std::get_if<double>(&v_)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v_)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&v_)) return std::strtod(s->c_str(), nullptr);
  return 0;
}
std::string_view ValueRow::get_text(int) const noexcept {
  if (const auto* s = std::get_if<std::string>(&v_)) return *s;
  return text_;
}
std::span<const std::byte> ValueRow::get_blob(int) const noexcept {
  if (const auto* b = std::get_if<Bytes>(&v_)) return *b;
  return {};
}

bool ValuesRow::is_null(int i) const noexcept {
  return std::holds_alternative<std::nullptr_t>(v_[static_cast<std::size_t>(i)]);
}
std::int64_t ValuesRow::get_int64(int i) const noexcept { return ValueRow(v_[static_cast<std::size_t>(i)]).get_int64(0); }
double ValuesRow::get_double(int i) const noexcept { return ValueRow(v_[static_cast<std::size_t>(i)]).get_double(0); }
std::string_view ValuesRow::get_text(int i) const noexcept {
  const Value& v = v_[static_cast<std::size_t>(i)];
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  text_ = std::string(ValueRow(v).get_text(0));
  return text_;
}
std::span<const std::byte> ValuesRow::get_blob(int i) const noexcept {
  if (const auto* b = std::get_if<Bytes>(&v_[static_cast<std::size_t>(i)])) return *b;
  return {};
}

}  // namespace aorm::detail
