// temp_db.hpp — the shared per-test SQLite file (tests/common/temp_db.hpp) under this suite's namespace.
#pragma once

#include "../common/temp_db.hpp"

namespace faults {
using aorm_test::TempDbFile;
}  // namespace faults
