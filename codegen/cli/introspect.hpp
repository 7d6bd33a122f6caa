// cli/introspect.hpp — aormc's commands that describe a schema (API.md §11): `graph` draws a
// model file, `inspectdb` writes the model file of an existing database. Built into aormc
// only: inspectdb reads the database through the runtime.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aormc::cli {

int graph(const std::vector<std::string>& args);
int inspectdb(const std::vector<std::string>& args);

inline constexpr std::string_view kIntrospectUsage =
    "       aormc graph MODELS --format mermaid|dot [-- COMPILER FLAGS]\n"
    "       aormc inspectdb --db URL [--namespace NS] [--table T ...]\n";

}  // namespace aormc::cli
