#include "migrate/state.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "ir/resolve.hpp"

namespace aormc::migrate {

namespace {

constexpr std::array<std::pair<OpKind, std::string_view>, 12> kOpNames{{
    {OpKind::create_model, "create_model"},   {OpKind::delete_model, "delete_model"},
    {OpKind::rename_model, "rename_model"},   {OpKind::alter_model_table, "alter_model_table"},
    {OpKind::add_field, "add_field"},         {OpKind::remove_field, "remove_field"},
    {OpKind::rename_field, "rename_field"},   {OpKind::alter_field, "alter_field"},
    {OpKind::add_index, "add_index"},         {OpKind::remove_index, "remove_index"},
    {OpKind::alter_unique_together, "alter_unique_together"}, {OpKind::run_sql, "run_sql"},
}};

std::string q(std::string_view s) { return "'" + std::string(s) + "'"; }

bool plain_safe(std::string_view s) {
  if (s.empty() || s == "null" || s == "Null" || s == "NULL" || s == "~") return false;
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  if (!word(s[0]) && !(s[0] == '-' && s.size() > 1 && s[1] >= '0' && s[1] <= '9')) return false;
  for (char c : s.substr(1))
    if (!word(c) && c != '.' && c != '-' && c != '+' && c != '/') return false;
  return true;
}

ir::NameList name_list(const std::vector<std::string>& names, const diag::Location& where) {
  ir::NameList list{{}, where};
  for (const std::string& n : names) list.value.push_back({n, where});
  return list;
}

std::vector<std::string> names_of(const ir::NameList& list) {
  std::vector<std::string> out;
  for (const auto& n : list.value) out.push_back(n.value);
  return out;
}

}  // namespace

std::string_view op_name(OpKind k) noexcept {
  for (const auto& [kind, name] : kOpNames)
    if (kind == k) return name;
  return "?";
}

std::optional<OpKind> parse_op(std::string_view name) noexcept {
  for (const auto& [kind, spelling] : kOpNames)
    if (spelling == name) return kind;
  return std::nullopt;
}

const std::vector<std::string_view>& op_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& entry : kOpNames) out.push_back(entry.second);
    return out;
  }();
  return names;
}

std::string yaml_scalar(std::string_view text, bool force_quotes) {
  if (!force_quotes && plain_safe(text)) return std::string(text);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

ir::ModelSetSpec normalized(ir::ModelSetSpec spec) {
  for (ir::ModelSpec& m : spec.models) {
    m.meta.ordering.reset();
    m.meta.get_latest_by.reset();
  }
  return spec;
}

std::string field_yaml(const ir::FieldSpec& f) {
  std::vector<std::string> parts;
  auto text = [&](std::string_view key, const std::optional<ir::Spanned<std::string>>& v) {
    if (v) parts.push_back(std::string(key) + ": " + yaml_scalar(v->value));
  };
  auto flag = [&](std::string_view key, const std::optional<ir::Spanned<bool>>& v) {
    if (v && v->value) parts.push_back(std::string(key) + ": true");
  };
  auto integer = [&](std::string_view key, const std::optional<ir::Spanned<int>>& v) {
    if (v) parts.push_back(std::string(key) + ": " + std::to_string(v->value));
  };
  text("type", f.type);
  text("to", f.to);
  text("on_delete", f.on_delete);
  integer("max_length", f.max_length);
  integer("max_digits", f.max_digits);
  integer("decimal_places", f.decimal_places);
  flag("primary_key", f.primary_key);
  flag("null", f.null);
  flag("unique", f.unique);
  flag("index", f.index);
  if (f.choices) {
    std::string list;
    for (const auto& c : f.choices->value) list += (list.empty() ? "" : ", ") + yaml_scalar(c.value);
    parts.push_back("choices: [" + list + "]");
  }
  if (f.default_value)
    parts.push_back("default: " + (f.default_value->is_null ? std::string("null")
                                                             : yaml_scalar(f.default_value->text, f.default_value->quoted)));
  flag("auto_now", f.auto_now);
  flag("auto_now_add", f.auto_now_add);
  text("db_column", f.db_column);
  text("related_name", f.related_name);
  text("db_table", f.db_table);
  text("through", f.through);
  std::string out = "{ ";
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out + " }";
}

ir::ModelSpec* find_model(ir::ModelSetSpec& s, std::string_view name) {
  for (ir::ModelSpec& m : s.models)
    if (m.name.value == name) return &m;
  return nullptr;
}
const ir::ModelSpec* find_model(const ir::ModelSetSpec& s, std::string_view name) {
  for (const ir::ModelSpec& m : s.models)
    if (m.name.value == name) return &m;
  return nullptr;
}
ir::FieldSpec* find_field(ir::ModelSpec& m, std::string_view name) {
  for (ir::FieldSpec& f : m.fields)
    if (f.name.value == name) return &f;
  return nullptr;
}
const ir::FieldSpec* find_field(const ir::ModelSpec& m, std::string_view name) {
  for (const ir::FieldSpec& f : m.fields)
    if (f.name.value == name) return &f;
  return nullptr;
}

bool apply(ir::ModelSetSpec& state, const Operation& op, diag::Diagnostics& diags) {
  const std::string what = std::string(op_name(op.kind));
  auto fail = [&](std::string message) {
    diags.error(op.where, what + ": " + message);
    return false;
  };
  ir::ModelSpec* model = nullptr;
  auto need_model = [&](const std::string& name) {
    model = find_model(state, name);
    if (!model) {
      std::vector<std::string> names;
      for (const ir::ModelSpec& m : state.models) names.push_back(m.name.value);
      fail("no model " + q(name) + " at this point of the migrations" + diag::did_you_mean(name, names));
    }
    return model != nullptr;
  };
  auto need_field = [&](const std::string& name) -> ir::FieldSpec* {
    ir::FieldSpec* f = find_field(*model, name);
    if (!f) fail("model " + q(model->name.value) + " has no field " + q(name));
    return f;
  };
  switch (op.kind) {
    case OpKind::create_model: {
      if (find_model(state, op.model_spec.name.value))
        return fail("model " + q(op.model_spec.name.value) + " exists already");
      ir::ModelSpec m = op.model_spec;
      m.meta.ordering.reset();
      m.meta.get_latest_by.reset();
      state.models.push_back(std::move(m));
      return true;
    }
    case OpKind::delete_model: {
      if (!need_model(op.model)) return false;
      state.models.erase(state.models.begin() + (model - state.models.data()));
      return true;
    }
    case OpKind::rename_model: {
      if (!need_model(op.from)) return false;
      if (find_model(state, op.to)) return fail("model " + q(op.to) + " exists already");
      model->name.value = op.to;
      for (ir::ModelSpec& m : state.models)
        for (ir::FieldSpec& f : m.fields) {
          if (f.to && f.to->value == op.from) f.to->value = op.to;
          if (f.through && f.through->value == op.from) f.through->value = op.to;
        }
      return true;
    }
    case OpKind::alter_model_table: {
      if (!need_model(op.model)) return false;
      if (op.to.empty()) model->meta.table.reset();
      else model->meta.table = ir::Spanned<std::string>{op.to, op.where};
      return true;
    }
    case OpKind::add_field: {
      if (!need_model(op.model)) return false;
      if (find_field(*model, op.field.name.value))
        return fail("model " + q(op.model) + " has a field " + q(op.field.name.value) + " already");
      model->fields.push_back(op.field);
      return true;
    }
    case OpKind::remove_field: {
      if (!need_model(op.model)) return false;
      ir::FieldSpec* f = need_field(op.field.name.value);
      if (!f) return false;
      model->fields.erase(model->fields.begin() + (f - model->fields.data()));
      return true;
    }
    case OpKind::rename_field: {
      if (!need_model(op.model)) return false;
      ir::FieldSpec* f = need_field(op.from);
      if (!f) return false;
      if (find_field(*model, op.to))
        return fail("model " + q(op.model) + " has a field " + q(op.to) + " already");
      f->name.value = op.to;
      for (auto* lists : {&model->meta.indexes, &model->meta.unique_together})
        for (ir::NameList& list : *lists)
          for (auto& n : list.value)
            if (n.value == op.from) n.value = op.to;
      return true;
    }
    case OpKind::alter_field: {
      if (!need_model(op.model)) return false;
      ir::FieldSpec* f = need_field(op.field.name.value);
      if (!f) return false;
      *f = op.field;
      return true;
    }
    case OpKind::add_index: {
      if (!need_model(op.model)) return false;
      model->meta.indexes.push_back(name_list(op.fields, op.where));
      return true;
    }
    case OpKind::remove_index: {
      if (!need_model(op.model)) return false;
      auto& lists = model->meta.indexes;
      auto it = std::find_if(lists.begin(), lists.end(),
                             [&](const ir::NameList& l) { return names_of(l) == op.fields; });
      if (it == lists.end()) return fail("model " + q(op.model) + " has no such index");
      lists.erase(it);
      return true;
    }
    case OpKind::alter_unique_together: {
      if (!need_model(op.model)) return false;
      model->meta.unique_together.clear();
      for (const auto& l : op.new_lists) model->meta.unique_together.push_back(name_list(l, op.where));
      return true;
    }
    case OpKind::run_sql: return true;
  }
  return true;
}

bool reversible(const Operation& op) {
  return op.kind != OpKind::run_sql || (op.sqlite.backward && op.postgres.backward);
}

Operation inverse(const Operation& op) {
  Operation r = op;
  switch (op.kind) {
    case OpKind::create_model: r.kind = OpKind::delete_model; break;
    case OpKind::delete_model: r.kind = OpKind::create_model; break;
    case OpKind::add_field: r.kind = OpKind::remove_field; break;
    case OpKind::remove_field: r.kind = OpKind::add_field; break;
    case OpKind::add_index: r.kind = OpKind::remove_index; break;
    case OpKind::remove_index: r.kind = OpKind::add_index; break;
    case OpKind::rename_model:
    case OpKind::rename_field:
    case OpKind::alter_model_table: std::swap(r.from, r.to); break;
    case OpKind::alter_field: std::swap(r.field, r.old_field); break;
    case OpKind::alter_unique_together: std::swap(r.old_lists, r.new_lists); break;
    case OpKind::run_sql:
      for (SqlPair* p : {&r.sqlite, &r.postgres}) {
        std::vector<std::string> forward = p->backward.value_or(std::vector<std::string>{});
        p->backward = std::move(p->forward);
        p->forward = std::move(forward);
      }
      break;
  }
  return r;
}

std::optional<ir::ModelSetSpec> replay(const std::vector<Migration>& migrations,
                                       diag::Diagnostics& diags, std::size_t upto) {
  ir::ModelSetSpec state;
  for (std::size_t i = 0; i < migrations.size() && i < upto; ++i) {
    const Migration& m = migrations[i];
    if (state.file.empty()) {
      state.file = m.file;
      state.ns = {m.ns, {m.file, 1, 1}};
    }
    for (const Operation& op : m.operations)
      if (!apply(state, op, diags)) return std::nullopt;
  }
  return state;
}

}  // namespace aormc::migrate
