#include "ir/resolve.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>

#include "names/names.hpp"

namespace aormc::ir {

namespace {

using diag::Location;
using diag::Note;

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Members every generated model struct has; a field with one of these names would clash.
constexpr std::string_view kReservedMembers[] = {
    "objects", "f", "pk", "Fields", "DoesNotExist", "MultipleObjectsReturned",
    "asave", "adelete", "arefresh_from_db",
};

bool is_reserved_member(std::string_view name) {
  return std::find(std::begin(kReservedMembers), std::end(kReservedMembers), name) !=
         std::end(kReservedMembers);
}

// Which field types an option applies to (options not listed apply to every type).
bool option_applies(std::string_view option, FieldType t) {
  const bool m2m = t == FieldType::many_to_many;
  const bool fk = t == FieldType::foreign_key || t == FieldType::one_to_one;
  if (option == "null" || option == "default" || option == "unique" || option == "index" ||
      option == "db_column")
    return !m2m;
  if (option == "primary_key") return !is_relation(t);
  if (option == "choices") return t == FieldType::string || t == FieldType::text;
  if (option == "max_length") return t == FieldType::string;
  if (option == "max_digits" || option == "decimal_places") return t == FieldType::decimal;
  if (option == "auto_now" || option == "auto_now_add")
    return t == FieldType::date || t == FieldType::datetime || t == FieldType::time;
  if (option == "on_delete") return fk;
  if (option == "to" || option == "related_name") return is_relation(t);
  if (option == "db_table" || option == "through") return m2m;
  return true;
}

// The options a field spec uses, with where each was written.
std::vector<std::pair<std::string_view, Location>> used_options(const FieldSpec& fs) {
  std::vector<std::pair<std::string_view, Location>> out;
  auto add = [&](std::string_view name, const auto& opt) {
    if (opt) out.emplace_back(name, opt->where);
  };
  add("null", fs.null);
  add("default", fs.default_value);
  add("unique", fs.unique);
  add("index", fs.index);
  add("primary_key", fs.primary_key);
  add("choices", fs.choices);
  add("max_length", fs.max_length);
  add("max_digits", fs.max_digits);
  add("decimal_places", fs.decimal_places);
  add("db_column", fs.db_column);
  add("auto_now", fs.auto_now);
  add("auto_now_add", fs.auto_now_add);
  add("on_delete", fs.on_delete);
  add("related_name", fs.related_name);
  add("db_table", fs.db_table);
  add("through", fs.through);
  add("to", fs.to);
  return out;
}

// The hint for an unknown type: other languages' names first ("float" -> "double"), then
// the closest spelling.
std::string type_hint(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
      {"float", "double"},   {"int", "int64"},      {"integer", "int64"}, {"long", "int64"},
      {"boolean", "bool"},   {"str", "string"},     {"varchar", "string"}, {"char", "string"},
      {"fk", "foreign_key"}, {"blob", "bytes"},     {"timestamp", "datetime"},
      {"numeric", "decimal"}, {"m2m", "many_to_many"},
  };
  for (const auto& [alias, type] : kAliases)
    if (alias == name) return " (did you mean '" + std::string(type) + "'?)";
  return diag::did_you_mean(name, type_names());
}

bool flag(const std::optional<Spanned<bool>>& opt) { return opt && opt->value; }

// How a default is shown in a message: quoted text keeps its quotes.
std::string shown(const Scalar& s) { return s.quoted ? "\"" + s.text + "\"" : s.text; }

bool parse_integer(std::string_view text, std::int64_t& out) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

bool parse_floating(std::string_view text, std::string& normalized) {
  std::string s(text);
  if (s.empty()) return false;
  char* end = nullptr;
  double value = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || value != value ||
      value > std::numeric_limits<double>::max() || value < -std::numeric_limits<double>::max())
    return false;
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  if (s[0] == '+') s.erase(0, 1);
  normalized = s;
  return true;
}

// Would YAML read this plain scalar as something other than a string?
bool looks_non_string(std::string_view text) {
  if (text == "true" || text == "false" || text == "True" || text == "False" || text == "TRUE" ||
      text == "FALSE")
    return true;
  std::int64_t i = 0;
  std::string d;
  return parse_integer(text, i) || parse_floating(text, d);
}

class Resolver {
 public:
  Resolver(const ModelSetSpec& spec, diag::Diagnostics& diags) : spec_(spec), diags_(diags) {}

  std::optional<ModelSet> run() {
    out_.file = spec_.file;
    check_namespace();
    declare_models();
    for (std::size_t m = 0; m < out_.models.size(); ++m) resolve_fields(static_cast<int>(m));
    resolve_relations();
    for (std::size_t m = 0; m < out_.models.size(); ++m) resolve_meta(static_cast<int>(m));
    check_tables();
    resolve_related_names();
    if (diags_.has_errors()) return std::nullopt;
    return std::move(out_);
  }

 private:
  // A relation whose target is resolved once every model is known.
  struct PendingRelation {
    int model = -1;
    bool m2m = false;
    int index = -1;  // into columns or many_to_many
    const FieldSpec* spec = nullptr;
    bool broken = false;  // the field had an error: no reverse relation is derived from it
  };

  void error(const Location& where, std::string message, std::vector<Note> notes = {}) {
    diags_.error(where, std::move(message), std::move(notes));
  }

  Location file_location() const { return Location{spec_.file, 0, 0}; }

  void check_namespace() {
    const std::string& ns = spec_.ns.value;
    if (ns.empty()) {
      error(spec_.ns.where.line ? spec_.ns.where : file_location(),
            "missing 'namespace' (the C++ namespace of the generated code, e.g. 'namespace: blog')");
      return;
    }
    std::size_t start = 0;
    while (true) {
      std::size_t end = ns.find("::", start);
      std::string part = ns.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (!names::is_identifier(part) || names::is_cpp_keyword(part)) {
        error(spec_.ns.where, "namespace " + quoted(ns) + " is not a valid C++ namespace name");
        return;
      }
      if (end == std::string::npos) break;
      start = end + 2;
    }
    out_.ns = ns;
  }

  void declare_models() {
    if (spec_.models.empty() && !diags_.has_errors())
      error(file_location(), "no models (add a 'models:' map)");
    std::map<std::string, std::size_t> by_snake;
    const std::string prefix = names::namespace_prefix(spec_.ns.value);
    for (const ModelSpec& ms : spec_.models) {
      const std::string& name = ms.name.value;
      if (!names::is_identifier(name)) {
        error(ms.name.where, "model name " + quoted(name) + " is not a C++ identifier");
      } else if (names::is_cpp_keyword(name)) {
        error(ms.name.where, "model name " + quoted(name) + " is a C++ keyword");
      } else if (name == "app") {
        error(ms.name.where, "model name 'app' clashes with the generated '" + spec_.ns.value +
                                 "::app' (every model of the file)");
      }
      Model m;
      m.name = name;
      m.snake = names::snake_case(name);
      m.label = prefix + "." + name;
      m.table = ms.meta.table ? ms.meta.table->value : prefix + "_" + m.snake;
      m.where = ms.name.where;
      if (ms.renamed_from) m.renamed_from = ms.renamed_from->value;
      if (ms.meta.table && ms.meta.table->value.empty())
        error(ms.meta.table->where, "empty table name for model " + quoted(name));
      auto [it, inserted] = by_snake.emplace(m.snake, out_.models.size());
      if (!inserted) {
        const Model& other = out_.models[it->second];
        error(ms.name.where,
              "model " + quoted(name) + " has the same snake_case name as " + quoted(other.name) +
                  " ('" + m.snake + "')",
              {{other.where, quoted(other.name) + " declared here"}});
      }
      out_.models.push_back(std::move(m));
      specs_.push_back(&ms);
    }
  }

  int find_model(std::string_view name) const {
    for (std::size_t i = 0; i < out_.models.size(); ++i)
      if (out_.models[i].name == name) return static_cast<int>(i);
    return -1;
  }

  std::vector<std::string> model_names() const {
    std::vector<std::string> out;
    for (const Model& m : out_.models) out.push_back(m.name);
    return out;
  }

  // Checks a field name; reports and returns false when it cannot be a member.
  bool check_field_name(const Spanned<std::string>& name) {
    const std::string& n = name.value;
    if (!names::is_identifier(n)) {
      error(name.where, "field name " + quoted(n) + " is not a C++ identifier",
            {{name.where, "rename the field and keep the column name with 'db_column: " + n + "'"}});
      return false;
    }
    if (names::is_cpp_keyword(n)) {
      error(name.where, "field name " + quoted(n) + " is a C++ keyword",
            {{name.where, "rename the field and keep the column name with 'db_column: " + n + "'"}});
      return false;
    }
    if (is_reserved_member(n)) {
      error(name.where,
            "field name " + quoted(n) + " clashes with the generated member " + quoted(n),
            {{name.where, "rename the field and keep the column name with 'db_column: " + n + "'"}});
      return false;
    }
    if (n.find("__") != std::string::npos) {
      error(name.where, "field name " + quoted(n) + " contains '__' (reserved for lookups)");
      return false;
    }
    return true;
  }

  void resolve_fields(int mi) {
    Model& model = out_.models[mi];
    const ModelSpec& ms = *specs_[mi];

    // The primary key: the field marked primary_key, else an implicit `id`.
    const FieldSpec* pk_spec = nullptr;
    for (const FieldSpec& fs : ms.fields) {
      if (!flag(fs.primary_key)) continue;
      if (pk_spec) {
        error(fs.primary_key->where,
              "model " + quoted(model.name) + " has two primary keys: " +
                  quoted(pk_spec->name.value) + " and " + quoted(fs.name.value),
              {{pk_spec->name.where, "first primary key " + quoted(pk_spec->name.value) + " here"}});
      } else {
        pk_spec = &fs;
      }
    }
    if (!pk_spec) {
      Field id;
      id.name = "id";
      id.column = "id";
      id.type = FieldType::int64;
      id.primary_key = true;
      id.auto_increment = true;
      id.where = model.where;
      model.columns.push_back(std::move(id));
    }

    for (const FieldSpec& fs : ms.fields) {
      if (!pk_spec && fs.name.value == "id") {
        error(fs.name.where,
              "field 'id' clashes with the implicit primary key of " + quoted(model.name),
              {{fs.name.where, "add 'primary_key: true' to make it the primary key, or rename it"}});
        continue;
      }
      resolve_field(mi, fs, &fs == pk_spec);
    }
    if (pk_spec) model.pk = model.find_column(pk_spec->name.value);
    if (model.pk < 0) model.pk = 0;  // the pk field had an error already

    // Columns must be distinct; enum names must not clash with members or models.
    std::map<std::string, const Field*> by_column;
    for (const Field& f : model.columns) {
      auto [it, inserted] = by_column.emplace(f.column, &f);
      if (!inserted)
        error(f.where,
              "column " + quoted(f.column) + " of field " + quoted(f.name) +
                  " is already used by field " + quoted(it->second->name),
              {{it->second->where, quoted(it->second->name) + " declared here"}});
      if (f.enum_name.empty()) continue;
      bool clashes_member = std::any_of(model.columns.begin(), model.columns.end(),
                                        [&](const Field& g) { return g.name == f.enum_name; });
      if (clashes_member || find_model(f.enum_name) >= 0)
        error(f.where, "the choices enum " + quoted(f.enum_name) + " of field " + quoted(f.name) +
                           " clashes with " + (clashes_member ? "a field" : "a model") +
                           " of the same name");
    }
  }

  void resolve_field(int mi, const FieldSpec& fs, bool is_pk) {
    Model& model = out_.models[mi];
    const std::string& name = fs.name.value;
    const std::size_t errors_before = diags_.error_count();
    if (!check_field_name(fs.name) || fs.broken) return;
    if (!fs.type) {
      error(fs.name.where, "field " + quoted(name) + " has no type",
            {{fs.name.where, "give it one, e.g. '" + name + ": { type: string, max_length: 100 }'"}});
      return;
    }
    std::optional<FieldType> type = parse_type(fs.type->value);
    if (!type) {
      error(fs.type->where, "unknown field type " + quoted(fs.type->value) + type_hint(fs.type->value));
      return;  // every other check depends on the type
    }
    bool ok = true;
    for (const auto& [option, where] : used_options(fs)) {
      if (!option_applies(option, *type)) {
        error(where, "option " + quoted(option) + " does not apply to " +
                         std::string(type_name(*type)) + " field " + quoted(name));
        ok = false;
      }
    }
    if (!ok) return;

    if (*type == FieldType::many_to_many) {
      ManyToMany m;
      m.name = name;
      m.where = fs.name.where;
      model.many_to_many.push_back(std::move(m));
      pending_.push_back({mi, true, static_cast<int>(model.many_to_many.size()) - 1, &fs,
                          diags_.error_count() != errors_before});
      return;
    }

    Field f;
    f.name = name;
    f.type = *type;
    f.where = fs.name.where;
    f.nullable = flag(fs.null);
    f.unique = flag(fs.unique) || *type == FieldType::one_to_one;
    f.index = flag(fs.index);
    f.auto_now = flag(fs.auto_now);
    f.auto_now_add = flag(fs.auto_now_add);
    if (fs.renamed_from) f.renamed_from = fs.renamed_from->value;
    const bool fk = *type == FieldType::foreign_key || *type == FieldType::one_to_one;
    f.column = fs.db_column ? fs.db_column->value : fk ? name + "_id" : name;
    if (fs.db_column && fs.db_column->value.empty())
      error(fs.db_column->where, "empty db_column for field " + quoted(name));

    if (is_pk) {
      f.primary_key = true;
      f.auto_increment = true;
      if (*type != FieldType::int64)
        error(fs.primary_key->where,
              "primary key " + quoted(name) + " must be int64 (the only primary key type aorm supports)");
      if (f.nullable)
        error(fs.null->where, "primary key " + quoted(name) + " cannot be null: true");
    }
    if (f.auto_now && f.auto_now_add)
      error(fs.auto_now_add->where, "field " + quoted(name) + " sets both auto_now and auto_now_add");
    if ((f.auto_now || f.auto_now_add) && fs.default_value)
      error(fs.default_value->where,
            "field " + quoted(name) + " sets both " + (f.auto_now ? "auto_now" : "auto_now_add") +
                " and default");

    if (fs.max_length) {
      if (fs.max_length->value <= 0)
        error(fs.max_length->where, "max_length of field " + quoted(name) + " must be positive");
      f.max_length = fs.max_length->value;
    }
    if (fs.choices) resolve_choices(f, fs);
    if (*type == FieldType::string && !fs.max_length) {
      if (f.choices.empty()) {
        error(fs.type->where, "string field " + quoted(name) + " needs max_length",
              {{fs.type->where, "use 'type: text' for text without a length limit"}});
      } else {
        // A string with choices is as long as its longest choice.
        for (const Choice& c : f.choices)
          f.max_length = std::max(f.max_length, static_cast<int>(c.value.size()));
      }
    }
    if (*type == FieldType::decimal) {
      if (!fs.max_digits || !fs.decimal_places) {
        error(fs.type->where, "decimal field " + quoted(name) + " needs " +
                                  (!fs.max_digits && !fs.decimal_places ? "max_digits and decimal_places"
                                   : !fs.max_digits                     ? "max_digits"
                                                                        : "decimal_places"));
      } else {
        f.max_digits = fs.max_digits->value;
        f.decimal_places = fs.decimal_places->value;
        if (f.max_digits <= 0)
          error(fs.max_digits->where, "max_digits of field " + quoted(name) + " must be positive");
        else if (f.decimal_places < 0 || f.decimal_places > f.max_digits)
          error(fs.decimal_places->where, "decimal_places of field " + quoted(name) +
                                              " must be between 0 and max_digits (" +
                                              std::to_string(f.max_digits) + ")");
      }
    }
    if (fk) {
      if (!fs.on_delete) {
        error(fs.type->where, std::string(type_name(*type)) + " field " + quoted(name) +
                                  " needs on_delete (cascade, protect, restrict, set_null, "
                                  "set_default or do_nothing)");
      } else {
        bool known = false;
        for (std::string_view spelling : on_delete_names()) {
          if (spelling != fs.on_delete->value) continue;
          known = true;
          for (auto d : {OnDelete::cascade, OnDelete::protect, OnDelete::restrict_,
                         OnDelete::set_null, OnDelete::set_default, OnDelete::do_nothing})
            if (on_delete_name(d) == spelling) f.on_delete = d;
        }
        if (!known) {
          error(fs.on_delete->where, "unknown on_delete " + quoted(fs.on_delete->value) +
                                         diag::did_you_mean(fs.on_delete->value, on_delete_names()));
        } else if (f.on_delete == OnDelete::set_null && !f.nullable) {
          error(fs.on_delete->where, "on_delete: set_null needs 'null: true' on field " + quoted(name));
        } else if (f.on_delete == OnDelete::set_default && !fs.default_value) {
          error(fs.on_delete->where, "on_delete: set_default needs a default on field " + quoted(name));
        }
      }
    }
    if (fs.default_value) resolve_default(f, *fs.default_value);
    model.columns.push_back(std::move(f));
    if (fk)
      pending_.push_back({mi, false, static_cast<int>(model.columns.size()) - 1, &fs,
                          diags_.error_count() != errors_before});
  }

  void resolve_choices(Field& f, const FieldSpec& fs) {
    const auto& choices = *fs.choices;
    if (choices.value.empty()) {
      error(choices.where, "choices of field " + quoted(f.name) + " is empty");
      return;
    }
    std::map<std::string, const Spanned<std::string>*> by_value, by_enumerator;
    for (const Spanned<std::string>& c : choices.value) {
      if (c.value.empty()) {
        error(c.where, "empty choice in field " + quoted(f.name));
        continue;
      }
      if (auto [it, inserted] = by_value.emplace(c.value, &c); !inserted) {
        error(c.where, "duplicate choice " + quoted(c.value) + " in field " + quoted(f.name),
              {{it->second->where, "first listed here"}});
        continue;
      }
      std::string e = names::enumerator(c.value);
      if (auto [it, inserted] = by_enumerator.emplace(e, &c); !inserted) {
        error(c.where,
              "choices " + quoted(it->second->value) + " and " + quoted(c.value) +
                  " both become the enumerator " + quoted(e),
              {{it->second->where, quoted(it->second->value) + " listed here"}});
        continue;
      }
      if (fs.max_length && static_cast<int>(c.value.size()) > fs.max_length->value)
        error(c.where, "choice " + quoted(c.value) + " is longer than max_length (" +
                           std::to_string(fs.max_length->value) + ")");
      f.choices.push_back({c.value, e});
    }
    f.enum_name = names::pascal_case(f.name);
    if (fs.enum_name && fs.enum_name->value != f.enum_name)
      error(fs.enum_name->where, "the choices enum of field " + quoted(f.name) + " must be named " +
                                     quoted(f.enum_name) + ", not " + quoted(fs.enum_name->value),
            {{fs.enum_name->where, "the generated struct names a field's enum after the field"}});
  }

  void resolve_default(Field& f, const Scalar& s) {
    Default d;
    const std::string what = std::string(type_name(f.type)) + " field " + quoted(f.name);
    if (s.is_null) {
      if (!f.nullable)
        error(s.where, "default of " + what + " is null, but the field is not 'null: true'");
      d.kind = Default::Kind::null;
      f.default_value = d;
      return;
    }
    std::int64_t i = 0;
    switch (f.type) {
      case FieldType::boolean:
        if (!s.quoted && (s.text == "true" || s.text == "True" || s.text == "TRUE")) {
          d = {Default::Kind::boolean, "true"};
        } else if (!s.quoted && (s.text == "false" || s.text == "False" || s.text == "FALSE")) {
          d = {Default::Kind::boolean, "false"};
        } else {
          error(s.where, "default " + shown(s) + " of " + what + " is not true or false");
          return;
        }
        break;
      case FieldType::int32:
      case FieldType::int64:
      case FieldType::foreign_key:
      case FieldType::one_to_one:
        if (s.quoted || !parse_integer(s.text, i)) {
          error(s.where, "default " + shown(s) + " of " + what + " is not an integer");
          return;
        }
        if (f.type == FieldType::int32 && (i < std::numeric_limits<std::int32_t>::min() ||
                                           i > std::numeric_limits<std::int32_t>::max())) {
          error(s.where, "default " + shown(s) + " of " + what + " does not fit in int32");
          return;
        }
        d = {Default::Kind::integer, std::to_string(i)};
        break;
      case FieldType::float64: {
        std::string text;
        if (s.quoted || !parse_floating(s.text, text)) {
          error(s.where, "default " + shown(s) + " of " + what + " is not a number");
          return;
        }
        d = {Default::Kind::floating, text};
        break;
      }
      case FieldType::string:
      case FieldType::text:
        if (!f.choices.empty()) {
          auto it = std::find_if(f.choices.begin(), f.choices.end(),
                                 [&](const Choice& c) { return c.value == s.text; });
          if (it == f.choices.end()) {
            std::vector<std::string> values;
            for (const Choice& c : f.choices) values.push_back(c.value);
            error(s.where, "default " + shown(s) + " of field " + quoted(f.name) +
                               " is not one of its choices" + diag::did_you_mean(s.text, values));
            return;
          }
          d = {Default::Kind::enumerator, it->enumerator};
        } else {
          if (!s.quoted && looks_non_string(s.text)) {
            error(s.where, "default " + shown(s) + " of " + what + " is not a string",
                  {{s.where, "quote it to make it a string: \"" + s.text + "\""}});
            return;
          }
          if (f.max_length > 0 && static_cast<int>(s.text.size()) > f.max_length) {
            error(s.where, "default " + shown(s) + " of " + what + " is longer than max_length (" +
                               std::to_string(f.max_length) + ")");
            return;
          }
          d = {Default::Kind::string, s.text};
        }
        break;
      default:
        error(s.where, "defaults are not supported for " + std::string(type_name(f.type)) +
                           " fields (field " + quoted(f.name) + ")");
        return;
    }
    f.default_value = d;
  }

  void resolve_relations() {
    const std::vector<std::string> models = model_names();
    // Foreign keys first: a many_to_many `through` model is found by its foreign keys.
    for (bool m2m : {false, true}) {
      for (PendingRelation& p : pending_)
        if (p.m2m == m2m) resolve_relation(p, models);
    }
  }

  void resolve_relation(PendingRelation& p, const std::vector<std::string>& models) {
    const FieldSpec& fs = *p.spec;
    Model& model = out_.models[p.model];
    if (!fs.to) {
      error(fs.type->where, fs.type->value + " field " + quoted(fs.name.value) +
                                " needs 'to: <Model>' (the model it refers to)");
      return;
    }
    int target = find_model(fs.to->value);
    if (target < 0) {
      error(fs.to->where, "unknown model " + quoted(fs.to->value) + " in field " +
                              quoted(model.name + "." + fs.name.value) +
                              diag::did_you_mean(fs.to->value, models));
      return;
    }
    if (!p.m2m) {
      model.columns[p.index].target = target;
      return;
    }
    ManyToMany& m = model.many_to_many[p.index];
    m.target = target;
    const Model& to = out_.models[target];
    if (fs.through) {
      resolve_through(p.model, m, fs);
      return;
    }
    m.table = fs.db_table ? fs.db_table->value : model.table + "_" + m.name;
    if (p.model == target) {
      m.source_column = "from_" + model.snake + "_id";
      m.target_column = "to_" + model.snake + "_id";
    } else {
      m.source_column = model.snake + "_id";
      m.target_column = to.snake + "_id";
    }
  }

  void resolve_through(int mi, ManyToMany& m, const FieldSpec& fs) {
    const Model& model = out_.models[mi];
    if (fs.db_table)
      error(fs.db_table->where, "field " + quoted(m.name) + " sets both db_table and through");
    int through = find_model(fs.through->value);
    if (through < 0) {
      error(fs.through->where, "unknown model " + quoted(fs.through->value) + " in 'through' of field " +
                                   quoted(model.name + "." + m.name) +
                                   diag::did_you_mean(fs.through->value, model_names()));
      return;
    }
    const Model& link = out_.models[through];
    m.through = through;
    m.table = link.table;
    // The through model's foreign keys to the source and to the target, in declaration
    // order (for a relation to the same model: the first is the source).
    const Field* source = nullptr;
    const Field* target = nullptr;
    for (const Field& f : link.columns) {
      if (f.target < 0) continue;
      if (f.target == mi && !source) {
        source = &f;
      } else if (f.target == m.target && !target) {
        target = &f;
      }
    }
    if (!source || !target) {
      error(fs.through->where,
            "through model " + quoted(link.name) + " needs a foreign_key to " +
                quoted(!source ? model.name : out_.models[m.target].name));
      return;
    }
    m.source_column = source->column;
    m.target_column = target->column;
  }

  // A field name in meta: a member name (or its column); reports unknown names.
  int meta_column(int mi, const Spanned<std::string>& name, std::string_view where_in_meta) {
    const Model& model = out_.models[mi];
    int c = model.find_column(name.value);
    if (c >= 0) return c;
    for (std::size_t i = 0; i < model.columns.size(); ++i)
      if (model.columns[i].column == name.value) return static_cast<int>(i);
    if (is_declared_field(mi, name.value)) {
      bool m2m = std::any_of(model.many_to_many.begin(), model.many_to_many.end(),
                             [&](const ManyToMany& m) { return m.name == name.value; });
      if (m2m)
        error(name.where, std::string(where_in_meta) + " of " + quoted(model.name) +
                              " cannot use the many_to_many field " + quoted(name.value));
      return -1;  // a field that had an error of its own
    }
    std::vector<std::string> names;
    for (const Field& f : model.columns) names.push_back(f.name);
    error(name.where, "unknown field " + quoted(name.value) + " in " + std::string(where_in_meta) +
                          " of " + quoted(model.name) + diag::did_you_mean(name.value, names));
    return -1;
  }

  bool is_declared_field(int mi, std::string_view name) const {
    const ModelSpec& ms = *specs_[mi];
    return std::any_of(ms.fields.begin(), ms.fields.end(),
                       [&](const FieldSpec& fs) { return fs.name.value == name; });
  }

  std::optional<OrderTerm> order_term(int mi, const Spanned<std::string>& term,
                                      std::string_view where_in_meta) {
    Spanned<std::string> name = term;
    bool desc = false;
    if (!name.value.empty() && name.value[0] == '-') {
      desc = true;
      name.value.erase(0, 1);
    }
    int c = meta_column(mi, name, where_in_meta);
    if (c < 0) return std::nullopt;
    return OrderTerm{c, desc};
  }

  void add_index(Model& model, std::vector<int> columns, bool unique) {
    for (const Index& existing : model.indexes)
      if (existing.columns == columns && existing.unique == unique) return;
    std::vector<std::string> names;
    for (int c : columns) names.push_back(model.columns[c].column);
    model.indexes.push_back({index_name(model.table, names, unique ? "uniq" : "idx"),
                             std::move(columns), unique});
  }

  void resolve_meta(int mi) {
    Model& model = out_.models[mi];
    const MetaSpec& meta = specs_[mi]->meta;
    if (meta.ordering) {
      for (const Spanned<std::string>& term : meta.ordering->value)
        if (auto t = order_term(mi, term, "meta.ordering")) model.ordering.push_back(*t);
    }
    if (meta.get_latest_by) model.get_latest_by = order_term(mi, *meta.get_latest_by, "meta.get_latest_by");

    // Indexes: index: true and foreign keys (unique columns have one already), then meta.
    for (std::size_t c = 0; c < model.columns.size(); ++c) {
      const Field& f = model.columns[c];
      if (f.primary_key || f.unique) continue;
      if (f.index || f.type == FieldType::foreign_key) add_index(model, {static_cast<int>(c)}, false);
    }
    auto add_lists = [&](const std::vector<NameList>& lists, bool unique, std::string_view what) {
      for (const NameList& list : lists) {
        if (list.value.empty()) {
          error(list.where, "empty field list in " + std::string(what) + " of " + quoted(model.name));
          continue;
        }
        std::vector<int> columns;
        bool ok = true;
        for (const Spanned<std::string>& name : list.value) {
          int c = meta_column(mi, name, what);
          if (c < 0) {
            ok = false;
          } else if (std::find(columns.begin(), columns.end(), c) != columns.end()) {
            error(name.where, "field " + quoted(name.value) + " appears twice in " + std::string(what));
            ok = false;
          } else {
            columns.push_back(c);
          }
        }
        if (ok) add_index(model, std::move(columns), unique);
      }
    };
    add_lists(meta.indexes, false, "meta.indexes");
    add_lists(meta.unique_together, true, "meta.unique_together");
  }

  void check_tables() {
    std::map<std::string, Location> tables;
    auto claim = [&](const std::string& table, const Location& where, const std::string& what) {
      auto [it, inserted] = tables.emplace(table, where);
      if (!inserted)
        error(where, what + " uses the table " + quoted(table) + ", which is already used",
              {{it->second, quoted(table) + " first used here"}});
    };
    for (std::size_t mi = 0; mi < out_.models.size(); ++mi) {
      const Model& m = out_.models[mi];
      const ModelSpec& ms = *specs_[mi];
      claim(m.table, ms.meta.table ? ms.meta.table->where : m.where, "model " + quoted(m.name));
    }
    for (const Model& m : out_.models)
      for (const ManyToMany& m2m : m.many_to_many)
        if (m2m.through < 0 && !m2m.table.empty())
          claim(m2m.table, m2m.where, "the link table of " + quoted(m.name + "." + m2m.name));
  }

  // Reverse accessors: `related_name`, else Django's default (`<model>_set`, or `<model>`
  // for one_to_one). "+" hides the reverse relation. Clashes are errors.
  void resolve_related_names() {
    for (const PendingRelation& p : pending_) {
      Model& model = out_.models[p.model];
      const FieldSpec& fs = *p.spec;
      int target = p.m2m ? model.many_to_many[p.index].target : model.columns[p.index].target;
      if (target < 0 || p.broken) continue;
      std::string name;
      if (fs.related_name) {
        name = fs.related_name->value;
      } else {
        name = fs.type->value == "one_to_one" ? model.snake : model.snake + "_set";
      }
      if (name == "+") continue;
      const Location where = fs.related_name ? fs.related_name->where : fs.name.where;
      const std::string field = quoted(model.name + "." + fs.name.value);
      if (!names::is_identifier(name) || names::is_cpp_keyword(name) || is_reserved_member(name)) {
        error(where, "related name " + quoted(name) + " of field " + field +
                         " cannot be a member name of " + quoted(out_.models[target].name));
        continue;
      }
      Model& to = out_.models[target];
      if (to.find_column(name) >= 0 ||
          std::any_of(to.many_to_many.begin(), to.many_to_many.end(),
                      [&](const ManyToMany& m) { return m.name == name; })) {
        error(where,
              "related name " + quoted(name) + " of field " + field + " clashes with the field " +
                  quoted(to.name + "." + name),
              {{where, "set another related_name on " + field + " (or '+' for none)"}});
        continue;
      }
      auto clash = std::find_if(to.reverse.begin(), to.reverse.end(),
                                [&](const ReverseRelation& r) { return r.name == name; });
      if (clash != to.reverse.end()) {
        const Model& other = out_.models[clash->from_model];
        const Location other_where = reverse_where_.at({target, name});
        error(where,
              "related name " + quoted(name) + " of field " + field + " clashes with the one of " +
                  quoted(other.name + "." + clash->from_field) + " on model " + quoted(to.name),
              {{other_where, quoted(other.name + "." + clash->from_field) + " declared here"}});
        continue;
      }
      to.reverse.push_back({name, p.model, fs.name.value});
      reverse_where_[{target, name}] = where;
      if (p.m2m) {
        model.many_to_many[p.index].related_name = name;
      } else {
        model.columns[p.index].related_name = name;
      }
    }
  }

  const ModelSetSpec& spec_;
  diag::Diagnostics& diags_;
  ModelSet out_;
  std::vector<const ModelSpec*> specs_;  // parallel to out_.models
  std::vector<PendingRelation> pending_;
  std::map<std::pair<int, std::string>, Location> reverse_where_;
};

std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

}  // namespace

std::string index_name(std::string_view table, const std::vector<std::string>& columns,
                       std::string_view suffix) {
  std::string name(table);
  for (const std::string& c : columns) name += "_" + c;
  name += "_";
  name += suffix;
  constexpr std::size_t kMax = 63;
  if (name.size() <= kMax) return name;
  char hash[10];
  std::snprintf(hash, sizeof hash, "_%08x", fnv1a(name));
  return name.substr(0, kMax - 9 - suffix.size() - 1) + hash + "_" + std::string(suffix);
}

std::optional<ModelSet> resolve(const ModelSetSpec& spec, diag::Diagnostics& diags) {
  return Resolver(spec, diags).run();
}

}  // namespace aormc::ir
