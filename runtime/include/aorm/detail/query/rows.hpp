// aorm/detail/query/rows.hpp — reading result rows into model objects, tuples and values:
// read_model / read_row / read_shaped_row / append_row, and the RowReaders over Values
// (ValueRow, ValuesRow; runtime/src/query/rows.cpp) that set members from Values (assign).
//
// Contract: a row is read in select order — the model's selected columns, then
// annotations, then select_related targets (located through the shape's `joined` layout),
// then `extra`; nothing here runs a statement.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "aorm/expr.hpp"
#include "aorm/meta.hpp"
#include "aorm/relations.hpp"
#include "aorm/types.hpp"
#include "aorm/value.hpp"

namespace aorm::detail {

/// A RowReader over a row of Values.
class ValuesRow final : public RowReader {
 public:
  explicit ValuesRow(const std::vector<Value>& v) noexcept : v_(v) {}
  int column_count() const noexcept override { return static_cast<int>(v_.size()); }
  bool is_null(int i) const noexcept override;
  std::int64_t get_int64(int i) const noexcept override;
  double get_double(int i) const noexcept override;
  std::string_view get_text(int i) const noexcept override;
  std::span<const std::byte> get_blob(int i) const noexcept override;

 private:
  const std::vector<Value>& v_;
  mutable std::string text_;
};


/// A RowReader over one Value: how the runtime sets a member from a Value through
/// ModelTraits<T>::read (defaults, auto_now, aget_or_create lookups).
class ValueRow final : public RowReader {
 public:
  explicit ValueRow(const Value& v);
  int column_count() const noexcept override { return 1; }
  bool is_null(int) const noexcept override;
  std::int64_t get_int64(int) const noexcept override;
  double get_double(int) const noexcept override;
  std::string_view get_text(int) const noexcept override;
  std::span<const std::byte> get_blob(int) const noexcept override;

 private:
  const Value& v_;
  std::string text_;  // the text form of a number
};

// ---- reading rows ----------------------------------------------------------------------

/// Reads `cols` of `obj` from `r` starting at result index `at`. `joined` is `r` itself when
/// the query has select_related joins (the caller knows that once per query, from the
/// shape's layout: no per-row dynamic_cast), else null.
template <class T>
void read_model(T& obj, const std::vector<int>& cols, const RowReader& r, int at, const JoinedRow* joined) {
  for (std::size_t k = 0; k < cols.size(); ++k) ModelTraits<T>::read(obj, cols[k], r, at + static_cast<int>(k));
  bind_relations(obj);
  if constexpr (requires { ModelTraits<T>::related_set(obj, 0); }) {
    if (joined != nullptr) {  // select_related reverse one-to-ones
      const auto pk = std::find(cols.begin(), cols.end(), ModelTraits<T>::meta().pk);
      if (pk != cols.end()) read_reverse_joined(obj, *joined, at + static_cast<int>(pk - cols.begin()));
    }
  }
}

template <class X>
inline constexpr bool is_tuple_v = false;
template <class... X>
inline constexpr bool is_tuple_v<std::tuple<X...>> = true;

template <class T, class E>
void read_element(E& e, const RowReader& r, const std::vector<int>& cols, int& at, const JoinedRow* joined) {
  if constexpr (std::is_same_v<E, T>) {
    read_model(e, cols, r, at, joined);
    at += static_cast<int>(cols.size());
  } else {
    aorm::read_value(r, at, e);
    ++at;
  }
}

/// Reads one result row into `row` (value-initialised): the model, a tuple (model and/or
/// values), or one value. `joined`: as read_model.
template <class T, class Row>
void read_row_into(Row& row, const RowReader& r, const std::vector<int>& cols, const JoinedRow* joined) {
  if constexpr (std::is_same_v<Row, T>) {
    read_model(row, cols, r, 0, joined);
  } else if constexpr (is_tuple_v<Row>) {
    int at = 0;
    std::apply([&](auto&... e) { (read_element<T>(e, r, cols, at, joined), ...); }, row);
  } else {
    aorm::read_value(r, 0, row);
  }
}

/// One result row as a Row.
template <class T, class Row>
Row read_row(const RowReader& r, const std::vector<int>& cols, const JoinedRow* joined) {
  Row row{};
  read_row_into<T, Row>(row, r, cols, joined);
  return row;
}

/// Reads the row `r` into `row`. `joined`: the select_related layout of the query's shape
/// (empty: none).
template <class T, class Row>
void read_shaped_row(Row& row, const RowReader& r, const std::vector<int>& cols,
                     const std::vector<std::pair<int, int>>& joined) {
  if (joined.empty()) {
    read_row_into<T, Row>(row, r, cols, nullptr);
  } else {
    const JoinedRow jr(r, joined);
    read_row_into<T, Row>(row, jr, cols, &jr);
  }
}

/// Appends the row `r` to `out`, read in place (no Row moved per row).
template <class T, class Row>
void append_row(std::vector<Row>& out, const RowReader& r, const std::vector<int>& cols,
                const std::vector<std::pair<int, int>>& joined) {
  read_shaped_row<T, Row>(out.emplace_back(), r, cols, joined);
}

/// Sets column `col` of `obj` from `v`.
template <class T>
void assign(T& obj, int col, const Value& v) {
  ValueRow row(v);
  ModelTraits<T>::read(obj, col, row, 0);
}

template <class Row>
struct as_tuple {
  using type = std::tuple<Row>;
};
template <class... X>
struct as_tuple<std::tuple<X...>> {
  using type = std::tuple<X...>;
};

template <class T, class... E>
using values_row_t = std::tuple<column_value_t<typename E::value_type>...>;


}  // namespace aorm::detail
