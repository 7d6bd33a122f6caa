#include "introspect/graph.hpp"

#include "emit/printer.hpp"

namespace aormc::introspect {

namespace {

using emit::Printer;
using ir::FieldType;

// The marks of a column: "PK", "FK", "UK" (Mermaid's attribute keys), comma-separated.
std::string keys(const ir::Field& f) {
  std::string out;
  auto add = [&out](std::string_view k) { out += (out.empty() ? "" : ", ") + std::string(k); };
  if (f.primary_key) add("PK");
  if (f.type == FieldType::foreign_key || f.type == FieldType::one_to_one) add("FK");
  if (f.unique && !f.primary_key && f.type != FieldType::one_to_one) add("UK");
  return out;
}

// What the column's type reads as: the aorm type, with its size ("string(200)",
// "decimal(10,2)"); a key names its target ("foreign_key(Author)").
std::string type_text(const ir::ModelSet& set, const ir::Field& f) {
  std::string t(ir::type_name(f.type));
  if (f.type == FieldType::string && f.max_length > 0) return t + "(" + std::to_string(f.max_length) + ")";
  if (f.type == FieldType::decimal)
    return t + "(" + std::to_string(f.max_digits) + "," + std::to_string(f.decimal_places) + ")";
  if (f.target >= 0) return t + "(" + set.models[f.target].name + ")";
  return t;
}

// One relation of the diagram.
struct Edge {
  std::string from, to, name;
  FieldType kind;
  bool nullable;
};

std::vector<Edge> edges(const ir::ModelSet& set) {
  std::vector<Edge> out;
  for (const ir::Model& m : set.models) {
    for (const ir::Field& f : m.columns)
      if (f.target >= 0) out.push_back({m.name, set.models[f.target].name, f.name, f.type, f.nullable});
    for (const ir::ManyToMany& l : m.many_to_many) {
      std::string name = l.name;
      if (l.through >= 0) name += " (through " + set.models[l.through].name + ")";
      out.push_back({m.name, set.models[l.target].name, name, FieldType::many_to_many, false});
    }
  }
  return out;
}

// Mermaid's crow's-foot ends, read from the target to the model holding the key.
std::string mermaid_cardinality(const Edge& e) {
  switch (e.kind) {
    case FieldType::many_to_many: return "}o--o{";
    case FieldType::one_to_one: return e.nullable ? "|o--o|" : "||--o|";
    default: return e.nullable ? "|o--o{" : "||--o{";
  }
}

std::string mermaid(const ir::ModelSet& set) {
  Printer p;
  p.emit("erDiagram\n");
  auto in = p.indent(4);
  for (const ir::Model& m : set.models) {
    p.emit({{"model", m.name}}, "$model$ {\n");
    {
      auto in_model = p.indent(4);
      for (const ir::Field& f : m.columns) {
        const std::string k = keys(f);
        // Mermaid's type token allows letters, digits, '_', '-', '(' ')' and '[' ']': no
        // comma, so decimal(10,2) reads decimal(10-2) there.
        std::string type = type_text(set, f);
        for (char& c : type)
          if (c == ',') c = '-';
        p.emit({{"type", type}, {"name", f.name}, {"keys", k.empty() ? "" : " " + k}}, "$type$ $name$$keys$\n");
      }
    }
    p.emit("}\n");
  }
  for (const Edge& e : edges(set)) {
    // The target on the left ("one Author has many Articles"); a many-to-many reads from
    // the model that declares it.
    const bool m2m = e.kind == FieldType::many_to_many;
    p.emit({{"left", m2m ? e.from : e.to}, {"card", mermaid_cardinality(e)}, {"right", m2m ? e.to : e.from},
            {"name", e.name}},
           "$left$ $card$ $right$ : \"$name$\"\n");
  }
  return p.str();
}

// Text for a dot record label: its special characters escaped.
std::string record_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '{' || c == '}' || c == '|' || c == '<' || c == '>' || c == '"' || c == '\\' || c == ' ') out += '\\';
    out += c;
  }
  return out;
}

std::string dot(const ir::ModelSet& set) {
  Printer p;
  std::string graph_name;
  for (char c : set.ns) graph_name += c == ':' ? '_' : c;
  p.emit({{"ns", graph_name}}, R"dot(
    digraph $ns$ {
        graph [rankdir=LR, fontname="Helvetica"];
        node [shape=record, fontname="Helvetica", fontsize=10];
        edge [fontname="Helvetica", fontsize=9];
  )dot");
  {
    auto in = p.indent(4);
    for (const ir::Model& m : set.models) {
      std::string fields;
      for (const ir::Field& f : m.columns) {
        const std::string k = keys(f);
        fields += record_text(f.name + " : " + type_text(set, f) + (k.empty() ? "" : " [" + k + "]")) + "\\l";
      }
      p.emit({{"model", m.name}, {"title", record_text(m.name + " (" + m.table + ")")}, {"fields", fields}},
             "$model$ [label=\"{$title$|$fields$}\"];\n");
    }
    for (const Edge& e : edges(set)) {
      std::string style;
      switch (e.kind) {
        case FieldType::many_to_many: style = ", dir=both, arrowhead=crow, arrowtail=crow"; break;
        case FieldType::one_to_one: style = ", arrowhead=tee"; break;
        default: break;
      }
      if (e.nullable) style += ", style=dashed";
      std::string label = e.name;
      for (std::size_t at; (at = label.find('"')) != std::string::npos;) label.replace(at, 1, "'");
      p.emit({{"from", e.from}, {"to", e.to}, {"name", label}, {"style", style}},
             "$from$ -> $to$ [label=\"$name$\"$style$];\n");
    }
  }
  p.emit("}\n");
  return p.str();
}

}  // namespace

std::string graph(const ir::ModelSet& set, GraphFormat format) {
  return format == GraphFormat::mermaid ? mermaid(set) : dot(set);
}

}  // namespace aormc::introspect
