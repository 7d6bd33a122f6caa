// aorm/detail/query/delete.hpp — QuerySet.adelete()'s routine (runtime/src/query/deletion.cpp,
// Django's Collector): on_delete rules over every registered model, many-to-many links,
// cycles of keys.
//
// Contract: protected/restricted references raise ProtectedError before anything is
// deleted; when the delete reaches other tables everything runs in one transaction; the
// result counts rows per model label (labels with nothing deleted are left out).
#pragma once

#include "aorm/detail/query/state.hpp"
#include "aorm/meta.hpp"
#include "aorm/task.hpp"

namespace aorm::detail {

/// Deletes the rows (and first their many-to-many link rows) in one transaction.
Task<DeleteResult> remove(StatePtr s);

}  // namespace aorm::detail
