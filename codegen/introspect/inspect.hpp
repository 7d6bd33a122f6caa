// introspect/inspect.hpp — the model file of an existing database (`aormc inspectdb`,
// API.md §11). cli/introspect.cpp reads the catalog (SQLite: sqlite_master and the
// table_info / index_list / index_info / foreign_key_list pragmas; PostgreSQL:
// information_schema and pg_catalog) into a DbSchema; model_file() decides everything else,
// without a database, so tests can feed it any schema.
//
// What it writes, table by table (sorted by name; aorm_migrations and sqlite_* are left out):
// - a model named after the table without the namespace prefix ("blog_article" in
//   namespace blog -> Article), with `meta.table` when the default name differs;
// - the primary key: a single integer column; `id` is aorm's implicit key, another name
//   becomes `name: { type: int64, primary_key: true }`. A table without one (no key, a
//   composite key, a key of another type) cannot be a model: it is skipped with a comment
//   that says why;
// - a column per field, types mapped to aorm's (below); a type aorm lacks becomes `text`
//   with a comment naming the original type; NOT NULL, single-column UNIQUE and indexes
//   become null/unique/index; several-column ones meta.unique_together / meta.indexes;
// - a single-column foreign key to a modeled table's key: foreign_key (one_to_one when the
//   column is unique), named after the column without `_id` (else db_column), on_delete
//   from the constraint (NO ACTION, which aorm's own tables have, since aorm does on_delete
//   itself like Django: do_nothing, as Django's inspectdb). A reference to a table left
//   out stays a plain column, with a comment;
// - a link table — an integer `id`, exactly two not-null foreign keys, a unique index on
//   the pair, nothing else — with aorm's column names for its two models is a
//   many_to_many field on the model of the first foreign key, not a model.
// Types: integer/int/int4/smallint/int2 -> int32; bigint/int8 -> int64; bool/boolean ->
// bool; real/double/float/double precision -> double; decimal/numeric(p,s) -> decimal
// (SQLite's decimal has no digits: 20, 10); varchar(n)/character varying(n)/char(n) ->
// string; text/clob -> text; blob/bytea -> bytes; date; datetime/timestamp[tz] ->
// datetime; time; uuid; json/jsonb -> json.
#pragma once

#include <string>
#include <vector>

namespace aormc::introspect {

struct DbColumn {
  std::string name;
  std::string type;  // as declared (SQLite) or format_type() (PostgreSQL): "varchar(200)"
  bool not_null = false;
  int pk = 0;  // position in the primary key (1-based); 0: not part of it
};

struct DbForeignKey {
  std::string column, table, to_column;  // to_column empty: the target's primary key
  std::string on_delete;                 // "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"
};

struct DbIndex {
  std::string name;
  std::vector<std::string> columns;
  bool unique = false;
  bool primary = false;  // the primary key's own index
};

struct DbTable {
  std::string name;
  std::vector<DbColumn> columns;
  std::vector<DbForeignKey> foreign_keys;
  std::vector<DbIndex> indexes;
};

struct DbSchema {
  std::vector<DbTable> tables;
};

/// The model file text for `schema`. `ns` empty: the prefix before the first '_' that every
/// table shares, else "app". `source` (the URL, without a password) goes into the opening
/// comment.
std::string model_file(const DbSchema& schema, std::string ns, const std::string& source);

}  // namespace aormc::introspect
