// aconnect()'s entry into the PostgreSQL backend (db/open.hpp).
#include "db/open.hpp"
#include "postgres/backend.hpp"

namespace aorm::detail {

/// `url` is the whole URL given to aconnect() (`postgresql://...` or `postgres://...`),
/// which libpq parses itself. The connect timeout comes from the URL's connect_timeout
/// (10 s without one): ConnectOptions has no field for it.
Task<std::shared_ptr<Backend>> open_postgres(std::string url, const ConnectOptions& opts) {
  return make_postgres_backend(std::move(url), opts.pool_size, std::chrono::milliseconds{0});
}

}  // namespace aorm::detail
