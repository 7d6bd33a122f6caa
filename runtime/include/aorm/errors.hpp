// aorm/errors.hpp — the exception hierarchy (API.md §6), mirroring Django's / PEP 249's.
//
//   Error
//   ├── DatabaseError
//   │   ├── IntegrityError ── ProtectedError
//   │   ├── OperationalError
//   │   ├── ProgrammingError ── TransactionManagementError
//   │   └── DataError
//   ├── DoesNotExist            (each model derives T::DoesNotExist from it)
//   ├── MultipleObjectsReturned (each model derives T::MultipleObjectsReturned from it)
//   ├── NotLoaded               (a relation used before it was loaded)
//   └── ConfigError             (bad URL, unknown alias, ...)
#pragma once

#include <stdexcept>
#include <string>

namespace aorm {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An error reported by the database. `sql()` is the statement that failed (may be empty),
/// `backend()` is "sqlite" or "postgresql", `code()` the native code (SQLite extended result
/// code as text, or PostgreSQL's SQLSTATE).
class DatabaseError : public Error {
 public:
  DatabaseError(const std::string& message, std::string sql = {}, std::string backend = {},
                std::string code = {})
      : Error(message), sql_(std::move(sql)), backend_(std::move(backend)), code_(std::move(code)) {}
  const std::string& sql() const noexcept { return sql_; }
  const std::string& backend() const noexcept { return backend_; }
  const std::string& code() const noexcept { return code_; }

 private:
  std::string sql_, backend_, code_;
};

class IntegrityError : public DatabaseError { public: using DatabaseError::DatabaseError; };
class OperationalError : public DatabaseError { public: using DatabaseError::DatabaseError; };
class ProgrammingError : public DatabaseError { public: using DatabaseError::DatabaseError; };
class DataError : public DatabaseError { public: using DatabaseError::DatabaseError; };
/// atomic() misused: durable=true nested in another block, a statement from a task whose
/// atomic() block has ended, closing a database inside its own transaction (Django's name).
class TransactionManagementError : public ProgrammingError {
 public:
  using ProgrammingError::ProgrammingError;
};
/// Deleting a row that a `protect`/`restrict` foreign key still references.
class ProtectedError : public IntegrityError { public: using IntegrityError::IntegrityError; };

class DoesNotExist : public Error { public: using Error::Error; };
class MultipleObjectsReturned : public Error { public: using Error::Error; };
class NotLoaded : public Error { public: using Error::Error; };
class ConfigError : public Error { public: using Error::Error; };

}  // namespace aorm
