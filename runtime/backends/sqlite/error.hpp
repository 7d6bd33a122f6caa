// SQLite result codes → aorm's exception hierarchy (errors.hpp).
#pragma once

#include <string_view>

struct sqlite3;

namespace aorm::detail::sqlite {

/// Raises the DatabaseError subclass matching `rc` (the primary code of the extended code
/// `sqlite3_extended_errcode(db)`), with sqlite3_errmsg(db) as the message, the extended
/// code as decimal text in code(), backend() "sqlite" and `sql`:
///   SQLITE_CONSTRAINT*                                     IntegrityError
///   SQLITE_ERROR (syntax, no such table/column, ...)       ProgrammingError
///   SQLITE_TOOBIG, SQLITE_MISMATCH, SQLITE_RANGE           DataError
///   everything else (BUSY, LOCKED, IOERR, FULL, CANTOPEN, READONLY, ...)  OperationalError
/// `db` may be null (then the message is sqlite3_errstr(rc)).
[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view sql);

/// Same mapping for an error known only by code and message (no connection).
[[noreturn]] void throw_error_message(int extended_rc, std::string_view message, std::string_view sql);

}  // namespace aorm::detail::sqlite
