// A RowReader over one row of a text-format PGresult.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "aorm/value.hpp"

struct pg_result;

namespace aorm::detail::postgres {

/// Reads one row of `result` (text format, as every aorm statement asks for); at() moves it
/// to another row. One PgRow serves all the rows of one result, so the bytea decoding
/// buffers are reused from row to row.
///
/// Conversions from PostgreSQL's text output:
///   get_int64   decimal text; booleans "t"/"f" → 1/0; numeric text ("12.00") truncated
///   get_double  decimal or exponent text, "Infinity", "-Infinity", "NaN"
///   get_text    the server's text rendering (a view into the PGresult)
///   get_blob    bytea columns decoded from hex ("\x00ff" → {0x00, 0xff}); other columns'
///               text bytes. The decoded bytes live until the next row.
/// A NULL column reads as 0 / empty; malformed text reads as 0.
class PgRow final : public RowReader {
 public:
  explicit PgRow(const pg_result* result);
  void at(int row) noexcept { row_ = row; }

  int column_count() const noexcept override { return columns_; }
  bool is_null(int i) const noexcept override;
  std::int64_t get_int64(int i) const noexcept override;
  double get_double(int i) const noexcept override;
  std::string_view get_text(int i) const noexcept override;
  std::span<const std::byte> get_blob(int i) const noexcept override;

 private:
  const pg_result* result_;
  int columns_;
  int row_ = 0;
  // Per column: the decoded bytea value and the row it belongs to (-1: none yet).
  mutable std::vector<std::vector<std::byte>> blobs_;
  mutable std::vector<int> blob_rows_;
};

/// Decodes PostgreSQL's bytea hex output ("\x" then two hex digits per byte) into `out`.
/// Returns false (leaving `out` unspecified) when `text` is not in that form; the legacy
/// escape format is never produced with the server's default bytea_output.
bool decode_bytea_hex(std::string_view text, std::vector<std::byte>& out);

}  // namespace aorm::detail::postgres
