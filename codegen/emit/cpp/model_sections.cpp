#include "emit/cpp/model_sections.hpp"

#include <algorithm>

#include "emit/cpp/types.hpp"
#include "emit/printer.hpp"
#include "names/names.hpp"

namespace aormc::emit::cpp {

namespace {

using ir::FieldType;
using names::cpp_string;

constexpr std::size_t kLineLimit = 100;

// `{a, b, c}` for items, wrapped before kLineLimit (counting `indent` columns already used
// on the line); continuation lines line up after the brace.
std::string braced(const std::vector<std::string>& items, std::size_t indent) {
  std::string out = "{";
  std::size_t column = indent + 1;
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string item = items[i] + (i + 1 < items.size() ? "," : "}");
    if (i > 0) {
      if (column + 1 + item.size() > kLineLimit) {
        out += "\n ";
        column = indent + 1;
      } else {
        out += " ";
        ++column;
      }
    }
    out += item;
    column += item.size();
  }
  if (items.empty()) out += "}";
  return out;
}

// The trailing comment of a member: the database facts a reader of the struct wants.
std::string member_comment(const ir::ModelSet& set, const ir::Field& f) {
  std::vector<std::string> facts;
  if (f.primary_key) facts.push_back(f.auto_increment ? "primary key, auto-increment" : "primary key");
  const bool fk = f.type == FieldType::foreign_key || f.type == FieldType::one_to_one;
  const std::string default_column = fk ? f.name + "_id" : f.name;
  if (fk) facts.push_back("column " + f.column);
  else if (f.column != default_column) facts.push_back("column " + f.column);
  if (f.type == FieldType::string && f.choices.empty()) facts.push_back("max_length " + std::to_string(f.max_length));
  if (f.type == FieldType::decimal)
    facts.push_back("decimal(" + std::to_string(f.max_digits) + ", " + std::to_string(f.decimal_places) + ")");
  if (f.type == FieldType::one_to_one) facts.push_back("one_to_one");
  else if (f.unique && !f.primary_key) facts.push_back("unique");
  if (f.index) facts.push_back("index");
  if (f.auto_now) facts.push_back("set on every save");
  if (f.auto_now_add) facts.push_back("set on insert");
  if (fk) {
    facts.push_back("on_delete " + std::string(ir::on_delete_name(f.on_delete)));
    facts.push_back(f.related_name.empty() ? "no reverse relation"
                                           : set.models[f.target].name + "." + f.related_name);
  }
  std::string out;
  for (const std::string& fact : facts) out += (out.empty() ? "" : ", ") + fact;
  return out;
}

// Lines "<code>  // <comment>" with the comments of a group lined up.
void emit_commented(Printer& p, const std::vector<std::pair<std::string, std::string>>& lines) {
  std::size_t width = 0;
  for (const auto& [code, comment] : lines)
    if (!comment.empty()) width = std::max(width, code.size());
  for (const auto& [code, comment] : lines) {
    if (comment.empty()) {
      p.emit({{"code", code}}, "$code$\n");
    } else {
      p.emit({{"code", code}, {"pad", std::string(width - code.size(), ' ')}, {"comment", comment}},
             "$code$$pad$  // $comment$\n");
    }
  }
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

// A reverse relation of a model, resolved: the reverse side of a foreign key (a set of the
// referencing rows), of a one_to_one (the one referencing row, or none) or of a
// many_to_many field.
struct Reverse {
  const ir::ReverseRelation* relation;
  const ir::Model* from;  // the model that declares the relation
  int column = -1;        // foreign key / one_to_one: its column in `from`
  int m2m = -1;           // many_to_many: its index in from.many_to_many

  bool one_to_one() const noexcept {
    return column >= 0 && from->columns[static_cast<std::size_t>(column)].type == FieldType::one_to_one;
  }
};

class ModelEmitter {
 public:
  ModelEmitter(const ir::ModelSet& set, int model)
      : set_(set), m_(set.models[model]), qualified_(qualified(set, m_)) {
    for (const ir::ReverseRelation& r : m_.reverse) {
      Reverse rev{&r, &set.models[r.from_model]};
      rev.column = rev.from->find_column(r.from_field);
      if (rev.column < 0)
        for (std::size_t i = 0; i < rev.from->many_to_many.size(); ++i)
          if (rev.from->many_to_many[i].name == r.from_field) rev.m2m = static_cast<int>(i);
      if (rev.column >= 0 || rev.m2m >= 0) reverse_.push_back(rev);
    }
  }

  ModelSections run() {
    ModelSections s;
    s.declaration = declaration();
    s.inline_definitions = inline_definitions();
    s.enum_traits = enum_traits();
    s.enum_functions = enum_functions();
    s.model_traits = model_traits();
    s.meta_tables = meta_tables();
    s.methods = methods();
    s.trait_definitions = trait_definitions();
    return s;
  }

 private:
  std::string declaration() {
    Printer p;
    p.emit({{"model", m_.name}, {"table", m_.table}}, R"cc(
      // $model$: a row of table "$table$".
      struct $model$ {
    )cc");
    {
      auto scope = p.indent();
      bool any_enum = false;
      for (const ir::Field& f : m_.columns) {
        if (f.enum_name.empty()) continue;
        std::vector<std::string> values, enumerators;
        for (const ir::Choice& c : f.choices) {
          values.push_back(cpp_string(c.value));
          enumerators.push_back(c.enumerator);
        }
        p.emit({{"field", f.name}, {"values", join(values, ", ")}}, "// The choices of `$field$`, stored as $values$.\n");
        p.emit({{"enum", f.enum_name}, {"enumerators", join(enumerators, ", ")}},
               "enum class $enum$ { $enumerators$ };\n");
        any_enum = true;
      }
      if (any_enum) p.emit("\n");

      std::vector<std::pair<std::string, std::string>> lines;
      for (const ir::Field& f : m_.columns)
        lines.emplace_back(member_type(set_, f) + " " + f.name + member_initializer(f) + ";",
                           member_comment(set_, f));
      for (const ir::ManyToMany& link : m_.many_to_many) {
        std::string comment = link.through >= 0 ? "through " + set_.models[link.through].name
                                                : "table " + link.table;
        if (!link.related_name.empty())
          comment += ", " + set_.models[link.target].name + "." + link.related_name;
        lines.emplace_back("aorm::ManyToMany<" + m_.name + ", " + set_.models[link.target].name +
                               "> " + link.name + "{};",
                           comment);
      }
      for (const Reverse& r : reverse_) {
        const std::string from = r.from->name;
        if (r.one_to_one()) {
          lines.emplace_back("aorm::RelatedObject<" + from + "> " + r.relation->name + "{};",
                             "reverse of " + from + "." + r.relation->from_field + " (one-to-one)");
        } else if (r.column >= 0) {
          lines.emplace_back("aorm::RelatedSet<" + from + "> " + r.relation->name + "{};",
                             "reverse of " + from + "." + r.relation->from_field);
        } else {
          lines.emplace_back("aorm::ManyToMany<" + m_.name + ", " + from + "> " + r.relation->name + "{};",
                             "reverse of " + from + "." + r.relation->from_field);
        }
      }
      emit_commented(p, lines);

      p.emit("\n");
      p.emit("struct Fields;\n");
      emit_commented(p, {{"template <class Root>", ""},
                         {"struct FieldsAt;", "the fields seen from queries over Root, through relations"}});
      emit_commented(p, {{"static const aorm::Manager<" + m_.name + "> objects;", m_.name + "::objects.filter(...)"},
                         {"static const Fields f;", m_.name + "::f.<field>: the columns in expressions"}});
      p.emit({{"model", m_.name}}, R"cc(
        struct DoesNotExist;
        struct MultipleObjectsReturned;

        aorm::Task<void> asave();  // INSERT when the primary key is 0, else UPDATE
        aorm::Task<aorm::DeleteResult> adelete();
        aorm::Task<void> arefresh_from_db();
      )cc");
    }
    p.emit("};\n");
    return p.str();
  }

  std::string inline_definitions() {
    Printer p;
    p.emit({{"model", m_.name}}, "struct $model$::Fields {\n");
    {
      auto scope = p.indent();
      for (std::size_t c = 0; c < m_.columns.size(); ++c) {
        const ir::Field& f = m_.columns[c];
        p.emit({{"model", m_.name}, {"type", member_type(set_, f)}, {"name", f.name},
                {"index", std::to_string(c)}},
               "aorm::Field<$model$, $type$> $name${$index$};\n");
      }
      for (std::size_t i = 0; i < m_.many_to_many.size(); ++i) {
        const ir::ManyToMany& link = m_.many_to_many[i];
        p.emit({{"model", m_.name}, {"target", set_.models[link.target].name}, {"name", link.name},
                {"index", std::to_string(i)}},
               "aorm::ManyToManyField<$model$, $target$> $name${$index$};\n");
      }
      for (std::size_t i = 0; i < reverse_.size(); ++i) p.emit(reverse_field(reverse_[i], i, m_.name, "", ""));
      const ir::Field& pk = m_.columns[m_.pk];
      p.emit({{"model", m_.name}, {"type", member_type(set_, pk)}, {"index", std::to_string(m_.pk)},
              {"pk", pk.name}},
             "aorm::Field<$model$, $type$> pk{$index$};  // $pk$ again\n");
    }
    p.emit("};\n");
    p.emit({{"model", m_.name}}, R"cc(
      // $model$'s fields in queries over another model Root, reached through relations
      // (`Comment::f.article->title`): each carries the path from Root.
      template <class Root>
      struct $model$::FieldsAt {
        explicit FieldsAt(const aorm::detail::sql::Path* path) noexcept : aorm_path_(path) {}
        const aorm::detail::sql::Path* aorm_path_;
    )cc");
    {
      auto scope = p.indent();
      for (std::size_t c = 0; c < m_.columns.size(); ++c) {
        const ir::Field& f = m_.columns[c];
        p.emit({{"type", member_type(set_, f)}, {"name", f.name}, {"index", std::to_string(c)}},
               "aorm::Field<Root, $type$> $name${$index$, aorm_path_};\n");
      }
      for (std::size_t i = 0; i < m_.many_to_many.size(); ++i) {
        const ir::ManyToMany& link = m_.many_to_many[i];
        p.emit({{"model", m_.name}, {"target", set_.models[link.target].name}, {"name", link.name},
                {"index", std::to_string(i)}},
               "aorm::ManyToManyField<Root, $target$, $model$> $name${$index$, aorm_path_};\n");
      }
      for (std::size_t i = 0; i < reverse_.size(); ++i)
        p.emit(reverse_field(reverse_[i], i, "Root", ", " + m_.name, ", aorm_path_"));
      const ir::Field& pk = m_.columns[m_.pk];
      p.emit({{"type", member_type(set_, pk)}, {"index", std::to_string(m_.pk)}},
             "aorm::Field<Root, $type$> pk{$index$, aorm_path_};\n");
    }
    p.emit({{"model", m_.name}}, R"cc(
      };
      struct $model$::DoesNotExist : aorm::DoesNotExist {
        using aorm::DoesNotExist::DoesNotExist;
      };
      struct $model$::MultipleObjectsReturned : aorm::MultipleObjectsReturned {
        using aorm::MultipleObjectsReturned::MultipleObjectsReturned;
      };
      inline const $model$::Fields $model$::f{};
      inline const aorm::Manager<$model$> $model$::objects{};
    )cc");
    return p.str();
  }

  // The Fields member of reverse relation number `i` (its relation-set slot comes after
  // the many_to_many fields).
  std::string reverse_field(const Reverse& r, std::size_t i, const std::string& root, const std::string& owner,
                            const std::string& path) {
    const std::string slot = std::to_string(m_.many_to_many.size() + i);
    if (r.column >= 0) {
      return std::string(r.one_to_one() ? "aorm::RelatedObjectField<" : "aorm::RelatedField<") + root + ", " + r.from->name + owner + "> " + r.relation->name + "{" +
             std::to_string(r.column) + ", " + slot + path + "};  // reverse of " + r.from->name + "." +
             r.relation->from_field + "\n";
    }
    return "aorm::ManyToManyField<" + root + ", " + r.from->name + owner + "> " + r.relation->name + "{" +
           std::to_string(r.m2m) + ", aorm::reverse_side, " + slot + path + "};  // reverse of " + r.from->name +
           "." + r.relation->from_field + "\n";
  }

  std::string enum_traits() {
    Printer p;
    for (const ir::Field& f : m_.columns) {
      if (f.enum_name.empty()) continue;
      std::vector<std::string> values;
      for (const ir::Choice& c : f.choices) values.push_back(cpp_string(c.value));
      const std::string head = "static constexpr std::array<std::string_view, " +
                               std::to_string(values.size()) + "> values";
      p.emit({{"enum", qualified_ + "::" + f.enum_name}, {"head", head},
              {"values", braced(values, 2 + head.size())}},
             R"cc(
               template <>
               struct aorm::EnumTraits<$enum$> {
                 $head$$values$;
               };
             )cc");
    }
    return p.str();
  }

  // to_string / from_string for each choices enum, in the model's namespace so that
  // argument-dependent lookup finds them: `to_string(article.status)`.
  std::string enum_functions() {
    Printer p;
    for (const ir::Field& f : m_.columns) {
      if (f.enum_name.empty()) continue;
      p.emit({{"enum", m_.name + "::" + f.enum_name},
              {"first", f.choices.front().enumerator},
              {"stored", f.choices.front().value}},
             R"cc(
               // $enum$ and its stored text: to_string($enum$::$first$) == "$stored$";
               // from_string(text, out) sets `out` and returns true when `text` is one of the choices.
               constexpr std::string_view to_string($enum$ value) noexcept { return aorm::to_string(value); }
               constexpr bool from_string(std::string_view text, $enum$& out) noexcept {
                 const std::optional<$enum$> value = aorm::from_string<$enum$>(text);
                 if (value) out = *value;
                 return value.has_value();
               }
             )cc");
    }
    return p.str();
  }

  std::string model_traits() {
    Printer p;
    const ir::Field& pk = m_.columns[m_.pk];
    p.emit({{"model", qualified_}, {"pk", pk.name}}, R"cc(
      template <>
      struct aorm::ModelTraits<$model$> {
        static const aorm::ModelMeta& meta() noexcept;
        static void write(const $model$& obj, int column, std::vector<aorm::Value>& out);
        static void read($model$& obj, int column, const aorm::RowReader& row, int index);
        static std::int64_t& pk($model$& obj) noexcept { return obj.$pk$; }
        static const std::int64_t& pk(const $model$& obj) noexcept { return obj.$pk$; }
        template <class Root>
        using fields_at = $model$::FieldsAt<Root>;
    )cc");
    if (!m_.many_to_many.empty() || !reverse_.empty()) {
      auto scope = p.indent();
      std::vector<std::string> binds, cases;
      for (std::size_t i = 0; i < m_.many_to_many.size(); ++i) {
        binds.push_back("obj." + m_.many_to_many[i].name + ".bind(obj." + pk.name + ", " + std::to_string(i) + ");");
        cases.push_back(m_.many_to_many[i].name);
      }
      for (const Reverse& r : reverse_) {
        binds.push_back("obj." + r.relation->name + ".bind(obj." + pk.name + ", " +
                        (r.column >= 0 ? std::to_string(r.column) : std::to_string(r.m2m) + ", true") + ");");
        cases.push_back(r.relation->name);
      }
      p.emit({{"model", qualified_}}, "// Ties the relation sets of `obj` to its primary key.\n");
      p.emit({{"model", qualified_}}, "static void bind($model$& obj) noexcept {\n");
      for (const std::string& b : binds) p.emit({{"b", b}}, "  $b$\n");
      p.emit("}\n");
      p.emit({{"model", qualified_}}, R"cc(
        // The relation set number `slot` (many_to_many fields, then reverse relations).
        static void* related_set($model$& obj, int slot) noexcept {
          switch (slot) {
      )cc");
      for (std::size_t i = 0; i < cases.size(); ++i)
        p.emit({{"i", std::to_string(i)}, {"name", cases[i]}}, "    case $i$: return &obj.$name$;\n");
      p.emit("    default: return nullptr;\n  }\n}\n");
    }
    p.emit("};\n");
    return p.str();
  }

  std::vector<std::string> column_meta(const ir::Field& f) {
    std::vector<std::string> items = {".name = " + cpp_string(f.name), ".column = " + cpp_string(f.column),
                                      ".kind = " + field_kind(f)};
    auto flag = [&](bool on, std::string_view name) {
      if (on) items.push_back("." + std::string(name) + " = true");
    };
    flag(f.nullable, "nullable");
    flag(f.primary_key, "primary_key");
    flag(f.auto_increment, "auto_increment");
    flag(f.unique, "unique");
    flag(f.index, "index");
    flag(f.auto_now, "auto_now");
    flag(f.auto_now_add, "auto_now_add");
    flag(f.default_value.has_value(), "has_default");
    if (f.max_length) items.push_back(".max_length = " + std::to_string(f.max_length));
    if (f.type == FieldType::decimal) {
      items.push_back(".max_digits = " + std::to_string(f.max_digits));
      items.push_back(".decimal_places = " + std::to_string(f.decimal_places));
    }
    if (!f.enum_name.empty())
      items.push_back(".choices = aorm::EnumTraits<" + m_.name + "::" + f.enum_name + ">::values");
    if (f.target >= 0) {
      items.push_back(".target = &aorm::ModelTraits<" + set_.models[f.target].name + ">::meta");
      items.push_back(".on_delete = " + on_delete(f.on_delete));
      if (!f.related_name.empty()) items.push_back(".related_name = " + cpp_string(f.related_name));
    }
    return items;
  }

  std::string meta_tables() {
    const std::string& v = m_.snake;
    Printer p;
    p.emit({{"model", m_.name}, {"rule", std::string(kLineLimit - 4 - m_.name.size(), '-')}},
           "// $model$ $rule$\n\n");

    p.emit({{"v", v}}, "constexpr aorm::ColumnMeta $v$_columns[] = {\n");
    {
      auto scope = p.indent(4);
      for (const ir::Field& f : m_.columns) p.emit({{"c", braced(column_meta(f), 4)}}, "$c$,\n");
    }
    p.emit("};\n");

    auto term = [&](const ir::OrderTerm& t) {
      return (t.desc ? "-" : "") + m_.columns[t.column].name;
    };
    if (!m_.ordering.empty()) {
      std::vector<std::string> terms, shown;
      for (const ir::OrderTerm& t : m_.ordering) {
        terms.push_back("{.column = " + std::to_string(t.column) + (t.desc ? ", .desc = true}" : "}"));
        shown.push_back(term(t));
      }
      p.emit({{"v", v}, {"terms", join(terms, ", ")}, {"shown", join(shown, ", ")}},
             "constexpr aorm::OrderMeta $v$_ordering[] = {$terms$};  // $shown$\n");
    }

    if (!m_.indexes.empty()) {
      std::vector<std::pair<std::string, std::string>> lines;
      for (std::size_t i = 0; i < m_.indexes.size(); ++i) {
        std::vector<std::string> columns, shown;
        for (int c : m_.indexes[i].columns) {
          columns.push_back(std::to_string(c));
          shown.push_back(m_.columns[c].name);
        }
        lines.emplace_back("constexpr int " + v + "_index" + std::to_string(i) + "_columns[] = {" +
                               join(columns, ", ") + "};",
                           join(shown, ", "));
      }
      emit_commented(p, lines);
      p.emit({{"v", v}}, "constexpr aorm::IndexMeta $v$_indexes[] = {\n");
      {
        auto scope = p.indent(4);
        for (std::size_t i = 0; i < m_.indexes.size(); ++i) {
          const ir::Index& index = m_.indexes[i];
          std::vector<std::string> items = {".name = " + cpp_string(index.name),
                                            ".columns = " + v + "_index" + std::to_string(i) + "_columns"};
          if (index.unique) items.push_back(".unique = true");
          p.emit({{"c", braced(items, 4)}}, "$c$,\n");
        }
      }
      p.emit("};\n");
    }

    if (!m_.many_to_many.empty()) {
      p.emit({{"v", v}}, "constexpr aorm::ManyToManyMeta $v$_many_to_many[] = {\n");
      {
        auto scope = p.indent(4);
        for (const ir::ManyToMany& link : m_.many_to_many) {
          std::vector<std::string> items = {
              ".name = " + cpp_string(link.name), ".table = " + cpp_string(link.table),
              ".source_column = " + cpp_string(link.source_column),
              ".target_column = " + cpp_string(link.target_column),
              ".target = &aorm::ModelTraits<" + set_.models[link.target].name + ">::meta"};
          if (!link.related_name.empty()) items.push_back(".related_name = " + cpp_string(link.related_name));
          if (link.through >= 0) items.push_back(".through = " + cpp_string(set_.models[link.through].name));
          p.emit({{"c", braced(items, 4)}}, "$c$,\n");
        }
      }
      p.emit("};\n");
    }

    p.emit({{"v", v}}, "constexpr aorm::ModelMeta $v$_meta{\n");
    {
      auto scope = p.indent(4);
      p.emit({{"name", cpp_string(m_.name)}, {"label", cpp_string(m_.label)},
              {"table", cpp_string(m_.table)}, {"v", v}, {"pk", std::to_string(m_.pk)}},
             R"cc(
               .name = $name$,
               .label = $label$,
               .table = $table$,
               .columns = $v$_columns,
               .pk = $pk$,
             )cc");
      if (!m_.ordering.empty()) p.emit({{"v", v}}, ".ordering = $v$_ordering,\n");
      if (m_.get_latest_by) {
        p.emit({{"column", std::to_string(m_.get_latest_by->column)}, {"shown", term(*m_.get_latest_by)}},
               ".get_latest_by = $column$,  // $shown$\n");
        if (m_.get_latest_by->desc) p.emit(".get_latest_by_desc = true,\n");
      }
      if (!m_.indexes.empty()) p.emit({{"v", v}}, ".indexes = $v$_indexes,\n");
      if (!m_.many_to_many.empty()) p.emit({{"v", v}}, ".many_to_many = $v$_many_to_many,\n");
    }
    p.emit("};\n");
    return p.str();
  }

  std::string methods() {
    Printer p;
    p.emit({{"model", m_.name}}, R"cc(
      aorm::Task<void> $model$::asave() { return aorm::detail::save(*this); }
      aorm::Task<aorm::DeleteResult> $model$::adelete() { return aorm::detail::remove(*this); }
      aorm::Task<void> $model$::arefresh_from_db() { return aorm::detail::refresh(*this); }
    )cc");
    return p.str();
  }

  std::string trait_definitions() {
    Printer p;
    const Printer::Vars vars = {{"model", qualified_},
                                {"meta", set_.ns + "::" + meta_variable(m_)},
                                {"label", m_.label},
                                {"write_pad", std::string(("void aorm::ModelTraits<" + qualified_ + ">::write(").size(), ' ')},
                                {"read_pad", std::string(("void aorm::ModelTraits<" + qualified_ + ">::read(").size(), ' ')}};
    p.emit(vars, R"cc(
      const aorm::ModelMeta& aorm::ModelTraits<$model$>::meta() noexcept {
        return $meta$;
      }

      void aorm::ModelTraits<$model$>::write(const $model$& obj, int column,
      $write_pad$std::vector<aorm::Value>& out) {
        switch (column) {
    )cc");
    {
      auto scope = p.indent(4);
      for (std::size_t c = 0; c < m_.columns.size(); ++c)
        p.emit({{"c", std::to_string(c)}, {"name", m_.columns[c].name}},
               "case $c$: out.push_back(aorm::to_value(obj.$name$)); return;\n");
    }
    p.emit(vars, R"cc(
        }
        throw std::out_of_range("$label$ has no column " + std::to_string(column));
      }

      void aorm::ModelTraits<$model$>::read($model$& obj, int column,
      $read_pad$const aorm::RowReader& row, int index) {
        switch (column) {
    )cc");
    {
      auto scope = p.indent(4);
      for (std::size_t c = 0; c < m_.columns.size(); ++c)
        p.emit({{"c", std::to_string(c)}, {"name", m_.columns[c].name}},
               "case $c$: aorm::read_value(row, index, obj.$name$); return;\n");
    }
    p.emit(vars, R"cc(
        }
        throw std::out_of_range("$label$ has no column " + std::to_string(column));
      }
    )cc");
    return p.str();
  }

  const ir::ModelSet& set_;
  std::vector<Reverse> reverse_;
  const ir::Model& m_;
  const std::string qualified_;
};

}  // namespace

std::string qualified(const ir::ModelSet& set, const ir::Model& m) { return set.ns + "::" + m.name; }

std::string meta_variable(const ir::Model& m) { return m.snake + "_meta"; }

ModelSections emit_model(const ir::ModelSet& set, int model) { return ModelEmitter(set, model).run(); }

}  // namespace aormc::emit::cpp
