// aormc graph: the diagram of a model file (codegen/introspect/graph.hpp), and the README's
// Mermaid diagram of the blog models, which must be what `aormc graph` prints today.
// AORM_UPDATE_GOLDEN=1 rewrites the README's block.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "introspect/graph.hpp"
#include "pipeline.hpp"

namespace {

namespace fs = std::filesystem;
using aormc::introspect::GraphFormat;

const fs::path kRoot = fs::path(AORM_MIGRATIONS_TEST_DIR).parent_path().parent_path();

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

aormc::ir::ModelSet load(const std::string& text, const std::string& file = "models.yaml") {
  aormc::diag::Diagnostics diags;
  auto set = aormc::load(text, file, diags);
  REQUIRE_MESSAGE(set, diags.render());
  return *set;
}

constexpr std::string_view kBegin = "<!-- aormc graph models/blog.yaml --format mermaid (a test keeps this current) -->\n```mermaid\n";
constexpr std::string_view kEnd = "```\n<!-- end of the generated diagram -->";

}  // namespace

TEST_CASE("graph draws models, typed fields and every kind of relation, the same bytes every time") {
  const std::string models = R"(namespace: shop
models:
  User:
    fields:
      email: { type: string, max_length: 200, unique: true }
  Profile:
    fields:
      user: { type: one_to_one, to: User, on_delete: cascade, related_name: profile }
      bio: { type: text, null: true }
  Item:
    fields:
      price: { type: decimal, max_digits: 10, decimal_places: 2 }
      owner: { type: foreign_key, to: User, on_delete: set_null, null: true, related_name: items }
      watchers: { type: many_to_many, to: User, related_name: watched }
)";
  const auto set = load(models);
  const std::string mermaid = aormc::introspect::graph(set, GraphFormat::mermaid);
  CHECK(mermaid ==
        "erDiagram\n"
        "    User {\n"
        "        int64 id PK\n"
        "        string(200) email UK\n"
        "    }\n"
        "    Profile {\n"
        "        int64 id PK\n"
        "        one_to_one(User) user FK\n"
        "        text bio\n"
        "    }\n"
        "    Item {\n"
        "        int64 id PK\n"
        "        decimal(10-2) price\n"
        "        foreign_key(User) owner FK\n"
        "    }\n"
        "    User ||--o| Profile : \"user\"\n"
        "    User |o--o{ Item : \"owner\"\n"
        "    Item }o--o{ User : \"watchers\"\n");
  CHECK(aormc::introspect::graph(load(models), GraphFormat::mermaid) == mermaid);

  const std::string dot = aormc::introspect::graph(set, GraphFormat::dot);
  CHECK(dot.starts_with("digraph shop {\n"));
  CHECK(dot.find("    Item [label=\"{Item\\ (shop_item)|id\\ :\\ int64\\ [PK]\\l") != std::string::npos);
  CHECK(dot.find("    Profile -> User [label=\"user\", arrowhead=tee];\n") != std::string::npos);
  CHECK(dot.find("    Item -> User [label=\"owner\", style=dashed];\n") != std::string::npos);
  CHECK(dot.find("    Item -> User [label=\"watchers\", dir=both, arrowhead=crow, arrowtail=crow];\n") !=
        std::string::npos);
  CHECK(dot.ends_with("}\n"));
}

TEST_CASE("the README's diagram of the blog models is what aormc graph prints") {
  const fs::path readme = kRoot / "README.md";
  std::string text = read(readme);
  const std::size_t begin = text.find(kBegin);
  REQUIRE_MESSAGE(begin != std::string::npos, "README.md has no '" << kBegin << "' marker");
  const std::size_t from = begin + kBegin.size();
  const std::size_t end = text.find(kEnd, from);
  REQUIRE(end != std::string::npos);
  const std::string expected =
      aormc::introspect::graph(load(read(kRoot / "models/blog.yaml"), "models/blog.yaml"), GraphFormat::mermaid);
  if (std::getenv("AORM_UPDATE_GOLDEN")) {
    text.replace(from, end - from, expected);
    std::ofstream(readme, std::ios::binary) << text;
    return;
  }
  CHECK_MESSAGE(text.substr(from, end - from) == expected,
                "README.md's blog diagram is stale; refresh it with "
                "AORM_UPDATE_GOLDEN=1 build/tests/migrations/migrations_tests -tc='the README*' "
                "(or paste the output of: aormc graph models/blog.yaml --format mermaid)");
}
