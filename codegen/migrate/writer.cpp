#include "migrate/writer.hpp"

#include "emit/printer.hpp"
#include "migrate/state.hpp"

namespace aormc::migrate {

namespace {

using emit::Printer;

std::string list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + yaml_scalar(names[i]);
  return out + "]";
}

std::string lists(const std::vector<std::vector<std::string>>& ls) {
  std::string out = "[";
  for (std::size_t i = 0; i < ls.size(); ++i) out += (i ? ", " : "") + list(ls[i]);
  return out + "]";
}

std::string lists(const std::vector<ir::NameList>& ls) {
  std::vector<std::vector<std::string>> out;
  for (const ir::NameList& l : ls) {
    out.emplace_back();
    for (const auto& n : l.value) out.back().push_back(n.value);
  }
  return lists(out);
}

void field_entry(Printer& p, const ir::FieldSpec& f) {
  p.emit({{"name", yaml_scalar(f.name.value)}, {"spec", field_yaml(f)}}, "$name$: $spec$\n");
}

void model(Printer& p, const ir::ModelSpec& m) {
  p.emit({{"name", yaml_scalar(m.name.value)}}, "$name$:\n");
  auto in_model = p.indent();
  p.emit("fields:\n");
  {
    auto in_fields = p.indent();
    for (const ir::FieldSpec& f : m.fields) field_entry(p, f);
  }
  if (!m.meta.table && m.meta.indexes.empty() && m.meta.unique_together.empty()) return;
  p.emit("meta:\n");
  auto in_meta = p.indent();
  if (m.meta.table) p.emit({{"table", yaml_scalar(m.meta.table->value)}}, "table: $table$\n");
  if (!m.meta.indexes.empty()) p.emit({{"l", lists(m.meta.indexes)}}, "indexes: $l$\n");
  if (!m.meta.unique_together.empty()) p.emit({{"l", lists(m.meta.unique_together)}}, "unique_together: $l$\n");
}

void statements(Printer& p, std::string_view key, const std::vector<std::string>& sql) {
  p.emit({{"key", std::string(key)}}, "$key$:\n");
  auto in = p.indent();
  for (const std::string& s : sql) p.emit({{"s", yaml_scalar(s, true)}}, "- $s$\n");
}

void operation(Printer& p, const Operation& op) {
  p.emit({{"op", std::string(op_name(op.kind))}}, "- $op$:\n");
  auto in_op = p.indent(4);
  const Printer::Vars vars{{"model", yaml_scalar(op.model)},
                           {"from", op.from.empty() ? "~" : yaml_scalar(op.from)},
                           {"to", op.to.empty() ? "~" : yaml_scalar(op.to)}};
  switch (op.kind) {
    case OpKind::create_model:
    case OpKind::delete_model: model(p, op.model_spec); break;
    case OpKind::rename_model: p.emit(vars, "from: $from$\nto: $to$\n"); break;
    case OpKind::alter_model_table:
    case OpKind::rename_field: p.emit(vars, "model: $model$\nfrom: $from$\nto: $to$\n"); break;
    case OpKind::add_field:
    case OpKind::remove_field: {
      p.emit(vars, "model: $model$\nfield:\n");
      auto in = p.indent();
      field_entry(p, op.field);
      break;
    }
    case OpKind::alter_field: {
      p.emit(vars, "model: $model$\nfrom:\n");
      {
        auto in = p.indent();
        field_entry(p, op.old_field);
      }
      p.emit("to:\n");
      auto in = p.indent();
      field_entry(p, op.field);
      break;
    }
    case OpKind::add_index:
    case OpKind::remove_index: p.emit({{"model", yaml_scalar(op.model)}, {"fields", list(op.fields)}},
                                      "model: $model$\nfields: $fields$\n"); break;
    case OpKind::alter_unique_together:
      p.emit({{"model", yaml_scalar(op.model)}, {"from", lists(op.old_lists)}, {"to", lists(op.new_lists)}},
             "model: $model$\nfrom: $from$\nto: $to$\n");
      break;
    case OpKind::run_sql:
      for (const auto& [dialect, pair] : {std::pair<std::string_view, const SqlPair*>{"sqlite", &op.sqlite},
                                          {"postgres", &op.postgres}}) {
        p.emit({{"d", std::string(dialect)}}, "$d$:\n");
        auto in = p.indent();
        statements(p, "forward", pair->forward);
        if (pair->backward) statements(p, "backward", *pair->backward);
      }
      break;
  }
}

}  // namespace

std::string write(const Migration& m, const std::string& source) {
  Printer p;
  p.emit({{"name", m.name}, {"source", source}}, R"yaml(
    # $name$ — made by aormc makemigrations from $source$.
    # Review it like code; `aormc sqlmigrate <folder> <number> --dialect sqlite|postgres`
    # shows its SQL (add --backwards for the way back). Format: docs/migrations.md.
  )yaml");
  return p.str() + write_body(m);
}

std::string write_body(const Migration& m) {
  Printer p;
  p.emit({{"ns", yaml_scalar(m.ns)}, {"deps", list(m.dependencies)}}, "namespace: $ns$\ndependencies: $deps$\n");
  if (m.operations.empty()) {
    p.emit(R"yaml(
      operations: []
      # An empty migration, for a data migration by hand, e.g.:
      # operations:
      #   - run_sql:
      #       sqlite:   { forward: "UPDATE ...", backward: "UPDATE ..." }
      #       postgres: { forward: "UPDATE ...", backward: "UPDATE ..." }
    )yaml");
    return p.str();
  }
  p.emit("operations:\n");
  auto in = p.indent();
  for (const Operation& op : m.operations) operation(p, op);
  return p.str();
}

}  // namespace aormc::migrate
