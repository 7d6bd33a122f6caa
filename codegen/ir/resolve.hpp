// ir/resolve.hpp — from a model file as written to the resolved, validated model.
#pragma once

#include <optional>

#include "diag/diagnostics.hpp"
#include "ir/model.hpp"
#include "ir/spec.hpp"

namespace aormc::ir {

/// Gives `spec` its meaning: the implicit `id`, table and column names
/// (`<namespace>_<model snake>`, `author` -> `author_id`), link tables, reverse relation
/// names, indexes; and checks everything (types, options, defaults, references, names).
/// Reports every problem to `diags` and returns nullopt when there was any.
std::optional<ModelSet> resolve(const ModelSetSpec& spec, diag::Diagnostics& diags);

/// A database index name: "<table>_<columns joined by _>_<suffix>", shortened to 63
/// characters (PostgreSQL's limit) with a hash of the full name when longer.
///   ("blog_article", {"status", "created_at"}, "idx") -> "blog_article_status_created_at_idx"
std::string index_name(std::string_view table, const std::vector<std::string>& columns,
                       std::string_view suffix);

}  // namespace aormc::ir
