// aconnect()'s entry into the SQLite backend (db/open.hpp): parses an sqlite URL.
#include <string>
#include <string_view>

#include "db/open.hpp"
#include "sqlite/backend.hpp"

namespace aorm::detail {

namespace {

/// "sqlite:PATH" → PATH, "sqlite:///abs" → "/abs", "sqlite://rel" → "rel",
/// "sqlite::memory:" and "sqlite://:memory:" → ":memory:".
std::string sqlite_target(const std::string& url) {
  std::string_view rest = std::string_view(url).substr(std::string_view("sqlite:").size());
  if (rest.starts_with("//")) rest.remove_prefix(2);
  if (rest.empty())
    bad_url(url, "no database path (expected sqlite:PATH or sqlite::memory:)");
  if (rest.find('?') != std::string_view::npos)
    bad_url(url, "query parameters are not supported for sqlite URLs");
  return std::string(rest);
}

}  // namespace

Task<std::shared_ptr<Backend>> open_sqlite(std::string url, const ConnectOptions& opts) {
  const std::string target = sqlite_target(url);
  co_return co_await sqlite::SqliteBackend::open(target, opts.pool_size, opts.execution, opts.busy_timeout);
}

}  // namespace aorm::detail
