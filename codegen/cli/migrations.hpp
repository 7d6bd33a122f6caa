// cli/migrations.hpp — aormc's migration commands (API.md §11). Built into aormc only: migrate
// and showmigrations run the runtime (aorm::run, Database::amigrate).
#pragma once

#include <string>
#include <vector>

namespace aormc::cli {

int makemigrations(const std::vector<std::string>& args);
int sqlmigrate(const std::vector<std::string>& args);
int migrate(const std::vector<std::string>& args);
int showmigrations(const std::vector<std::string>& args);
int generate_migrations(const std::vector<std::string>& args);

inline constexpr std::string_view kMigrationsUsage =
    "       aormc makemigrations MODELS --dir DIR [--name NAME] [--check] [--empty]\n"
    "       aormc sqlmigrate DIR NUMBER --dialect sqlite|postgres [--backwards]\n"
    "       aormc migrate DIR --db URL [NAME | zero]\n"
    "       aormc showmigrations DIR --db URL\n"
    "       aormc generate-migrations MODELS --dir DIR --out OUT\n";

}  // namespace aormc::cli
