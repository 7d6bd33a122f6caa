// generated/ is aormc's output for models/: regenerate in memory and compare.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "test_support.hpp"

using namespace aormc;
using namespace aormc::test;

TEST_CASE("generated/ is up to date with models/*.yaml") {
  std::vector<std::filesystem::path> models;
  for (const auto& entry : std::filesystem::directory_iterator(source_path("models")))
    if (entry.path().extension() == ".yaml") models.push_back(entry.path());
  std::sort(models.begin(), models.end());
  REQUIRE_FALSE(models.empty());
  for (const std::filesystem::path& path : models) {
    const std::string input = "models/" + path.filename().string();
    diag::Diagnostics diags;
    std::optional<ir::ModelSet> set = aormc::load(*read(path.string()), input, diags);
    INFO(diags.render());
    REQUIRE(set.has_value());
    for (const emit::cpp::GeneratedFile& file : aormc::generate(*set, input, "generated")) {
      std::optional<std::string> checked_in = read(source_path("generated/" + file.path));
      const bool fresh = checked_in && *checked_in == file.content;
      CHECK_MESSAGE(fresh, "generated/" << file.path << " is stale; from the repository root run: "
                                        << aormc::generate_command(input, "generated"));
    }
  }
}

#if AORM_WITH_CLANG
TEST_CASE("generated/ is up to date with models/*.hpp (annotated C++)") {
  std::vector<std::filesystem::path> headers;
  for (const auto& entry : std::filesystem::directory_iterator(source_path("models")))
    if (entry.path().extension() == ".hpp") headers.push_back(entry.path());
  std::sort(headers.begin(), headers.end());
  REQUIRE_FALSE(headers.empty());
  // The banner shows the flags relative to the repository root, as a developer runs it.
  const std::vector<std::string> shown_flags = {"-Iruntime/include"};
  for (const std::filesystem::path& path : headers) {
    const std::string input = "models/" + path.filename().string();
    diag::Diagnostics diags;
    std::optional<ir::ModelSet> set = aormc::load(*read(path.string()), input, diags, header_flags());
    INFO(diags.render());
    REQUIRE(set.has_value());
    for (const emit::cpp::GeneratedFile& file : aormc::generate(*set, input, "generated", shown_flags)) {
      std::optional<std::string> checked_in = read(source_path("generated/" + file.path));
      const bool fresh = checked_in && *checked_in == file.content;
      CHECK_MESSAGE(fresh, "generated/" << file.path << " is stale; from the repository root run: "
                                        << aormc::generate_command(input, "generated", shown_flags));
    }
  }
}
#endif

TEST_CASE("generated files open with a banner, the regenerate command and the runtime version check") {
  ir::ModelSet set = load_ok(*read(source_path("models/blog.yaml")));
  for (const emit::cpp::GeneratedFile& file : aormc::generate(set, "models/blog.yaml", "generated")) {
    INFO(file.path);
    CHECK(file.content.starts_with("// " + file.path + " — "));
    CHECK(file.content.find("DO NOT EDIT") < 400);
    CHECK(file.content.find("aormc generate models/blog.yaml --out generated") < 400);
    CHECK(file.content.find("#if AORM_RUNTIME_VERSION != 1\n#error") != std::string::npos);
  }
}

TEST_CASE("the header follows the contract: members in order, Fields indexes, traits") {
  ir::ModelSet set = load_ok(*read(source_path("models/blog.yaml")));
  const std::string header = aormc::generate(set, "models/blog.yaml", "generated")[0].content;
  auto has = [&](const std::string& s) { return header.find(s) != std::string::npos; };
  CHECK(has("enum class Status { draft, published, archived };"));
  CHECK(has("Status status = Status::draft;"));
  CHECK(has("std::optional<std::string> body{};"));
  CHECK(has("aorm::ForeignKey<Author> author{};"));
  CHECK(has("aorm::ForeignKey<Author, aorm::nullable> author{};"));
  CHECK(has("aorm::ManyToMany<Article, Tag> tags{};"));
  CHECK(has("aorm::DateTime created_at{};"));
  CHECK(has("aorm::Field<Article, aorm::ForeignKey<Author>> author{7};"));
  CHECK(has("aorm::ManyToManyField<Article, Tag> tags{0};"));
  CHECK(has("aorm::Field<Article, std::int64_t> pk{0};"));
  CHECK(has("static constexpr std::array<std::string_view, 3> values{\"draft\", \"published\", \"archived\"};"));
  CHECK(has("extern const aorm::App app;"));
  // Members keep YAML order, with id first and many_to_many last.
  CHECK(header.find("std::int64_t id = 0;") < header.find("std::string title{};"));
  CHECK(header.find("std::optional<aorm::DateTime> published_at{};") < header.find("aorm::ManyToMany<Article, Tag> tags{};"));
}

TEST_CASE("json.hpp converts every member by its field name, and requires the fields without a default") {
  ir::ModelSet set = load_ok(*read(source_path("models/blog.yaml")));
  const std::vector<emit::cpp::GeneratedFile> files = aormc::generate(set, "models/blog.yaml", "generated");
  REQUIRE(files.size() == 3);
  CHECK(files[2].path == "blog/json.hpp");
  const std::string& json = files[2].content;
  auto has = [&](const std::string& s) { return json.find(s) != std::string::npos; };
  CHECK(has("#include <aorm/json.hpp>"));
  CHECK(has("#include \"blog/models.hpp\""));
  CHECK(has("inline Article tag_invoke(boost::json::value_to_tag<Article>, const boost::json::value& in);"));
  CHECK(has("aorm::json::put(o, \"author\", obj.author);"));
  CHECK(has("aorm::json::put_set(o, \"tags\", obj.tags);"));
  CHECK(has("aorm::json::put_set(o, \"comments\", obj.comments);"));  // a reverse set
  CHECK(has("aorm::json::get(o, \"title\", obj.title, aorm::json::Presence::required);"));
  CHECK(has("aorm::json::get(o, \"id\", obj.id, aorm::json::Presence::optional);"));          // auto-increment
  CHECK(has("aorm::json::get(o, \"views\", obj.views, aorm::json::Presence::optional);"));    // default
  CHECK(has("aorm::json::get(o, \"body\", obj.body, aorm::json::Presence::optional);"));      // nullable
  CHECK(has("aorm::json::get(o, \"created_at\", obj.created_at, aorm::json::Presence::optional);"));  // auto_now_add
  // Every model's overloads are declared before any is defined (relations refer both ways).
  CHECK(json.find("inline Comment tag_invoke(boost::json::value_to_tag<Comment>, const boost::json::value& in);") <
        json.find("inline void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const Author& obj) {"));
}
