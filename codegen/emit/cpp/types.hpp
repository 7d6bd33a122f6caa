// emit/cpp/types.hpp — how IR fields are spelt in C++ (API.md §2).
#pragma once

#include <string>

#include "ir/model.hpp"

namespace aormc::emit::cpp {

/// The member type of `f` in the model struct.
///   string                 -> std::string
///   string, null: true     -> std::optional<std::string>
///   choices on `status`    -> Status
///   foreign_key to Author  -> aorm::ForeignKey<Author>  (null: true -> aorm::ForeignKey<Author, aorm::nullable>)
std::string member_type(const ir::ModelSet& set, const ir::Field& f);

/// The member initializer, including its leading punctuation: " = 0", " = Status::draft" or
/// "{}". Every member has one: user code builds models with designated initializers
/// (`acreate({.title = "x"})`), and clang's -Wextra warns about omitted members that have
/// no default member initializer.
std::string member_initializer(const ir::Field& f);

/// The aorm::FieldKind enumerator of `f`: "aorm::FieldKind::string".
std::string field_kind(const ir::Field& f);

/// The aorm::OnDelete enumerator: "aorm::OnDelete::restrict_".
std::string on_delete(ir::OnDelete d);

}  // namespace aormc::emit::cpp
