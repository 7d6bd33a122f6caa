// migrate/sql.hpp — the SQL of a migration, per dialect, forwards and backwards.
//
// Every operation's statements are built from the resolved model state before and after it,
// with the DDL emitter's pieces (emit/sql/ddl.hpp), so a migrated database has the tables a
// fresh acreate_tables() makes. PostgreSQL changes tables with ALTER TABLE; SQLite uses ALTER
// TABLE where it can (add a plain column, rename a table or column, indexes) and otherwise
// rebuilds the table the way SQLite documents (docs/migrations.md): create "new__<table>",
// copy the rows, drop the old table, rename, recreate the indexes, then
// `PRAGMA foreign_key_check("<table>")`, whose rows (if any) fail the migration. The runtime
// runs the statements with foreign keys off and inside one transaction (aorm/migrate.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "emit/sql/ddl.hpp"
#include "migrate/operation.hpp"

namespace aormc::migrate {

/// The statements of migrations[index] (migrations in order) for `dialect`; backwards: the
/// statements that undo it. nullopt (reported) when the state does not replay or resolve, or
/// backwards when an operation cannot be undone (run_sql without `backward`).
std::optional<std::vector<std::string>> migration_sql(const std::vector<Migration>& migrations,
                                                      std::size_t index, emit::sql::Dialect dialect,
                                                      bool backwards, diag::Diagnostics& diags);

}  // namespace aormc::migrate
