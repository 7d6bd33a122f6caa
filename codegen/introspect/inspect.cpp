#include "introspect/inspect.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "emit/printer.hpp"
#include "ir/spec.hpp"
#include "migrate/state.hpp"
#include "names/names.hpp"

namespace aormc::introspect {

namespace {

using emit::Printer;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "blog_article_tags" -> "ArticleTags" (after the namespace prefix is gone).
std::string pascal(std::string_view snake) {
  std::string out;
  bool up = true;
  for (char c : snake) {
    if (c == '_' || !std::isalnum(static_cast<unsigned char>(c))) {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "T" + out;
  return out;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

// A field name for column `column`: itself when it is a plain lowercase identifier and not
// a C++ keyword, else a cleaned-up one (the caller adds db_column).
std::string field_name(std::string_view column) {
  std::string out;
  for (char c : column)
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "f_" + out;
  if (names::is_cpp_keyword(out)) out += "_";
  return out;
}

// aorm's type for a declared SQL type: (type, max_length, digits, places), nullopt when aorm
// has none.
struct Mapped {
  std::string type;
  int max_length = 0, max_digits = 0, decimal_places = 0;
};
std::optional<Mapped> map_type(const std::string& declared) {
  const std::string t = lower(declared);
  const std::size_t paren = t.find('(');
  std::string base = t.substr(0, paren);
  while (!base.empty() && base.back() == ' ') base.pop_back();
  std::vector<int> args;
  if (paren != std::string::npos)
    for (std::size_t i = paren + 1; i < t.size();) {
      std::size_t used = 0;
      try {
        args.push_back(std::stoi(t.substr(i), &used));
      } catch (...) {
        break;
      }
      i += used;
      while (i < t.size() && (t[i] == ',' || t[i] == ' ')) ++i;
      if (i < t.size() && t[i] == ')') break;
    }
  if (base == "integer" || base == "int" || base == "int4" || base == "smallint" || base == "int2" ||
      base == "mediumint" || base == "tinyint")
    return Mapped{"int32"};
  if (base == "bigint" || base == "int8") return Mapped{"int64"};
  if (base == "bool" || base == "boolean") return Mapped{"bool"};
  if (base == "real" || base == "double" || base == "double precision" || base == "float" || base == "float8" ||
      base == "float4")
    return Mapped{"double"};
  if (base == "decimal" || base == "numeric")
    return args.size() == 2 ? Mapped{"decimal", 0, args[0], args[1]} : Mapped{"decimal", 0, 20, 10};
  if ((base == "varchar" || base == "character varying" || base == "char" || base == "character" ||
       base == "nvarchar") && args.size() == 1 && args[0] > 0)
    return Mapped{"string", args[0]};
  if (base == "text" || base == "clob" || base == "character varying" || base == "varchar") return Mapped{"text"};
  if (base == "blob" || base == "bytea") return Mapped{"bytes"};
  if (base == "date") return Mapped{"date"};
  if (base == "datetime" || base == "timestamp" || base == "timestamptz" || base == "timestamp with time zone" ||
      base == "timestamp without time zone")
    return Mapped{"datetime"};
  if (base == "time" || base == "time without time zone") return Mapped{"time"};
  if (base == "uuid") return Mapped{"uuid"};
  if (base == "json" || base == "jsonb") return Mapped{"json"};
  return std::nullopt;
}

bool integer_type(const std::string& declared) {
  const auto m = map_type(declared);
  return m && (m->type == "int32" || m->type == "int64");
}

std::string on_delete_of(const std::string& action, bool nullable) {
  const std::string a = lower(action);
  if (a == "cascade") return "cascade";
  if (a == "set null" && nullable) return "set_null";
  if (a == "restrict") return "restrict";
  if (a == "set default") return "set_default";
  return "do_nothing";
}

template <class T>
ir::Spanned<T> spanned(T v) {
  ir::Spanned<T> s;
  s.value = std::move(v);
  return s;
}

// What one table becomes.
struct Plan {
  const DbTable* table = nullptr;
  std::string model;         // empty: not a model (skipped or a link table)
  std::string skipped;       // why it is not a model (a comment), when it is skipped
  std::string pk;            // the primary key column
  bool link = false;         // a link table: a many_to_many on `link_owner`
  const DbForeignKey* link_source = nullptr;
  const DbForeignKey* link_target = nullptr;
};

}  // namespace

std::string model_file(const DbSchema& schema, std::string ns, const std::string& source) {
  std::vector<const DbTable*> tables;
  for (const DbTable& t : schema.tables)
    if (t.name != "aorm_migrations" && !t.name.starts_with("sqlite_")) tables.push_back(&t);
  std::sort(tables.begin(), tables.end(), [](const DbTable* a, const DbTable* b) { return a->name < b->name; });

  if (ns.empty()) {
    std::set<std::string> prefixes;
    for (const DbTable* t : tables) prefixes.insert(t->name.substr(0, t->name.find('_')));
    ns = prefixes.size() == 1 && tables.front()->name.find('_') != std::string::npos && is_identifier(*prefixes.begin())
             ? *prefixes.begin()
             : "app";
  }
  const std::string prefix = ns + "_";

  // Pass 1: which tables are models, and their names and keys.
  std::vector<Plan> plans;
  std::map<std::string, Plan*> by_table;
  std::set<std::string> model_names;
  plans.reserve(tables.size());
  for (const DbTable* t : tables) {
    Plan p;
    p.table = t;
    std::vector<const DbColumn*> pk;
    for (const DbColumn& c : t->columns)
      if (c.pk > 0) pk.push_back(&c);
    if (pk.empty()) {
      p.skipped = "it has no primary key (aorm needs a single integer key)";
    } else if (pk.size() > 1) {
      p.skipped = "its primary key has " + std::to_string(pk.size()) + " columns (aorm needs a single integer key)";
    } else if (!integer_type(pk[0]->type)) {
      p.skipped = "its primary key '" + pk[0]->name + "' is " + pk[0]->type + " (aorm needs a single integer key)";
    } else {
      p.pk = pk[0]->name;
      std::string base = t->name.starts_with(prefix) ? t->name.substr(prefix.size()) : t->name;
      std::string name = pascal(base);
      while (model_names.contains(name)) name += "_";
      model_names.insert(name);
      p.model = name;
    }
    plans.push_back(std::move(p));
  }
  for (Plan& p : plans) by_table[p.table->name] = &p;
  auto model_of = [&](const std::string& table) -> const Plan* {
    auto it = by_table.find(table);
    return it == by_table.end() || it->second->model.empty() || it->second->link ? nullptr : it->second;
  };
  // A foreign key to a modeled table's key.
  auto reference = [&](const DbTable& t, const DbColumn& c) -> const DbForeignKey* {
    for (const DbForeignKey& fk : t.foreign_keys) {
      if (fk.column != c.name) continue;
      const Plan* target = model_of(fk.table);
      if (target && (fk.to_column.empty() || fk.to_column == target->pk)) return &fk;
    }
    return nullptr;
  };

  // Pass 2: link tables.
  for (Plan& p : plans) {
    if (p.model.empty() || p.pk != "id" || p.table->columns.size() != 3) continue;
    const DbTable& t = *p.table;
    std::vector<const DbForeignKey*> fks;
    for (const DbColumn& c : t.columns)
      if (c.pk == 0 && c.not_null)
        if (const DbForeignKey* fk = reference(t, c)) fks.push_back(fk);
    if (fks.size() != 2) continue;
    const bool unique_pair = std::any_of(t.indexes.begin(), t.indexes.end(), [&](const DbIndex& i) {
      return i.unique && i.columns == std::vector<std::string>{fks[0]->column, fks[1]->column};
    });
    const Plan* source = model_of(fks[0]->table);
    const Plan* target = model_of(fks[1]->table);
    if (!unique_pair || !source || !target || source == &p || target == &p) continue;
    const std::string ss = names::snake_case(source->model), ts = names::snake_case(target->model);
    const bool self = source == target;
    if (fks[0]->column != (self ? "from_" + ss + "_id" : ss + "_id") ||
        fks[1]->column != (self ? "to_" + ss + "_id" : ts + "_id"))
      continue;
    p.link = true;
    p.link_source = fks[0];
    p.link_target = fks[1];
    model_names.erase(p.model);
  }

  Printer out;
  out.emit({{"source", source}, {"ns", migrate::yaml_scalar(ns)}}, R"yaml(
    # Written by aormc inspectdb from $source$. Review it: field names, related names and
    # on_delete (aorm's own tables have no ON DELETE in the database: do_nothing here) are
    # guesses; defaults, choices and auto_now are not in the database at all.
    namespace: $ns$
    models:
  )yaml");
  auto models_scope = out.indent();
  for (const Plan& p : plans) {
    const DbTable& t = *p.table;
    if (!p.skipped.empty()) {
      out.emit({{"table", t.name}, {"why", p.skipped}}, "# table $table$ is not a model: $why$\n");
      continue;
    }
    if (p.link) continue;
    out.emit({{"model", p.model}}, "$model$:\n");
    auto model_scope = out.indent();
    out.emit("fields:\n");
    std::set<std::string> field_names;
    std::vector<std::pair<std::string, std::string>> lines;  // comment, field line
    std::map<std::string, std::string> field_of_column;
    // Which single columns are unique / indexed, and the several-column indexes.
    std::set<std::string> unique_columns, indexed_columns;
    std::vector<const DbIndex*> multi_unique, multi_index;
    for (const DbIndex& i : t.indexes) {
      if (i.primary) continue;
      if (i.columns.size() == 1) (i.unique ? unique_columns : indexed_columns).insert(i.columns[0]);
      else (i.unique ? multi_unique : multi_index).push_back(&i);
    }
    std::map<std::string, int> targets;  // for related names: foreign keys per target model
    for (const DbColumn& c : t.columns)
      if (const DbForeignKey* fk = c.pk == 0 ? reference(t, c) : nullptr) ++targets[model_of(fk->table)->model];
    {
      auto fields_scope = out.indent();
      for (const DbColumn& c : t.columns) {
        ir::FieldSpec f;
        std::string comment;
        std::string name;
        if (c.name == p.pk) {
          if (c.name == "id") {
            field_of_column[c.name] = "id";
            continue;  // aorm's implicit key
          }
          name = field_name(c.name);
          f.type = spanned<std::string>("int64");
          f.primary_key = spanned(true);
        } else if (const DbForeignKey* fk = reference(t, c)) {
          const Plan* target = model_of(fk->table);
          const bool one = unique_columns.contains(c.name);
          name = c.name.ends_with("_id") && c.name.size() > 3 ? field_name(c.name.substr(0, c.name.size() - 3))
                                                              : field_name(c.name);
          f.type = spanned<std::string>(one ? "one_to_one" : "foreign_key");
          f.to = spanned(target->model);
          f.on_delete = spanned(on_delete_of(fk->on_delete, !c.not_null));
          if (!c.not_null) f.null = spanned(true);
          if (targets[target->model] > 1)
            f.related_name = spanned(names::snake_case(p.model) + "_" + name + (one ? "" : "_set"));
          if (name + "_id" != c.name) f.db_column = spanned(c.name);
          // foreign keys are indexed by aorm anyway
        } else {
          name = field_name(c.name);
          std::optional<Mapped> m = map_type(c.type);
          for (const DbForeignKey& fk : t.foreign_keys)
            if (fk.column == c.name)
              comment = "references " + fk.table + (fk.to_column.empty() ? "" : "(" + fk.to_column + ")") +
                        ", which is not a model here: a plain column";
          if (!m) {
            comment = "was " + (c.type.empty() ? std::string("untyped") : c.type) + ", a type aorm lacks: read as text";
            m = Mapped{"text"};
          }
          f.type = spanned(m->type);
          if (m->max_length) f.max_length = spanned(m->max_length);
          if (m->type == "decimal") {
            f.max_digits = spanned(m->max_digits);
            f.decimal_places = spanned(m->decimal_places);
          }
          if (!c.not_null) f.null = spanned(true);
          if (unique_columns.contains(c.name)) f.unique = spanned(true);
          if (indexed_columns.contains(c.name)) f.index = spanned(true);
          if (name != c.name) f.db_column = spanned(c.name);
        }
        while (field_names.contains(name) || name == "id") name += "_";
        field_names.insert(name);
        field_of_column[c.name] = name;
        if (!comment.empty()) out.emit({{"comment", comment}}, "# $comment$\n");
        out.emit({{"name", migrate::yaml_scalar(name)}, {"spec", migrate::field_yaml(f)}}, "$name$: $spec$\n");
      }
      // Link tables owned by this model.
      for (const Plan& l : plans) {
        if (!l.link || model_of(l.link_source->table) != &p) continue;
        const Plan* target = model_of(l.link_target->table);
        ir::FieldSpec f;
        std::string name = l.table->name.starts_with(t.name + "_") ? field_name(l.table->name.substr(t.name.size() + 1))
                                                                   : field_name(l.table->name);
        while (field_names.contains(name) || name == "id") name += "_";
        field_names.insert(name);
        f.type = spanned<std::string>("many_to_many");
        f.to = spanned(target->model);
        if (l.table->name != t.name + "_" + name) f.db_table = spanned(l.table->name);
        if (targets[target->model] > 0 || target == &p)
          f.related_name = spanned(names::snake_case(p.model) + "_" + name + "_set");
        out.emit({{"name", migrate::yaml_scalar(name)}, {"spec", migrate::field_yaml(f)}}, "$name$: $spec$\n");
      }
    }
    const std::string default_table = prefix + names::snake_case(p.model);
    auto names_of = [&](const DbIndex& i) {
      std::string list = "[";
      for (std::size_t k = 0; k < i.columns.size(); ++k) {
        auto it = field_of_column.find(i.columns[k]);
        list += (k ? ", " : "") + migrate::yaml_scalar(it == field_of_column.end() ? i.columns[k] : it->second);
      }
      return list + "]";
    };
    // aorm's own several-column indexes are on fields; indexes on foreign key columns
    // alone come back by themselves.
    if (t.name != default_table || !multi_unique.empty() || !multi_index.empty()) {
      out.emit("meta:\n");
      auto meta_scope = out.indent();
      if (t.name != default_table) out.emit({{"table", migrate::yaml_scalar(t.name)}}, "table: $table$\n");
      for (auto [key, list] : {std::pair{"indexes", &multi_index}, std::pair{"unique_together", &multi_unique}}) {
        if (list->empty()) continue;
        std::string all;
        for (const DbIndex* i : *list) all += (all.empty() ? "" : ", ") + names_of(*i);
        out.emit({{"key", key}, {"all", all}}, "$key$: [$all$]\n");
      }
    }
  }
  return out.str();
}

}  // namespace aormc::introspect
