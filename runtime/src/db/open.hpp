// How aconnect() opens a backend (private to aorm_db): every backend offers one routine of
// the same shape, `open(url, opts)`, which parses its own URL and opens a pool; aconnect()
// picks it by the URL's scheme from a small table (database.cpp) and knows nothing else
// about any backend.
//
// Contract of an opener: `url` is the whole URL given to aconnect(); it raises ConfigError
// for a URL it cannot use (through bad_url, so every backend words it the same way) and
// the backend's own errors for a database it cannot open. `opts` outlives the task.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "aorm/database.hpp"
#include "aorm/detail/backend.hpp"
#include "aorm/task.hpp"

namespace aorm::detail {

using BackendOpener = Task<std::shared_ptr<Backend>> (*)(std::string url, const ConnectOptions& opts);

/// Raises ConfigError "invalid database URL '<url>': <why>" (database.cpp).
[[noreturn]] void bad_url(const std::string& url, std::string_view why);

/// "sqlite:PATH", "sqlite:///abs", "sqlite://rel", "sqlite::memory:" (backends/sqlite/open.cpp).
Task<std::shared_ptr<Backend>> open_sqlite(std::string url, const ConnectOptions& opts);
#ifdef AORM_WITH_POSTGRES
/// "postgresql://..." / "postgres://...", parsed by libpq (backends/postgres/open.cpp).
Task<std::shared_ptr<Backend>> open_postgres(std::string url, const ConnectOptions& opts);
#endif

}  // namespace aorm::detail
