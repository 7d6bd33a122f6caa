// QueryCapture registry and the AORM_LOG_SQL log.
//
// Captures register in a process-wide list guarded by a mutex; the statement path only
// pays a relaxed atomic load (`g_active`) while no capture is alive.
#include "aorm/capture.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string_view>

#include "aorm/url.hpp"

namespace aorm {
namespace {

struct Registry {
  std::mutex mutex;
  std::vector<QueryCapture*> live;
};

Registry& registry() {
  static Registry r;
  return r;
}

std::atomic<int> g_active{0};

/// What AORM_LOG_SQL asks for: nothing ("" or "0"), statements without their parameters
/// ("statements"), or statements with their parameters (any other value, "1" by custom).
enum class LogMode : int { off, statements, full };
std::atomic<LogMode> g_log{LogMode::off};

}  // namespace

struct CaptureAccess {
  static std::vector<CapturedQuery>& queries(QueryCapture& c) { return c.queries_; }
};

QueryCapture::QueryCapture() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.live.push_back(this);
  g_active.fetch_add(1, std::memory_order_relaxed);
}

QueryCapture::~QueryCapture() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::erase(r.live, this);
  g_active.fetch_sub(1, std::memory_order_relaxed);
}

std::size_t QueryCapture::count() const noexcept {
  std::lock_guard lock(registry().mutex);
  return queries_.size();
}

std::vector<CapturedQuery> QueryCapture::queries() const {
  std::lock_guard lock(registry().mutex);
  return queries_;
}

void QueryCapture::clear() noexcept {
  std::lock_guard lock(registry().mutex);
  queries_.clear();
}

std::string format_value(const Value& v) {
  switch (v.index()) {
    case 0: return "NULL";
    case 1: return std::to_string(std::get<std::int64_t>(v));
    case 2: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", std::get<double>(v));
      return buf;
    }
    case 3: {
      std::string out = "'";
      for (char c : std::get<std::string>(v)) {
        if (c == '\'') out += '\'';
        if (c == '\0') {
          out += "\\0";
          continue;
        }
        out += c;
      }
      out += '\'';
      return out;
    }
    default: return "<" + std::to_string(std::get<Bytes>(v).size()) + " bytes>";
  }
}

namespace detail {

bool capture_active() noexcept { return g_active.load(std::memory_order_relaxed) != 0; }

void capture_record(const Statement& stmt, std::chrono::nanoseconds duration) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  for (QueryCapture* c : r.live)
    CaptureAccess::queries(*c).push_back(CapturedQuery{stmt.sql, stmt.params, duration});
}

bool log_sql_enabled() noexcept { return g_log.load(std::memory_order_relaxed) != LogMode::off; }

void refresh_log_sql() noexcept {
  const char* v = std::getenv("AORM_LOG_SQL");
  LogMode mode = LogMode::full;
  if (v == nullptr || *v == '\0' || std::strcmp(v, "0") == 0)
    mode = LogMode::off;
  else if (std::strcmp(v, "statements") == 0)
    mode = LogMode::statements;
  g_log.store(mode, std::memory_order_relaxed);
}

void log_sql(const Statement& stmt, std::chrono::nanoseconds duration, std::string_view alias,
             const char* error) {
  std::string line = "aorm: (";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", std::chrono::duration<double>(duration).count());
  line += buf;
  line += "s) ";
  line += stmt.sql;
  const bool with_values = g_log.load(std::memory_order_relaxed) == LogMode::full;
  if (with_values) {
    line += "; args=(";
    for (std::size_t i = 0; i < stmt.params.size(); ++i) {
      if (i) line += ", ";
      line += format_value(stmt.params[i]);
    }
    line += ")";
  }
  line += "; alias=";
  line += redact_url(alias);  // an alias is a name, but nothing stops one from being a URL
  if (error) {
    // A database's message may quote values after its first line (PostgreSQL's
    // "DETAIL: Key (email)=(a@b.c) already exists."): without parameters, only that line.
    std::string_view text = error;
    if (!with_values) text = text.substr(0, text.find('\n'));
    line += "; error=";
    line += text;
  }
  line += '\n';
  // One write per line, so concurrent loops do not interleave within a line.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace detail
}  // namespace aorm
