// migrate/checksum.hpp — what aorm_migrations records of an applied migration, to notice an
// edit made after it was applied.
//
// The checksum is of the migration's canonical text: the file as aormc's writer would write
// it, without the opening comment (namespace, dependencies, operations, each option in its
// fixed order). So comments, blank lines, quoting and flow-vs-block layout do not count, and
// neither does a change in the SQL a later aormc computes for the same operations; anything
// that changes what the migration does (an operation, a field option, run_sql text, a
// dependency) does.
//
// The hash is 64-bit FNV-1a written as 16 lowercase hex digits: it guards against mistakes,
// not against an attacker (who could edit aorm_migrations as well).
#pragma once

#include <string>
#include <string_view>

#include "migrate/operation.hpp"

namespace aormc::migrate {

/// The canonical text of `m` (writer.hpp's body, without the comment).
std::string canonical_text(const Migration& m);

/// fnv1a64(canonical_text(m)) as 16 hex digits: "9f0c4d2e7a1b3c55".
std::string checksum(const Migration& m);

/// 64-bit FNV-1a of `bytes` as 16 lowercase hex digits.
std::string fnv1a64_hex(std::string_view bytes);

}  // namespace aormc::migrate
