// migrate/writer.hpp — a Migration as the text of its file (deterministic: same migration,
// same bytes; block style, one field per line, so that a review reads it like a diff).
#pragma once

#include <string>

#include "migrate/operation.hpp"

namespace aormc::migrate {

/// The file text of `m`; `source` (the model file) is named in the opening comment.
std::string write(const Migration& m, const std::string& source);

/// write() without its opening comment: namespace, dependencies, operations (what
/// checksum.hpp hashes).
std::string write_body(const Migration& m);

}  // namespace aormc::migrate
