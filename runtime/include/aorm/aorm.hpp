// aorm/aorm.hpp — everything a user (and generated code) needs: #include <aorm/aorm.hpp>.
#pragma once

#include "aorm/detail/compiler_check.hpp"  // g++ < 13 stops here, with the reason

#define AORM_RUNTIME_VERSION 1

#include "aorm/errors.hpp"
#include "aorm/value.hpp"
#include "aorm/meta.hpp"
#include "aorm/task.hpp"
#include "aorm/runtime.hpp"
#include "aorm/types.hpp"
#include "aorm/database.hpp"
#include "aorm/capture.hpp"
#include "aorm/expr.hpp"
#include "aorm/relations.hpp"
#include "aorm/queryset.hpp"
