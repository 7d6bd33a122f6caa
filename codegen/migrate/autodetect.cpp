#include "migrate/autodetect.hpp"

#include <algorithm>
#include <set>

#include "migrate/state.hpp"

namespace aormc::migrate {

namespace {

std::string q(std::string_view s) { return "'" + std::string(s) + "'"; }

using Lists = std::vector<std::vector<std::string>>;

Lists lists_of(const std::vector<ir::NameList>& ls) {
  Lists out;
  for (const ir::NameList& l : ls) {
    out.emplace_back();
    for (const auto& n : l.value) out.back().push_back(n.value);
  }
  return out;
}

bool contains(const Lists& ls, const std::vector<std::string>& l) {
  return std::find(ls.begin(), ls.end(), l) != ls.end();
}

bool is_m2m(const ir::FieldSpec& f) { return f.type && f.type->value == "many_to_many"; }

bool flag(const std::optional<ir::Spanned<bool>>& b) { return b && b->value; }

// Rows already in the table need a value for `f`: a default, or NULL.
bool needs_value(const ir::FieldSpec& f) {
  return !is_m2m(f) && !flag(f.null) && !f.default_value && !flag(f.primary_key);
}

// The models of `s` that `m` refers to (foreign keys, many_to_many, through).
std::set<std::string> references(const ir::ModelSpec& m) {
  std::set<std::string> out;
  for (const ir::FieldSpec& f : m.fields) {
    if (f.to && f.to->value != m.name.value) out.insert(f.to->value);
    if (f.through && f.through->value != m.name.value) out.insert(f.through->value);
  }
  return out;
}

// `names` ordered so that each comes after those of them it references (cycles: as given).
std::vector<std::string> dependency_order(const std::vector<const ir::ModelSpec*>& models) {
  std::set<std::string> pending;
  for (const ir::ModelSpec* m : models) pending.insert(m->name.value);
  std::vector<std::string> out;
  while (!pending.empty()) {
    const ir::ModelSpec* next = nullptr;
    for (const ir::ModelSpec* m : models) {
      if (!pending.contains(m->name.value)) continue;
      const std::set<std::string> refs = references(*m);
      if (std::none_of(refs.begin(), refs.end(), [&](const std::string& r) { return pending.contains(r); })) {
        next = m;
        break;
      }
    }
    if (!next)
      for (const ir::ModelSpec* m : models)
        if (pending.contains(m->name.value)) {
          next = m;
          break;
        }
    pending.erase(next->name.value);
    out.push_back(next->name.value);
  }
  return out;
}

class Detector {
 public:
  Detector(const ir::ModelSetSpec& state, const ir::ModelSetSpec& target, diag::Diagnostics& diags)
      : cur_(state), target_(target), diags_(diags) {}

  Changes run() {
    rename_models();
    alter_tables();
    rename_fields();
    create_models();
    remove_indexes();
    add_and_alter_fields();
    remove_fields();
    add_indexes();
    delete_models();
    return std::move(out_);
  }

 private:
  void emit(Operation op) {
    diag::Diagnostics ignored;  // the model file resolved, so every step applies
    apply(cur_, op, ignored);
    out_.operations.push_back(std::move(op));
  }

  Operation make(OpKind kind, const std::string& model) {
    Operation op;
    op.kind = kind;
    op.model = model;
    return op;
  }

  void rename_models() {
    for (const ir::ModelSpec& t : target_.models) {
      if (!t.renamed_from) continue;
      const std::string& from = t.renamed_from->value;
      if (find_model(cur_, from) && !find_model(cur_, t.name.value) && !find_model(target_, from)) {
        Operation op = make(OpKind::rename_model, t.name.value);
        op.from = from;
        op.to = t.name.value;
        emit(std::move(op));
      }
    }
  }

  void alter_tables() {
    for (const ir::ModelSpec& t : target_.models) {
      const ir::ModelSpec* c = find_model(cur_, t.name.value);
      if (!c) continue;
      const std::string old_table = c->meta.table ? c->meta.table->value : "";
      const std::string new_table = t.meta.table ? t.meta.table->value : "";
      if (old_table == new_table) continue;
      Operation op = make(OpKind::alter_model_table, t.name.value);
      op.from = old_table;
      op.to = new_table;
      emit(std::move(op));
    }
  }

  void rename_fields() {
    for (const ir::ModelSpec& t : target_.models) {
      for (const ir::FieldSpec& f : t.fields) {
        ir::ModelSpec* c = find_model(cur_, t.name.value);
        if (!c || !f.renamed_from) continue;
        const std::string& from = f.renamed_from->value;
        if (find_field(*c, from) && !find_field(*c, f.name.value) && !find_field(t, from)) {
          Operation op = make(OpKind::rename_field, t.name.value);
          op.from = from;
          op.to = f.name.value;
          emit(std::move(op));
        }
      }
    }
  }

  void create_models() {
    std::vector<const ir::ModelSpec*> added;
    for (const ir::ModelSpec& t : target_.models)
      if (!find_model(cur_, t.name.value)) added.push_back(&t);
    for (const std::string& name : dependency_order(added)) {
      Operation op = make(OpKind::create_model, name);
      op.model_spec = *find_model(target_, name);
      emit(std::move(op));
    }
  }

  void remove_indexes() {
    for (const ir::ModelSpec& t : target_.models) {
      const ir::ModelSpec* c = find_model(cur_, t.name.value);
      if (!c) continue;
      const Lists wanted = lists_of(t.meta.indexes);
      for (const auto& l : lists_of(c->meta.indexes)) {
        if (contains(wanted, l)) continue;
        Operation op = make(OpKind::remove_index, t.name.value);
        op.fields = l;
        emit(std::move(op));
      }
      c = find_model(cur_, t.name.value);
      const Lists old_unique = lists_of(c->meta.unique_together);
      const Lists new_unique = lists_of(t.meta.unique_together);
      Lists kept;
      for (const auto& l : old_unique)
        if (contains(new_unique, l)) kept.push_back(l);
      if (kept != old_unique) {
        Operation op = make(OpKind::alter_unique_together, t.name.value);
        op.old_lists = old_unique;
        op.new_lists = kept;
        emit(std::move(op));
      }
    }
  }

  void not_null_error(const ir::ModelSpec& t, const ir::FieldSpec& f, std::string_view what) {
    const std::string field = q(t.name.value + "." + f.name.value);
    diags_.error(f.name.where,
                 std::string(what) + " " + field + " is not null and has no default: the rows already in the table "
                 "would have no value for it",
                 {{f.name.where, "give it a default ('default: ...') or make it 'null: true'; to fill it from other "
                                 "data, add it with 'null: true', fill it with run_sql in 'aormc makemigrations --empty', "
                                 "then drop 'null: true'"}});
  }

  void add_and_alter_fields() {
    for (const ir::ModelSpec& t : target_.models) {
      if (!find_model(cur_, t.name.value)) continue;
      for (const ir::FieldSpec& f : t.fields) {
        const ir::FieldSpec* old = find_field(*find_model(cur_, t.name.value), f.name.value);
        if (!old) {
          if (needs_value(f)) not_null_error(t, f, "new field");
          Operation op = make(OpKind::add_field, t.name.value);
          op.field = f;
          emit(std::move(op));
          continue;
        }
        if (field_yaml(*old) == field_yaml(f)) continue;
        if (is_m2m(*old) != is_m2m(f) || is_m2m(f)) {
          // A link table is not altered: it is dropped and made again (with its rows lost).
          out_.warnings.push_back("field " + q(t.name.value + "." + f.name.value) +
                                  " changes its many_to_many: its link table is dropped and created "
                                  "again, and the links in it are lost");
          Operation rm = make(OpKind::remove_field, t.name.value);
          rm.field = *old;
          emit(std::move(rm));
          Operation add = make(OpKind::add_field, t.name.value);
          add.field = f;
          emit(std::move(add));
          continue;
        }
        if (flag(old->null) && needs_value(f)) not_null_error(t, f, "field");
        Operation op = make(OpKind::alter_field, t.name.value);
        op.old_field = *old;
        op.field = f;
        emit(std::move(op));
      }
    }
  }

  void remove_fields() {
    for (const ir::ModelSpec& t : target_.models) {
      const ir::ModelSpec* c = find_model(cur_, t.name.value);
      if (!c) continue;
      std::vector<ir::FieldSpec> gone;
      for (const ir::FieldSpec& f : c->fields)
        if (!find_field(t, f.name.value)) gone.push_back(f);
      for (ir::FieldSpec& f : gone) {
        out_.warnings.push_back(
            "field " + q(t.name.value + "." + f.name.value) + " is removed: " +
            (is_m2m(f) ? "its link table is dropped, with every link in it"
                       : "its column is dropped, with the data in it") +
            " (if it was renamed, say 'renamed_from: " + f.name.value + "' on the new field instead)");
        Operation op = make(OpKind::remove_field, t.name.value);
        op.field = std::move(f);
        emit(std::move(op));
      }
    }
  }

  void add_indexes() {
    for (const ir::ModelSpec& t : target_.models) {
      const ir::ModelSpec* c = find_model(cur_, t.name.value);
      const Lists have = lists_of(c->meta.indexes);
      for (const auto& l : lists_of(t.meta.indexes)) {
        if (contains(have, l)) continue;
        Operation op = make(OpKind::add_index, t.name.value);
        op.fields = l;
        emit(std::move(op));
      }
      c = find_model(cur_, t.name.value);
      if (lists_of(c->meta.unique_together) != lists_of(t.meta.unique_together)) {
        Operation op = make(OpKind::alter_unique_together, t.name.value);
        op.old_lists = lists_of(c->meta.unique_together);
        op.new_lists = lists_of(t.meta.unique_together);
        emit(std::move(op));
      }
    }
  }

  void delete_models() {
    std::vector<const ir::ModelSpec*> gone;
    for (const ir::ModelSpec& c : cur_.models)
      if (!find_model(target_, c.name.value)) gone.push_back(&c);
    std::vector<std::string> order = dependency_order(gone);
    std::reverse(order.begin(), order.end());  // who references goes first
    for (const std::string& name : order) {
      out_.warnings.push_back("model " + q(name) + " is removed: its table is dropped, with every row in it "
                              "(if it was renamed, say 'renamed_from: " + name + "' on the new model instead)");
      Operation op = make(OpKind::delete_model, name);
      op.model_spec = *find_model(cur_, name);
      emit(std::move(op));
    }
  }

  ir::ModelSetSpec cur_;
  const ir::ModelSetSpec& target_;
  diag::Diagnostics& diags_;
  Changes out_;
};

}  // namespace

Changes autodetect(const ir::ModelSetSpec& state, const ir::ModelSetSpec& target, diag::Diagnostics& diags) {
  return Detector(state, target, diags).run();
}

}  // namespace aormc::migrate
