#include "emit/cpp/types.hpp"

#include "names/names.hpp"

namespace aormc::emit::cpp {

using ir::FieldType;

namespace {

std::string value_type(const ir::Field& f) {
  if (!f.enum_name.empty()) return f.enum_name;
  switch (f.type) {
    case FieldType::boolean: return "bool";
    case FieldType::int32: return "std::int32_t";
    case FieldType::int64: return "std::int64_t";
    case FieldType::float64: return "double";
    case FieldType::decimal: return "aorm::Decimal";
    case FieldType::string:
    case FieldType::text: return "std::string";
    case FieldType::bytes: return "aorm::Bytes";
    case FieldType::date: return "aorm::Date";
    case FieldType::datetime: return "aorm::DateTime";
    case FieldType::time: return "aorm::Time";
    case FieldType::uuid: return "aorm::Uuid";
    case FieldType::json: return "aorm::Json";
    case FieldType::foreign_key:
    case FieldType::one_to_one:
    case FieldType::many_to_many: break;
  }
  return "?";
}

}  // namespace

std::string member_type(const ir::ModelSet& set, const ir::Field& f) {
  if (f.type == FieldType::foreign_key || f.type == FieldType::one_to_one) {
    const std::string& target = set.models[f.target].name;
    return f.nullable ? "aorm::ForeignKey<" + target + ", aorm::nullable>"
                      : "aorm::ForeignKey<" + target + ">";
  }
  return f.nullable ? "std::optional<" + value_type(f) + ">" : value_type(f);
}

std::string member_initializer(const ir::Field& f) {
  using Kind = ir::Default::Kind;
  if (f.default_value) {
    const ir::Default& d = *f.default_value;
    switch (d.kind) {
      case Kind::null: return "{}";
      case Kind::boolean:
      case Kind::floating: return " = " + d.text;
      case Kind::integer:
        // A foreign key's default is the referenced row's id.
        return f.type == FieldType::foreign_key || f.type == FieldType::one_to_one
                   ? "{" + d.text + "}"
                   : " = " + d.text;
      case Kind::string: return " = " + names::cpp_string(d.text);
      case Kind::enumerator: return " = " + f.enum_name + "::" + d.text;
    }
  }
  if (f.nullable || !f.enum_name.empty()) return "{}";
  switch (f.type) {
    case FieldType::boolean: return " = false";
    case FieldType::int32:
    case FieldType::int64: return " = 0";
    case FieldType::float64: return " = 0.0";
    default: return "{}";
  }
}

std::string field_kind(const ir::Field& f) {
  switch (f.type) {
    case FieldType::boolean: return "aorm::FieldKind::boolean";
    case FieldType::int32: return "aorm::FieldKind::int32";
    case FieldType::int64: return "aorm::FieldKind::int64";
    case FieldType::float64: return "aorm::FieldKind::float64";
    case FieldType::decimal: return "aorm::FieldKind::decimal";
    case FieldType::string: return "aorm::FieldKind::string";
    case FieldType::text: return "aorm::FieldKind::text";
    case FieldType::bytes: return "aorm::FieldKind::bytes";
    case FieldType::date: return "aorm::FieldKind::date";
    case FieldType::datetime: return "aorm::FieldKind::datetime";
    case FieldType::time: return "aorm::FieldKind::time";
    case FieldType::uuid: return "aorm::FieldKind::uuid";
    case FieldType::json: return "aorm::FieldKind::json";
    case FieldType::foreign_key: return "aorm::FieldKind::foreign_key";
    case FieldType::one_to_one: return "aorm::FieldKind::one_to_one";
    case FieldType::many_to_many: break;
  }
  return "?";
}

std::string on_delete(ir::OnDelete d) {
  std::string name(ir::on_delete_name(d));
  if (d == ir::OnDelete::restrict_) name += "_";
  return "aorm::OnDelete::" + name;
}

}  // namespace aormc::emit::cpp
