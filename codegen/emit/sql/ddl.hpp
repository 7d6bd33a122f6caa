// emit/sql/ddl.hpp — CREATE TABLE / CREATE INDEX statements for a model file.
//
// The statements are idempotent (IF NOT EXISTS), so acreate_tables() may run on a database
// that already has the tables. Column types follow Django's per backend; foreign keys are
// DEFERRABLE INITIALLY DEFERRED like Django's (on_delete is done by the runtime, as Django
// does it, except for link tables, whose rows go with either end: ON DELETE CASCADE).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ir/model.hpp"

namespace aormc::emit::sql {

enum class Dialect { sqlite, postgres };

/// The DDL of `set` for `dialect`, one statement per entry, no trailing ';': model tables in
/// creation order (referenced tables first), each followed by its indexes, then the
/// many_to_many link tables.
std::vector<std::string> ddl(const ir::ModelSet& set, Dialect dialect);

// ---- Pieces of the DDL, for the migration emitter (codegen/migrate), which builds its
// ---- statements from these so that a migrated database and a created one agree.

/// The column type of `f` in `dialect`: string max_length 100 -> "varchar(100)", double ->
/// "double precision" (postgres) / "real" (sqlite), a foreign key -> "bigint".
std::string column_type(const ir::Field& f, Dialect dialect);

/// One column definition as CREATE TABLE writes it: `"title" varchar(200) NOT NULL UNIQUE`,
/// a foreign key with its `REFERENCES ... DEFERRABLE INITIALLY DEFERRED` when
/// `with_references`, the primary key with its identity / AUTOINCREMENT.
std::string column_definition(const ir::ModelSet& set, const ir::Field& f, Dialect dialect,
                              bool with_references = true);

/// CREATE TABLE IF NOT EXISTS for model `m` of `set`, every foreign key inline (the tables it
/// references exist already); named `table` instead of m.table when given (a rebuild).
std::string create_table(const ir::ModelSet& set, const ir::Model& m, Dialect dialect,
                         std::string_view table = {});

/// A named CREATE INDEX statement.
struct IndexStatement {
  std::string name;
  std::string sql;
};

/// The CREATE INDEX statements of model `m` (index: true, foreign keys, meta.indexes,
/// unique_together), in the order ddl() emits them.
std::vector<IndexStatement> create_indexes(const ir::Model& m);

/// CREATE TABLE of the link table of `link`, a many_to_many of `owner` (no through model).
std::string create_link_table(const ir::ModelSet& set, const ir::Model& owner,
                              const ir::ManyToMany& link, Dialect dialect);

/// The two indexes of a link table: one row per pair, and lookups from the target side.
std::vector<IndexStatement> link_indexes(const ir::ManyToMany& link);

/// The statements as one script: each followed by ";\n" (what aorm::App::ddl() returns).
std::string script(const std::vector<std::string>& statements);

}  // namespace aormc::emit::sql
