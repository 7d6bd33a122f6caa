// migrate/cpp.hpp — `<ns>/migrations.{hpp,cpp}`: the migrations as a plain table for the
// runtime (aorm::Migrations: names and per-dialect SQL, forwards and backwards).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "emit/cpp/cpp.hpp"
#include "migrate/operation.hpp"

namespace aormc::migrate {

/// The statements of every migration (index order), both dialects, both directions, and the
/// checksum aorm_migrations records (checksum.hpp).
struct CompiledMigration {
  std::string name;
  std::string checksum;
  std::vector<std::string> sqlite_forward, sqlite_backward, postgres_forward, postgres_backward;
};
std::optional<std::vector<CompiledMigration>> compile(const std::vector<Migration>& migrations,
                                                      diag::Diagnostics& diags);

/// The generated file pair for namespace `ns`; `dir` (the migrations folder) and `command`
/// (what regenerates them) go into the banner. A migration that cannot be undone gets no
/// backward statements and a comment saying so.
std::vector<emit::cpp::GeneratedFile> generate(const std::string& ns, const std::string& dir,
                                               const std::vector<CompiledMigration>& migrations,
                                               const std::string& command);

/// The command that regenerates them: "aormc generate-migrations MODELS --dir DIR --out OUT".
std::string generate_command(const std::string& models, const std::string& dir, const std::string& out);

}  // namespace aormc::migrate
