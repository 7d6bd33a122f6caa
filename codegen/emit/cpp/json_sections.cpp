#include "emit/cpp/json_sections.hpp"

#include <vector>

#include "emit/printer.hpp"
#include "names/names.hpp"

namespace aormc::emit::cpp {

namespace {

using ir::FieldType;
using names::cpp_string;

// How a member is converted: a column (aorm::json::put / get, which also handle foreign
// keys), a set of related objects (put_set / get_set: an array once prefetched), or the
// reverse side of a one_to_one (put_related / get_related: an object or null once loaded).
enum class MemberKind { column, set, related_object };

struct Member {
  std::string name;
  MemberKind kind = MemberKind::column;
  bool required = false;
};

// The model's members in declaration order, as the struct has them: columns, many_to_many
// fields, then reverse relations (those the model emitter gives a member).
std::vector<Member> members(const ir::ModelSet& set, const ir::Model& m) {
  std::vector<Member> out;
  for (const ir::Field& f : m.columns) out.push_back({f.name, MemberKind::column, json_required(f)});
  for (const ir::ManyToMany& link : m.many_to_many) out.push_back({link.name, MemberKind::set, false});
  for (const ir::ReverseRelation& r : m.reverse) {
    const ir::Model& from = set.models[r.from_model];
    const int column = from.find_column(r.from_field);
    if (column >= 0) {
      const bool one_to_one = from.columns[static_cast<std::size_t>(column)].type == FieldType::one_to_one;
      out.push_back({r.name, one_to_one ? MemberKind::related_object : MemberKind::set, false});
      continue;
    }
    for (const ir::ManyToMany& link : from.many_to_many)
      if (link.name == r.from_field) out.push_back({r.name, MemberKind::set, false});
  }
  return out;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + cpp_string(n);
  return out;
}

class JsonEmitter {
 public:
  JsonEmitter(const ir::ModelSet& set, int model) : m_(set.models[model]), members_(members(set, m_)) {}

  JsonSections run() { return {declarations(), definitions()}; }

 private:
  std::string declarations() {
    Printer p;
    p.emit({{"model", m_.name}}, R"cc(
      inline void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const $model$& obj);
      inline $model$ tag_invoke(boost::json::value_to_tag<$model$>, const boost::json::value& in);
    )cc");
    return p.str();
  }

  std::string definitions() {
    std::vector<std::string> required, sets;
    for (const Member& member : members_) {
      if (member.required) required.push_back(member.name);
      if (member.kind != MemberKind::column) sets.push_back(member.name);
    }
    Printer p;
    p.emit({{"model", m_.name}, {"rule", std::string(kRuleWidth - m_.name.size(), '-')}}, R"cc(
      // $model$ $rule$

      // A JSON object with a member per field, named as the field; relations as loaded.
      inline void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const $model$& obj) {
        boost::json::object& o = out.emplace_object();
    )cc");
    {
      auto scope = p.indent();
      for (const Member& member : members_) {
        p.emit({{"put", put_function(member.kind)}, {"key", cpp_string(member.name)}, {"name", member.name}},
               "aorm::json::$put$(o, $key$, obj.$name$);\n");
      }
    }
    p.emit("}\n\n");
    if (required.empty()) {
      p.emit("// Every member is optional: a missing one keeps its default. Unknown members are ignored.\n");
    } else {
      p.emit({{"required", quoted_list(required)}},
             "// Needs the members $required$; a missing optional member keeps its default.\n"
             "// Unknown members are ignored.\n");
    }
    p.emit({{"model", m_.name}}, R"cc(
      inline $model$ tag_invoke(boost::json::value_to_tag<$model$>, const boost::json::value& in) {
        $model$ obj{};
        const boost::json::object& o = aorm::json::as_object(in);
    )cc");
    {
      auto scope = p.indent();
      for (const Member& member : members_) {
        const Printer::Vars vars = {{"key", cpp_string(member.name)}, {"name", member.name}};
        switch (member.kind) {
          case MemberKind::column:
            p.emit({{"key", cpp_string(member.name)}, {"name", member.name},
                    {"presence", member.required ? "aorm::json::Presence::required" : "aorm::json::Presence::optional"}},
                   "aorm::json::get(o, $key$, obj.$name$, $presence$);\n");
            break;
          case MemberKind::set: p.emit(vars, "aorm::json::get_set(o, $key$, obj.$name$);\n"); break;
          case MemberKind::related_object: p.emit(vars, "aorm::json::get_related(o, $key$, obj.$name$);\n"); break;
        }
      }
      if (!sets.empty()) p.emit("aorm::detail::bind_relations(obj);  // the sets' owner is the key just read\n");
      p.emit("return obj;\n");
    }
    p.emit("}\n");
    return p.str();
  }

  static const char* put_function(MemberKind kind) {
    switch (kind) {
      case MemberKind::column: return "put";
      case MemberKind::set: return "put_set";
      case MemberKind::related_object: return "put_related";
    }
    return "put";
  }

  static constexpr std::size_t kRuleWidth = 96;

  const ir::Model& m_;
  const std::vector<Member> members_;
};

}  // namespace

bool json_required(const ir::Field& f) noexcept {
  return !(f.nullable || f.default_value.has_value() || f.auto_increment || f.auto_now || f.auto_now_add);
}

JsonSections emit_json(const ir::ModelSet& set, int model) { return JsonEmitter(set, model).run(); }

}  // namespace aormc::emit::cpp
