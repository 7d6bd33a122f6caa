#include "cli/introspect.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <aorm/database.hpp>
#include <aorm/url.hpp>
#include <aorm/runtime.hpp>

#include "introspect/graph.hpp"
#include "introspect/inspect.hpp"
#include "pipeline.hpp"

namespace aormc::cli {

namespace {

int usage(std::string_view message) {
  std::cerr << "aormc: error: " << message << "\nusage:\n" << kIntrospectUsage;
  return 1;
}

}  // namespace

int graph(const std::vector<std::string>& all) {
  auto dashes = std::find(all.begin(), all.end(), "--");
  const std::vector<std::string> args(all.begin(), dashes);
  const std::vector<std::string> flags(dashes == all.end() ? all.end() : dashes + 1, all.end());
  std::string input, format;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--format" && i + 1 < args.size()) {
      format = args[++i];
    } else if (input.empty() && !args[i].starts_with("-")) {
      input = args[i];
    } else {
      return usage("unexpected argument '" + aorm::redact_url(args[i]) + "'");
    }
  }
  if (input.empty() || (format != "mermaid" && format != "dot"))
    return usage("graph needs MODELS and --format mermaid or --format dot");
  std::ifstream in(input, std::ios::binary);
  if (!in) {
    std::cerr << input << ": error: cannot read the file\n";
    return 1;
  }
  std::ostringstream text;
  text << in.rdbuf();
  diag::Diagnostics diags;
  std::optional<ir::ModelSet> set = load(text.str(), input, diags, flags);
  if (!set) {
    std::cerr << diags.render();
    return 1;
  }
  std::cout << introspect::graph(*set, format == "mermaid" ? introspect::GraphFormat::mermaid
                                                           : introspect::GraphFormat::dot);
  return std::cout.flush() ? 0 : 1;
}

namespace {

using introspect::DbColumn;
using introspect::DbForeignKey;
using introspect::DbIndex;
using introspect::DbSchema;
using introspect::DbTable;

aorm::Task<std::vector<std::vector<std::string>>> rows(aorm::Database db, std::string sql, std::vector<aorm::Value> params) {
  std::vector<std::vector<std::string>> out;
  auto sink = [&out](const aorm::RowReader& r) {
    out.emplace_back();
    for (int i = 0; i < r.column_count(); ++i) out.back().emplace_back(r.is_null(i) ? "" : std::string(r.get_text(i)));
  };
  aorm::Statement stmt{std::move(sql), std::move(params)};
  co_await aorm::detail::execute(db, stmt, sink);
  co_return out;
}

// The catalog of an SQLite database: sqlite_master and the table pragmas.
aorm::Task<DbSchema> read_sqlite(aorm::Database db, std::vector<std::string> only) {
  DbSchema s;
  const std::vector<aorm::Value> none;
  for (const auto& t : co_await rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", none)) {
    if (!only.empty() && std::find(only.begin(), only.end(), t[0]) == only.end()) continue;
    DbTable table;
    table.name = t[0];
    // Named vectors: g++ 12 cannot compile an initializer_list inside co_await (TOOLCHAIN.md).
    std::vector<aorm::Value> name{aorm::to_value(t[0])};
    std::vector<aorm::Value> twice{aorm::to_value(t[0]), aorm::to_value(t[0])};
    for (const auto& c : co_await rows(db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid", name))
      table.columns.push_back({c[0], c[1], c[2] == "1", std::atoi(c[3].c_str())});
    for (const auto& f : co_await rows(db, "SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list(?) "
                                           "WHERE id IN (SELECT id FROM pragma_foreign_key_list(?) GROUP BY id "
                                           "HAVING count(*) = 1) ORDER BY id",
                                       twice))
      table.foreign_keys.push_back({f[0], f[1], f[2], f[3]});
    for (const auto& i : co_await rows(db, "SELECT name, \"unique\", origin FROM pragma_index_list(?) ORDER BY name", name)) {
      DbIndex index{i[0], {}, i[1] == "1", i[2] == "pk"};
      std::vector<aorm::Value> iname{aorm::to_value(i[0])};
      for (const auto& c : co_await rows(db, "SELECT name FROM pragma_index_info(?) ORDER BY seqno", iname))
        index.columns.push_back(c[0]);
      if (std::find(index.columns.begin(), index.columns.end(), "") == index.columns.end())  // no expressions
        table.indexes.push_back(std::move(index));
    }
    // An INTEGER PRIMARY KEY has no index of its own in index_list.
    s.tables.push_back(std::move(table));
  }
  co_return s;
}

// The catalog of the current schema of a PostgreSQL database: information_schema for the
// tables, pg_catalog for the rest.
aorm::Task<DbSchema> read_postgres(aorm::Database db, std::vector<std::string> only) {
  DbSchema s;
  const std::vector<aorm::Value> none;
  for (const auto& t : co_await rows(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                         "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name", none)) {
    if (!only.empty() && std::find(only.begin(), only.end(), t[0]) == only.end()) continue;
    DbTable table;
    table.name = t[0];
    std::vector<aorm::Value> name{aorm::to_value(t[0])};
    for (const auto& c : co_await rows(db,
             "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
             "COALESCE(array_position(p.conkey, a.attnum), 0) "
             "FROM pg_attribute a LEFT JOIN pg_constraint p ON p.conrelid = a.attrelid AND p.contype = 'p' "
             "WHERE a.attrelid = quote_ident($1)::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
             name))
      table.columns.push_back({c[0], c[1], c[2] == "t" || c[2] == "true", std::atoi(c[3].c_str())});
    for (const auto& f : co_await rows(db,
             "SELECT a.attname, t.relname, fa.attname, CASE c.confdeltype WHEN 'c' THEN 'CASCADE' "
             "WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END "
             "FROM pg_constraint c JOIN pg_class t ON t.oid = c.confrelid "
             "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
             "JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] "
             "WHERE c.conrelid = quote_ident($1)::regclass AND c.contype = 'f' AND cardinality(c.conkey) = 1 "
             "ORDER BY a.attnum, c.conname",
             name))
      table.foreign_keys.push_back({f[0], f[1], f[2], f[3]});
    for (const auto& i : co_await rows(db,
             "SELECT ic.relname, i.indisunique, i.indisprimary, "
             "array_to_string(ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o) "
             "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o), ','), "
             "cardinality(i.indkey::int2[]) "
             "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
             "WHERE i.indrelid = quote_ident($1)::regclass AND i.indpred IS NULL ORDER BY ic.relname",
             name)) {
      DbIndex index{i[0], {}, i[1] == "t" || i[1] == "true", i[2] == "t" || i[2] == "true"};
      for (std::size_t at = 0; at <= i[3].size();) {
        const std::size_t comma = std::min(i[3].find(',', at), i[3].size());
        index.columns.push_back(i[3].substr(at, comma - at));
        at = comma + 1;
      }
      if (index.columns.size() == static_cast<std::size_t>(std::atoi(i[4].c_str())))  // no expressions
        table.indexes.push_back(std::move(index));
    }
    s.tables.push_back(std::move(table));
  }
  co_return s;
}

}  // namespace

int inspectdb(const std::vector<std::string>& args) {
  std::string url, ns;
  std::vector<std::string> only;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--db" && i + 1 < args.size()) {
      url = args[++i];
    } else if (args[i] == "--namespace" && i + 1 < args.size()) {
      ns = args[++i];
    } else if (args[i] == "--table" && i + 1 < args.size()) {
      only.push_back(args[++i]);
    } else {
      return usage("unexpected argument '" + aorm::redact_url(args[i]) + "'");
    }
  }
  if (url.empty()) return usage("inspectdb needs --db URL");
  std::string text;
  try {
    DbSchema schema = aorm::run([](std::string url, std::vector<std::string> only) -> aorm::Task<DbSchema> {
      aorm::Database db = co_await aorm::aconnect(url, {.pool_size = 1});
      std::exception_ptr error;
      DbSchema out;
      try {
        out = db.dialect() == aorm::Dialect::postgres ? co_await read_postgres(db, only) : co_await read_sqlite(db, only);
      } catch (...) {
        error = std::current_exception();
      }
      co_await db.aclose();
      if (error) std::rethrow_exception(error);
      co_return out;
    }(url, only));
    for (const std::string& t : only)
      if (std::none_of(schema.tables.begin(), schema.tables.end(), [&](const DbTable& x) { return x.name == t; })) {
        std::cerr << "aormc: error: no table '" << t << "' in " << aorm::redact_url(url) << "\n";
        return 1;
      }
    if (schema.tables.empty()) {
      std::cerr << "aormc: error: " << aorm::redact_url(url) << " has no tables\n";
      return 1;
    }
    text = introspect::model_file(schema, ns, aorm::redact_url(url));
  } catch (const std::exception& e) {
    std::cerr << "aormc: error: " << e.what() << "\n";
    return 1;
  }
  // What aormc writes must be a model file aormc accepts (else it is aormc's bug).
  diag::Diagnostics diags;
  if (!load(text, "inspectdb.yaml", diags)) {
    std::cerr << "aormc: internal error: the inspected model file does not check:\n" << diags.render() << text;
    return 1;
  }
  std::cout << text;
  return std::cout.flush() ? 0 : 1;
}

}  // namespace aormc::cli
