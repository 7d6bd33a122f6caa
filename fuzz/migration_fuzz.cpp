// migration_fuzz — the migration-file reader (codegen/migrate/reader.cpp), the writer, the
// state replay and the SQL of every operation, on arbitrary bytes. Contracts checked:
// - read_migration() either returns a migration or reports at least one error; never both,
//   never neither;
// - a migration read writes back to text that reads again to the same canonical text (so
//   its checksum is stable: checksum.hpp);
// - its SQL, both dialects, both directions, either compiles or is reported (compile()
//   returns nullopt only with an error), and the compiled migration carries the checksum
//   of the migration it came from.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/checksum.hpp"
#include "migrate/cpp.hpp"
#include "migrate/reader.hpp"
#include "migrate/writer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aormc;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  diag::Diagnostics diags;
  auto m = migrate::read_migration(text, "migrations/fuzz/0001_fuzz.yaml", diags);
  if (m.has_value() == diags.has_errors()) std::abort();  // exactly one of the two
  if (!m) {
    if (diags.render().empty()) std::abort();
    return 0;
  }
  // Written and read again: the same migration.
  const std::string written = migrate::write(*m, "fuzz.yaml");
  diag::Diagnostics again;
  auto reread = migrate::read_migration(written, m->file, again);
  if (!reread || again.has_errors()) std::abort();
  if (migrate::canonical_text(*reread) != migrate::canonical_text(*m)) std::abort();
  if (migrate::checksum(*reread) != migrate::checksum(*m)) std::abort();

  // Its SQL, as the first migration of a folder (dependencies do not matter to the SQL).
  std::vector<migrate::Migration> list{*m};
  list.front().dependencies.clear();
  diag::Diagnostics sql;
  auto compiled = migrate::compile(list, sql);
  if (!compiled && !sql.has_errors()) std::abort();
  if (compiled && (compiled->size() != 1 || compiled->front().checksum != migrate::checksum(list.front()))) std::abort();
  return 0;
}
