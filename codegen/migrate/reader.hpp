// migrate/reader.hpp — migration files to Migrations, with file:line:col diagnostics.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostics.hpp"
#include "migrate/operation.hpp"

namespace aormc::migrate {

/// One migration file: `text` is the contents of `file` (its name gives the migration's
/// name: "dir/0002_add_rating.yaml" -> "0002_add_rating"). Reports every problem (an empty,
/// binary or truncated file, an unknown key or operation, a malformed field) and returns
/// nullopt when there was any.
std::optional<Migration> read_migration(std::string_view text, const std::string& file,
                                        diag::Diagnostics& diags);

/// Puts `migrations` in dependency order (each after the one it depends on). Reports a
/// dependency that is no migration of the folder, two migrations with the same parent
/// (two branches: names both files and says how to merge), a namespace that differs.
std::optional<std::vector<Migration>> order(std::vector<Migration> migrations, diag::Diagnostics& diags);

/// Every NNNN_name.yaml file of `dir`, read and ordered (a missing folder has none).
std::optional<std::vector<Migration>> read_dir(const std::string& dir, diag::Diagnostics& diags);

}  // namespace aormc::migrate
