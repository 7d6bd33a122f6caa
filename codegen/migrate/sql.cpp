#include "migrate/sql.hpp"

#include <algorithm>
#include <map>

#include "emit/printer.hpp"
#include "ir/resolve.hpp"
#include "migrate/state.hpp"
#include "names/names.hpp"

namespace aormc::migrate {

namespace {

using emit::Printer;
using emit::sql::Dialect;
using emit::sql::IndexStatement;
using ir::FieldType;
using names::sql_identifier;

std::string sql(const Printer::Vars& vars, std::string_view text) {
  Printer p;
  p.emit(vars, text);
  return p.str();
}

std::string string_literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

const ir::Model* find(const ir::ModelSet& s, std::string_view name) {
  for (const ir::Model& m : s.models)
    if (m.name == name) return &m;
  return nullptr;
}

const ir::Field* column(const ir::Model& m, std::string_view name) {
  int c = m.find_column(name);
  return c < 0 ? nullptr : &m.columns[c];
}

const ir::ManyToMany* link(const ir::Model& m, std::string_view name) {
  for (const ir::ManyToMany& l : m.many_to_many)
    if (l.name == name) return &l;
  return nullptr;
}

// The value rows already in a table get for `f`: its default, NULL when it may be null,
// else its type's zero (what a backwards re-added column holds; makemigrations refuses a new
// not-null field without a default).
std::string fill(const ir::Field& f, Dialect d) {
  const bool pg = d == Dialect::postgres;
  if (f.default_value) {
    const ir::Default& v = *f.default_value;
    switch (v.kind) {
      case ir::Default::Kind::boolean: return pg ? v.text : v.text == "true" ? "1" : "0";
      case ir::Default::Kind::integer:
      case ir::Default::Kind::floating: return v.text;
      case ir::Default::Kind::string: return string_literal(v.text);
      case ir::Default::Kind::enumerator:
        for (const ir::Choice& c : f.choices)
          if (c.enumerator == v.text) return string_literal(c.value);
        return string_literal(v.text);
      case ir::Default::Kind::null: return "NULL";
    }
  }
  if (f.nullable) return "NULL";
  switch (f.type) {
    case FieldType::boolean: return pg ? "false" : "0";
    case FieldType::string:
    case FieldType::text: return "''";
    case FieldType::json: return "'null'";
    case FieldType::bytes: return pg ? "'\\x'::bytea" : "X''";
    case FieldType::date: return "'1970-01-01'";
    case FieldType::datetime: return pg ? "'1970-01-01 00:00:00+00'" : "'1970-01-01 00:00:00'";
    case FieldType::time: return "'00:00:00'";
    case FieldType::uuid: return pg ? "'00000000-0000-0000-0000-000000000000'" : "'00000000000000000000000000000000'";
    default: return "0";
  }
}

class OpSql {
 public:
  OpSql(const Operation& op, const ir::ModelSet& before, const ir::ModelSet& after, Dialect d)
      : op_(op), b_(before), a_(after), d_(d), pg_(d == Dialect::postgres) {}

  std::vector<std::string> run() {
    switch (op_.kind) {
      case OpKind::create_model: create_model(*find(a_, op_.model)); break;
      case OpKind::delete_model: delete_model(*find(b_, op_.model)); break;
      case OpKind::rename_model: rename_model(*find(b_, op_.from), *find(a_, op_.to)); break;
      case OpKind::alter_model_table: rename_model(*find(b_, op_.model), *find(a_, op_.model)); break;
      case OpKind::add_field: add_field(*find(b_, op_.model), *find(a_, op_.model)); break;
      case OpKind::remove_field: remove_field(*find(b_, op_.model), *find(a_, op_.model)); break;
      case OpKind::rename_field: rename_field(*find(b_, op_.model), *find(a_, op_.model)); break;
      case OpKind::alter_field: alter_field(*find(b_, op_.model), *find(a_, op_.model)); break;
      case OpKind::add_index:
      case OpKind::remove_index:
      case OpKind::alter_unique_together: {
        const ir::Model& bm = *find(b_, op_.model);
        const ir::Model& am = *find(a_, op_.model);
        drop_indexes(bm, am);
        create_indexes(bm, am);
        break;
      }
      case OpKind::run_sql: {
        const SqlPair& p = pg_ ? op_.postgres : op_.sqlite;
        out_.insert(out_.end(), p.forward.begin(), p.forward.end());
        break;
      }
    }
    return std::move(out_);
  }

 private:
  void add(std::string s) { out_.push_back(std::move(s)); }

  // Indexes that `before` has and `after` has not (by name and definition), dropped; then the
  // reverse, created. A renamed table or column renames its indexes this way too.
  std::vector<IndexStatement> missing(const ir::Model& from, const ir::Model& in) {
    const std::vector<IndexStatement> have = emit::sql::create_indexes(in);
    std::vector<IndexStatement> out;
    for (const IndexStatement& i : emit::sql::create_indexes(from))
      if (std::none_of(have.begin(), have.end(),
                       [&](const IndexStatement& h) { return h.name == i.name && h.sql == i.sql; }))
        out.push_back(i);
    return out;
  }
  void drop_indexes(const ir::Model& bm, const ir::Model& am) {
    for (const IndexStatement& i : missing(bm, am))
      add(sql({{"name", sql_identifier(i.name)}}, "DROP INDEX IF EXISTS $name$"));
  }
  void create_indexes(const ir::Model& bm, const ir::Model& am) {
    for (const IndexStatement& i : missing(am, bm)) add(i.sql);
  }

  void create_links(const ir::ModelSet& s, const ir::Model& m, const ir::ManyToMany& l) {
    if (l.through >= 0) return;
    add(emit::sql::create_link_table(s, m, l, d_));
    for (const IndexStatement& i : emit::sql::link_indexes(l)) add(i.sql);
  }
  void drop_table(std::string_view table) {
    add(sql({{"table", sql_identifier(table)}}, "DROP TABLE $table$"));
  }

  void create_model(const ir::Model& am) {
    add(emit::sql::create_table(a_, am, d_));
    for (const IndexStatement& i : emit::sql::create_indexes(am)) add(i.sql);
    for (const ir::ManyToMany& l : am.many_to_many) create_links(a_, am, l);
  }

  void delete_model(const ir::Model& bm) {
    for (const ir::ManyToMany& l : bm.many_to_many)
      if (l.through < 0) drop_table(l.table);
    drop_table(bm.table);
  }

  void rename_table(std::string_view from, std::string_view to) {
    if (from != to)
      add(sql({{"from", sql_identifier(from)}, {"to", sql_identifier(to)}}, "ALTER TABLE $from$ RENAME TO $to$"));
  }
  void rename_column(std::string_view table, std::string_view from, std::string_view to) {
    if (from != to)
      add(sql({{"table", sql_identifier(table)}, {"from", sql_identifier(from)}, {"to", sql_identifier(to)}},
              "ALTER TABLE $table$ RENAME COLUMN $from$ TO $to$"));
  }

  // Every link table of `a_` whose name or columns changed from `b_` (a renamed model or
  // field renames its link tables and their columns): renamed in place, rows kept.
  void sync_links() {
    for (const ir::Model& am : a_.models) {
      std::string old_name = am.name;
      if (op_.kind == OpKind::rename_model && am.name == op_.to) old_name = op_.from;
      const ir::Model* bm = find(b_, old_name);
      if (!bm) continue;
      for (const ir::ManyToMany& al : am.many_to_many) {
        if (al.through >= 0) continue;
        std::string old_field = al.name;
        if (op_.kind == OpKind::rename_field && am.name == op_.model && al.name == op_.to) old_field = op_.from;
        const ir::ManyToMany* bl = link(*bm, old_field);
        if (!bl || bl->through >= 0) continue;
        if (bl->table == al.table && bl->source_column == al.source_column && bl->target_column == al.target_column)
          continue;
        const std::vector<IndexStatement> old_indexes = emit::sql::link_indexes(*bl);
        for (const IndexStatement& i : old_indexes)
          add(sql({{"name", sql_identifier(i.name)}}, "DROP INDEX IF EXISTS $name$"));
        rename_table(bl->table, al.table);
        rename_column(al.table, bl->source_column, al.source_column);
        rename_column(al.table, bl->target_column, al.target_column);
        for (const IndexStatement& i : emit::sql::link_indexes(al)) add(i.sql);
      }
    }
  }

  void rename_model(const ir::Model& bm, const ir::Model& am) {
    drop_indexes(bm, am);
    rename_table(bm.table, am.table);
    sync_links();
    create_indexes(bm, am);
  }

  // SQLite's table rebuild (https://www.sqlite.org/lang_altertable.html#otheralter): the
  // new table beside the old one, the rows copied (`mapping`: each new column's value),
  // the old table dropped, the new one renamed, the indexes made again, and the foreign
  // keys checked (the runtime fails the migration on any row the check returns).
  void rebuild(const ir::Model& bm, const ir::Model& am, const std::map<std::string, std::string>& renamed = {}) {
    const std::string tmp = "new__" + am.table;
    add(emit::sql::create_table(a_, am, d_, tmp));
    std::string columns, values;
    for (const ir::Field& af : am.columns) {
      auto it = renamed.find(af.name);
      const ir::Field* bf = column(bm, it == renamed.end() ? af.name : it->second);
      std::string value;
      if (bf && bf->type != FieldType::many_to_many) {
        value = sql_identifier(bf->column);
        if (bf->nullable && !af.nullable) value = "COALESCE(" + value + ", " + fill(af, d_) + ")";
      } else {
        value = fill(af, d_);
      }
      columns += (columns.empty() ? "" : ", ") + sql_identifier(af.column);
      values += (values.empty() ? "" : ", ") + value;
    }
    add(sql({{"tmp", sql_identifier(tmp)}, {"columns", columns}, {"values", values}, {"old", sql_identifier(bm.table)}},
            "INSERT INTO $tmp$ ($columns$) SELECT $values$ FROM $old$"));
    drop_table(bm.table);
    rename_table(tmp, am.table);
    for (const IndexStatement& i : emit::sql::create_indexes(am)) add(i.sql);
    add(sql({{"table", string_literal(am.table)}}, "PRAGMA foreign_key_check($table$)"));
  }

  std::string definition(const ir::ModelSet& s, const ir::Field& f) {
    std::string def = emit::sql::column_definition(s, f, d_);
    return def.substr(sql_identifier(f.column).size());  // without the column's name
  }

  void add_field(const ir::Model& bm, const ir::Model& am) {
    const std::string& name = op_.field.name.value;
    if (const ir::ManyToMany* l = link(am, name)) {
      create_links(a_, am, *l);
      return;
    }
    const ir::Field& af = *column(am, name);
    if (!pg_ && (af.unique || af.primary_key)) {  // ADD COLUMN cannot add a UNIQUE column
      rebuild(bm, am);
      return;
    }
    const bool filled = af.default_value || !af.nullable;
    add(sql({{"table", sql_identifier(am.table)},
             {"definition", emit::sql::column_definition(a_, af, d_)},
             {"default", filled ? " DEFAULT " + fill(af, d_) : ""}},
            "ALTER TABLE $table$ ADD COLUMN $definition$$default$"));
    // PostgreSQL: the default only filled the rows there were (the DDL has none); SQLite
    // cannot drop it without a rebuild, and keeps it (aorm always writes every column).
    if (pg_ && filled)
      add(sql({{"table", sql_identifier(am.table)}, {"column", sql_identifier(af.column)}},
              "ALTER TABLE $table$ ALTER COLUMN $column$ DROP DEFAULT"));
    create_indexes(bm, am);
  }

  void remove_field(const ir::Model& bm, const ir::Model& am) {
    const std::string& name = op_.field.name.value;
    if (const ir::ManyToMany* l = link(bm, name)) {
      if (l->through < 0) drop_table(l->table);
      return;
    }
    if (!pg_) {
      rebuild(bm, am);
      return;
    }
    drop_indexes(bm, am);
    add(sql({{"table", sql_identifier(bm.table)}, {"column", sql_identifier(column(bm, name)->column)}},
            "ALTER TABLE $table$ DROP COLUMN $column$"));
  }

  void rename_field(const ir::Model& bm, const ir::Model& am) {
    drop_indexes(bm, am);
    if (const ir::Field* bf = column(bm, op_.from)) rename_column(am.table, bf->column, column(am, op_.to)->column);
    sync_links();
    create_indexes(bm, am);
  }

  // Drops the unique or foreign key constraint (`kind` 'u' or 'f') on one column, whatever
  // PostgreSQL named it (a renamed table keeps its constraints' old names).
  void drop_constraint(std::string_view table, std::string_view column, char kind) {
    add(sql({{"table", string_literal(sql_identifier(table))},
             {"column", string_literal(column)},
             {"kind", std::string(1, kind)}},
            R"sql(
              DO $$$$ DECLARE c text; BEGIN
                  SELECT conname INTO c FROM pg_constraint
                   WHERE conrelid = $table$::regclass AND contype = '$kind$'
                     AND conkey = ARRAY[(SELECT attnum FROM pg_attribute
                                          WHERE attrelid = $table$::regclass AND attname = $column$)];
                  IF c IS NOT NULL THEN
                      EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', $table$, c);
                  END IF;
              END $$$$)sql"));
  }

  void alter_field(const ir::Model& bm, const ir::Model& am) {
    const std::string& name = op_.field.name.value;
    const ir::Field& bf = *column(bm, name);
    const ir::Field& af = *column(am, name);
    if (!pg_) {
      if (definition(b_, bf) == definition(a_, af)) {
        drop_indexes(bm, am);
        rename_column(am.table, bf.column, af.column);
        create_indexes(bm, am);
      } else {
        rebuild(bm, am);
      }
      return;
    }
    const Printer::Vars vars{{"table", sql_identifier(am.table)},
                             {"column", sql_identifier(af.column)},
                             {"type", emit::sql::column_type(af, d_)},
                             {"fill", fill(af, d_)}};
    drop_indexes(bm, am);
    rename_column(am.table, bf.column, af.column);
    const bool fk_changed = (bf.target < 0) != (af.target < 0) ||
                            (bf.target >= 0 && b_.models[bf.target].table != a_.models[af.target].table);
    if (bf.target >= 0 && fk_changed) drop_constraint(am.table, af.column, 'f');
    if (bf.unique && !af.unique) drop_constraint(am.table, af.column, 'u');
    // To a string type, no USING: the assignment cast raises "value too long for type
    // character varying(n)" on a row that does not fit, where the explicit `col::varchar(n)`
    // would cut it silently — a shorter max_length fails like Django's, losing nothing.
    // Every type converts to a string by assignment (PostgreSQL's I/O conversion casts).
    // Other types need USING (e.g. text -> bigint has no assignment cast).
    if (emit::sql::column_type(bf, d_) != emit::sql::column_type(af, d_))
      add(sql(vars, af.type == FieldType::string || af.type == FieldType::text
                        ? "ALTER TABLE $table$ ALTER COLUMN $column$ TYPE $type$"
                        : "ALTER TABLE $table$ ALTER COLUMN $column$ TYPE $type$ USING $column$::$type$"));
    if (bf.nullable && !af.nullable) {
      add(sql(vars, "UPDATE $table$ SET $column$ = $fill$ WHERE $column$ IS NULL"));
      add(sql(vars, "ALTER TABLE $table$ ALTER COLUMN $column$ SET NOT NULL"));
    } else if (!bf.nullable && af.nullable) {
      add(sql(vars, "ALTER TABLE $table$ ALTER COLUMN $column$ DROP NOT NULL"));
    }
    if (!bf.unique && af.unique) {
      Printer::Vars v = vars;
      v["name"] = sql_identifier(ir::index_name(am.table, {af.column}, "key"));
      add(sql(v, "ALTER TABLE $table$ ADD CONSTRAINT $name$ UNIQUE ($column$)"));
    }
    if (af.target >= 0 && fk_changed) {
      const ir::Model& target = a_.models[af.target];
      Printer::Vars v = vars;
      v["name"] = sql_identifier(ir::index_name(am.table, {af.column}, "fk"));
      v["target"] = sql_identifier(target.table);
      v["pk"] = sql_identifier(target.columns[target.pk].column);
      add(sql(v, "ALTER TABLE $table$ ADD CONSTRAINT $name$ FOREIGN KEY ($column$) "
                 "REFERENCES $target$ ($pk$) DEFERRABLE INITIALLY DEFERRED"));
    }
    create_indexes(bm, am);
  }

  const Operation& op_;
  const ir::ModelSet& b_;
  const ir::ModelSet& a_;
  Dialect d_;
  bool pg_;
  std::vector<std::string> out_;
};

}  // namespace

std::optional<std::vector<std::string>> migration_sql(const std::vector<Migration>& migrations, std::size_t index,
                                                      Dialect dialect, bool backwards, diag::Diagnostics& diags) {
  std::optional<ir::ModelSetSpec> state = replay(migrations, diags, index);
  if (!state) return std::nullopt;
  const Migration& m = migrations[index];
  if (state->file.empty()) {
    state->file = m.file;
    state->ns = {m.ns, {m.file, 1, 1}};
  }
  // The state before each operation and after the last, resolved.
  std::vector<ir::ModelSet> states;
  auto resolve = [&]() -> bool {
    if (state->models.empty()) {  // nothing to resolve (the first migration's start)
      ir::ModelSet empty;
      empty.ns = state->ns.value;
      states.push_back(std::move(empty));
      return true;
    }
    std::optional<ir::ModelSet> set = ir::resolve(*state, diags);
    if (!set) return false;
    states.push_back(std::move(*set));
    return true;
  };
  if (!resolve()) return std::nullopt;
  for (const Operation& op : m.operations) {
    if (!apply(*state, op, diags) || !resolve()) return std::nullopt;
  }
  std::vector<std::string> out;
  if (!backwards) {
    for (std::size_t k = 0; k < m.operations.size(); ++k) {
      std::vector<std::string> s = OpSql(m.operations[k], states[k], states[k + 1], dialect).run();
      out.insert(out.end(), s.begin(), s.end());
    }
    return out;
  }
  for (std::size_t k = m.operations.size(); k-- > 0;) {
    const Operation& op = m.operations[k];
    if (!reversible(op)) {
      diags.error(op.where, "run_sql without 'backward' for " +
                                std::string(dialect == Dialect::sqlite ? "sqlite" : "postgres") +
                                ": this migration cannot be undone");
      return std::nullopt;
    }
    std::vector<std::string> s = OpSql(inverse(op), states[k + 1], states[k], dialect).run();
    out.insert(out.end(), s.begin(), s.end());
  }
  return out;
}

}  // namespace aormc::migrate
