// redact_url() (aorm/url.hpp) on every form a password takes, and every aconnect() error
// about a URL that reaches a message: none repeats the password.
#include <string>
#include <string_view>

#include "aorm/url.hpp"
#include "support.hpp"

namespace {

/// The password every test here uses; `./dev test` greps the whole run's logs for it.
constexpr std::string_view kPassword = "s3cret-aorm-test-pw";

/// What `fn` raises, as text ("" when it raises nothing).
template <class Fn>
std::string message_of(Fn fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("redact_url masks the password in every form and leaves URLs without one unchanged") {
  struct Case {
    std::string_view in, out;
  };
  const Case cases[] = {
      // URL userinfo
      {"postgresql://app:s3cret@db/x", "postgresql://app:***@db/x"},
      {"postgres://app:s3cret@db:5432/x?sslmode=require", "postgres://app:***@db:5432/x?sslmode=require"},
      {"postgresql://app:s%40c%2Fret@db/x", "postgresql://app:***@db/x"},     // percent-encoded
      {"postgresql://app:s3cret@h1:5432,h2:5433/x", "postgresql://app:***@h1:5432,h2:5433/x"},  // several hosts
      {"postgresql://app:s3cret@[::1]:5432/x", "postgresql://app:***@[::1]:5432/x"},  // IPv6
      {"postgresql://app:s3cret@/x?host=/run/pg", "postgresql://app:***@/x?host=/run/pg"},
      // URL parameters
      {"postgresql://db/x?password=s3cret", "postgresql://db/x?password=***"},
      {"postgresql://db/x?sslmode=require&password=s3cret&user=app",
       "postgresql://db/x?sslmode=require&password=***&user=app"},
      {"postgresql://db/x?PASSWORD=s3cret", "postgresql://db/x?PASSWORD=***"},
      {"postgresql://db/x?pass%77ord=s3cret", "postgresql://db/x?pass%77ord=***"},  // encoded key
      {"postgresql://db/x?sslpassword=s3cret", "postgresql://db/x?sslpassword=***"},
      {"postgresql://u:a@db/x?password=b", "postgresql://u:***@db/x?password=***"},
      // libpq conninfo keywords
      {"host=db user=app password=s3cret dbname=x", "host=db user=app password=*** dbname=x"},
      {"password=s3cret", "password=***"},
      {"host=db password = s3cret", "host=db password = ***"},
      {"host=db password='a b c' user=app", "host=db password=*** user=app"},
      {R"(host=db password='it\'s me' user=app)", "host=db password=*** user=app"},
      {R"(host=db password='unterminated user=app)", "host=db password=***"},
      {"host=db password=a&b user=app", "host=db password=*** user=app"},
      // Malformed: whatever could be a password is masked
      {"postgresql://app:pa/ss@db/x", "postgresql://app:***@db/x"},
      {"postgresql://app:pa?ss@db/x", "postgresql://app:***@db/x"},
      {"postgresql://app:pa@ss@db/x", "postgresql://app:***@db/x"},
      {"app:s3cret@db/x", "app:***@db/x"},                      // no scheme
      {"postgresql//app:s3cret@db/x", "postgresql//app:***@db/x"},  // no "://"
      // No password: unchanged
      {"postgresql://app@db/x", "postgresql://app@db/x"},
      {"postgresql://app:@db/x", "postgresql://app:@db/x"},
      {"postgresql://db:5432/x?sslmode=verify-full", "postgresql://db:5432/x?sslmode=verify-full"},
      {"postgresql://[::1]:5432,[::2]/x", "postgresql://[::1]:5432,[::2]/x"},
      {"host=db user=app dbname=x", "host=db user=app dbname=x"},
      {"host=db passfile=/home/app/.pgpass", "host=db passfile=/home/app/.pgpass"},
      {"sqlite:///var/lib/app.db", "sqlite:///var/lib/app.db"},
      {"sqlite::memory:", "sqlite::memory:"},
      {"sqlite:relative/path.db", "sqlite:relative/path.db"},
      {"", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    CHECK(aorm::redact_url(c.in) == c.out);
  }
}

TEST_CASE("redact_message masks a URL's password wherever a message quotes it or a piece of it") {
  const std::string url = "postgresql://app:s3cret-aorm-test-pw/x@127.0.0.1:1/db";
  // libpq reads "app" as the host and "s3cret-aorm-test-pw" as the port.
  const std::string masked = aorm::detail::redact_message(
      "invalid integer value \"s3cret-aorm-test-pw\" for connection option \"port\"; URI: " + url, url);
  CHECK(masked.find(kPassword) == std::string::npos);
  CHECK(masked.find("postgresql://app:***@127.0.0.1:1/db") != std::string::npos);
  // Percent-encoded in the URL, decoded in the message.
  const std::string encoded = "postgresql://app:s3cret%2Daorm%2Dtest%2Dpw@db/x";
  CHECK(aorm::detail::redact_message("password \"s3cret-aorm-test-pw\"", encoded) == "password \"***\"");
  // Secrets shorter than three characters are left alone (they would mask everything).
  CHECK(aorm::detail::mask_secrets("a b", {"a", "b"}) == "a b");
}

TEST_CASE("every aconnect error about a URL masks its password") {
  const std::string pw(kPassword);
  const std::string urls[] = {
      "mysql://app:" + pw + "@db/x",                 // an unknown scheme
      "app:" + pw + "@db/x",                         // no scheme: "app" is taken for one
      "password=" + pw + " host=db:5432",            // a conninfo string, which aconnect does not take
      "sqlite:///tmp/x.db?password=" + pw,           // a query parameter on an sqlite URL
      "sqlite://app:" + pw + "@db/x?mode=ro",        // a server URL with the sqlite scheme
      "sqlite://app:" + pw + "@aorm-no-such-dir/x.db",  // a file SQLite cannot open
#ifndef AORM_WITH_POSTGRES
      "postgresql://app:" + pw + "@127.0.0.1:1/x",   // a backend not built
#endif
  };
  for (const std::string& url : urls) {
    CAPTURE(aorm::redact_url(url));  // never the URL itself: doctest prints captures on failure
    const std::string what = message_of([&] { aorm::run(aorm::aconnect(url)); });
    CHECK(!what.empty());
    CHECK(what.find(pw) == std::string::npos);
    // Each of these messages quotes the URL, masked (a conninfo string has no scheme to quote).
    CHECK(what.find("***") != std::string::npos);
  }
}
