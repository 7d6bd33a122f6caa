// Hostile migration files: each errors/bad_*.yaml (and each folder under errors/) gives the
// diagnostics in the .stderr file beside it. AORM_UPDATE_GOLDEN=1 rewrites the .stderr files.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "migrate/reader.hpp"
#include "migrate/sql.hpp"

namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// `text` with the source folder's path taken out, so that goldens name "errors/...".
std::string relative(std::string text) {
  const std::string prefix = std::string(AORM_MIGRATIONS_TEST_DIR) + "/";
  for (std::size_t at; (at = text.find(prefix)) != std::string::npos;) text.erase(at, prefix.size());
  return text;
}

void compare(const fs::path& golden, const std::string& actual) {
  if (std::getenv("AORM_UPDATE_GOLDEN")) {
    std::ofstream(golden, std::ios::binary) << actual;
    return;
  }
  INFO("golden: " << golden.string());
  CHECK(actual == read(golden));
}

}  // namespace

TEST_CASE("hostile migration files get their golden file:line:col diagnostics") {
  const fs::path dir = fs::path(AORM_MIGRATIONS_TEST_DIR) / "errors";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path p = entry.path();
    if (!entry.is_regular_file() || p.extension() != ".yaml") continue;
    ++files;
    aormc::diag::Diagnostics diags;
    const std::string name = "errors/" + p.filename().string();
    CHECK_FALSE(aormc::migrate::read_migration(read(p), name, diags));
    CHECK(diags.has_errors());
    compare(fs::path(p).replace_extension(".stderr"), diags.render());
  }
  CHECK(files >= 4);
}

TEST_CASE("a missing dependency and two migrations with the same parent are errors naming the files") {
  for (const char* folder : {"missing_dependency", "conflict"}) {
    const fs::path dir = fs::path(AORM_MIGRATIONS_TEST_DIR) / "errors" / folder;
    aormc::diag::Diagnostics diags;
    CHECK_FALSE(aormc::migrate::read_dir(dir.string(), diags));
    compare(dir.string() + ".stderr", relative(diags.render()));
  }
}
