// aorm/url.hpp — database URLs without their passwords, for messages and logs.
//
//   aorm::redact_url("postgresql://app:s3cret@db/x")     → "postgresql://app:***@db/x"
//   aorm::redact_url("host=db password='a b\\'c' user=u") → "host=db password=*** user=u"
//   aorm::redact_url("postgresql://db/x?password=pw")    → "postgresql://db/x?password=***"
//   aorm::redact_url("sqlite:///var/app.db")              → "sqlite:///var/app.db" (unchanged)
//
// aorm itself passes every URL and conninfo through redact_url() before it puts one in an
// exception, a log line or aormc's output; an application that logs its configuration can
// do the same. docs/security.md says what is masked and why.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aorm {

/// `url` (a database URL as aconnect() takes it, or a libpq key=value conninfo string) with
/// every password replaced by `***`:
///   - URL userinfo: what follows the first ':' up to the last '@' of the authority
///     (percent-encoded or not, and also when the URL is malformed: a missing scheme,
///     a '/', '?' or '@' inside the password);
///   - a key ending in `password` (password, sslpassword) with `=`: a libpq keyword's value
///     (up to white space, or a whole '…'-quoted value with its \' escapes; an unterminated
///     quote masks to the end), or a URL query parameter's value (up to the next '&'), the
///     key compared case-insensitively and percent-decoded.
/// A URL with no password comes back unchanged. It errs towards masking: in
/// "postgresql://db:5432/x?application_name=a@b" the text between ':' and '@' is masked,
/// as it would be a password if the '?' belonged to one.
std::string redact_url(std::string_view url);

namespace detail {

/// The passwords redact_url() masks in `url`, as written and percent-decoded (empty ones
/// left out), for masking them wherever else they may appear (a libpq message quoting part
/// of a malformed URL).
std::vector<std::string> url_secrets(std::string_view url);

/// `text` with every occurrence of each of `secrets` of three characters or more replaced
/// by `***` (shorter ones would turn the text into noise; a password that short is no
/// secret anyway).
std::string mask_secrets(std::string text, const std::vector<std::string>& secrets);

/// A message that may quote `url` or pieces of it (libpq's own errors): every copy of `url`
/// replaced by redact_url(url), then mask_secrets(url_secrets(url)).
std::string redact_message(std::string message, std::string_view url);

}  // namespace detail
}  // namespace aorm
