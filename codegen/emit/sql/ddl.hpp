// emit/sql/ddl.hpp — CREATE TABLE / CREATE INDEX statements for a model file.
//
// The statements are idempotent (IF NOT EXISTS), so acreate_tables() may run on a database
// that already has the tables. Column types follow Django's per backend; foreign keys are
// DEFERRABLE INITIALLY DEFERRED like Django's (on_delete is done by the runtime, as Django
// does it, except for link tables, whose rows go with either end: ON DELETE CASCADE).
#pragma once

#include <string>
#include <vector>

#include "ir/model.hpp"

namespace aormc::emit::sql {

enum class Dialect { sqlite, postgres };

/// The DDL of `set` for `dialect`, one statement per entry, no trailing ';': model tables in
/// creation order (referenced tables first), each followed by its indexes, then the
/// many_to_many link tables.
std::vector<std::string> ddl(const ir::ModelSet& set, Dialect dialect);

/// The statements as one script: each followed by ";\n" (what aorm::App::ddl() returns).
std::string script(const std::vector<std::string>& statements);

}  // namespace aormc::emit::sql
