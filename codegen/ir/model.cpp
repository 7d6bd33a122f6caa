#include "ir/model.hpp"

#include <array>
#include <utility>

namespace aormc::ir {

namespace {

constexpr std::array<std::pair<FieldType, std::string_view>, 16> kTypeNames{{
    {FieldType::boolean, "bool"},         {FieldType::int32, "int32"},
    {FieldType::int64, "int64"},          {FieldType::float64, "double"},
    {FieldType::decimal, "decimal"},      {FieldType::string, "string"},
    {FieldType::text, "text"},            {FieldType::bytes, "bytes"},
    {FieldType::date, "date"},            {FieldType::datetime, "datetime"},
    {FieldType::time, "time"},            {FieldType::uuid, "uuid"},
    {FieldType::json, "json"},            {FieldType::foreign_key, "foreign_key"},
    {FieldType::one_to_one, "one_to_one"}, {FieldType::many_to_many, "many_to_many"},
}};

constexpr std::array<std::pair<OnDelete, std::string_view>, 6> kOnDeleteNames{{
    {OnDelete::cascade, "cascade"},         {OnDelete::protect, "protect"},
    {OnDelete::restrict_, "restrict"},      {OnDelete::set_null, "set_null"},
    {OnDelete::set_default, "set_default"}, {OnDelete::do_nothing, "do_nothing"},
}};

}  // namespace

std::string_view type_name(FieldType t) noexcept {
  for (const auto& [type, name] : kTypeNames)
    if (type == t) return name;
  return "?";
}

std::optional<FieldType> parse_type(std::string_view name) noexcept {
  for (const auto& [type, spelling] : kTypeNames)
    if (spelling == name) return type;
  return std::nullopt;
}

const std::vector<std::string_view>& type_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& entry : kTypeNames) out.push_back(entry.second);
    return out;
  }();
  return names;
}

std::string_view on_delete_name(OnDelete d) noexcept {
  for (const auto& [value, name] : kOnDeleteNames)
    if (value == d) return name;
  return "?";
}

const std::vector<std::string_view>& on_delete_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& entry : kOnDeleteNames) out.push_back(entry.second);
    return out;
  }();
  return names;
}

int Model::find_column(std::string_view member) const noexcept {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == member) return static_cast<int>(i);
  return -1;
}

std::vector<int> ModelSet::creation_order() const {
  const int n = static_cast<int>(models.size());
  std::vector<bool> placed(n, false);
  std::vector<int> order;
  auto ready = [&](int m) {
    for (const Field& f : models[m].columns)
      if (f.target >= 0 && f.target != m && !placed[f.target]) return false;
    return true;
  };
  while (static_cast<int>(order.size()) < n) {
    int next = -1;
    for (int m = 0; m < n && next < 0; ++m)
      if (!placed[m] && ready(m)) next = m;
    // A cycle: take the first remaining model; its forward references are added after
    // the referenced table exists (see emit/sql).
    for (int m = 0; m < n && next < 0; ++m)
      if (!placed[m]) next = m;
    placed[next] = true;
    order.push_back(next);
  }
  return order;
}

}  // namespace aormc::ir
