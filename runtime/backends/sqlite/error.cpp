#include "sqlite/error.hpp"

#include <sqlite3.h>

#include <string>

#include "aorm/errors.hpp"

namespace aorm::detail::sqlite {

void throw_error_message(int extended_rc, std::string_view message, std::string_view sql) {
  std::string msg(message), text(sql), code = std::to_string(extended_rc);
  switch (extended_rc & 0xff) {
    case SQLITE_CONSTRAINT:
      throw IntegrityError(msg, std::move(text), "sqlite", std::move(code));
    case SQLITE_ERROR:
      throw ProgrammingError(msg, std::move(text), "sqlite", std::move(code));
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      throw DataError(msg, std::move(text), "sqlite", std::move(code));
    default:
      throw OperationalError(msg, std::move(text), "sqlite", std::move(code));
  }
}

void throw_error(sqlite3* db, int rc, std::string_view sql) {
  if (db == nullptr) throw_error_message(rc, sqlite3_errstr(rc), sql);
  // The extended code of the connection describes `rc` when rc came from its last call.
  int ext = sqlite3_extended_errcode(db);
  if ((ext & 0xff) != (rc & 0xff)) ext = rc;
  if ((ext & 0xff) == SQLITE_BUSY) {
    std::string msg = sqlite3_errmsg(db);
    msg += " (another connection or process held the lock longer than ConnectOptions::busy_timeout)";
    throw_error_message(ext, msg, sql);
  }
  throw_error_message(ext, sqlite3_errmsg(db), sql);
}

}  // namespace aorm::detail::sqlite
