// PostgreSQL errors → aorm's exception hierarchy (errors.hpp).
#pragma once

#include <exception>
#include <string>
#include <string_view>

struct pg_conn;
struct pg_result;

namespace aorm::detail::postgres {

/// The exception for SQLSTATE `sqlstate` with `message`, carrying `sql`, backend()
/// "postgresql" and the SQLSTATE as code(). The class follows the SQLSTATE class (the first
/// two characters), as psycopg does:
///   23 integrity constraint violation (23505 unique, 23503 foreign key, ...)  IntegrityError
///   22 data exception (22012 division by zero, 22P02 bad input syntax, ...)   DataError
///   42 syntax error or access rule violation, 21, 26, 34, 3D, 3F, 44         ProgrammingError
///   08 connection exception, 40 transaction rollback (40001 serialization
///      failure, 40P01 deadlock), 53, 54, 55, 57 (57P01 admin shutdown), 58, F0  OperationalError
///   anything else (0A, 25, XX, P0, ...)                                       DatabaseError
std::exception_ptr make_error(std::string_view sqlstate, std::string message, std::string_view sql);

/// The error a failed PGresult reports: the server's primary message, then its DETAIL and
/// HINT lines when present, with the result's SQLSTATE (08006 when it has none, i.e. libpq
/// itself failed, which means the connection is unusable).
std::exception_ptr result_error(const pg_result* result, std::string_view sql);

/// An OperationalError (SQLSTATE 08006, connection failure) whose message is `what`
/// followed by libpq's message for `conn` when it has one.
std::exception_ptr connection_error(const pg_conn* conn, std::string_view what, std::string_view sql);

}  // namespace aorm::detail::postgres
