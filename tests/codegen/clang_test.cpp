// The Clang front end: annotated C++ structs (aorm/model.hpp) to the same IR as YAML.
// Every test compiles a real header with Clang (about a second each).
#include <doctest/doctest.h>

#if AORM_WITH_CLANG

#include <filesystem>
#include <fstream>

#include "frontend/clang/parse.hpp"
#include "test_support.hpp"

using namespace aormc;
using namespace aormc::test;
using ir::FieldType;

namespace {

const ir::ManyToMany& m2m(const ir::Model& m, std::string_view name) {
  for (const ir::ManyToMany& r : m.many_to_many)
    if (r.name == name) return r;
  FAIL("no many_to_many " << name);
  return m.many_to_many.front();
}

}  // namespace

TEST_CASE("member types map to field types, std::optional to null") {
  ir::ModelSet set = header_ok(R"cpp(
#include <aorm/model.hpp>
namespace shop::v1 {
using Stamp = aorm::DateTime;  // a user's alias of an aorm type still maps
struct Tag {
  AORM_MODEL(Tag);
  AORM_FIELD(max_length = 20) std::string name;
};
struct Item {
  AORM_MODEL(Item);
  enum class Size { small, large, delete_ };
  enum class Backup { tape, disk };
  bool on;
  std::int32_t small_count;
  std::int64_t count;
  long long big;
  double ratio;
  std::string notes;
  AORM_FIELD(max_length = 10) std::string code;
  aorm::Date day;
  Stamp at;
  aorm::Time time;
  AORM_FIELD(max_digits = 8, decimal_places = 2) aorm::Decimal price;
  aorm::Uuid uid;
  aorm::Json data;
  aorm::Bytes blob;
  std::optional<std::int64_t> maybe;
  std::optional<aorm::Date> maybe_day;
  Size size;
  std::optional<Backup> backup;
  AORM_FIELD(on_delete = cascade) aorm::ForeignKey<Tag> tag;
  AORM_FIELD(on_delete = set_null, related_name = "+") aorm::ForeignKey<Tag, aorm::nullable> other_tag;
  AORM_FIELD(related_name = items) aorm::ManyToMany<Item, Tag> tags;
};
}
)cpp");
  CHECK(set.ns == "shop::v1");
  REQUIRE(set.models.size() == 2);
  const ir::Model& item = model(set, "Item");
  struct Expect {
    std::string_view name;
    FieldType type;
    bool nullable;
  };
  for (const Expect& e : std::initializer_list<Expect>{
           {"on", FieldType::boolean, false},        {"small_count", FieldType::int32, false},
           {"count", FieldType::int64, false},       {"big", FieldType::int64, false},
           {"ratio", FieldType::float64, false},     {"notes", FieldType::text, false},
           {"code", FieldType::string, false},       {"day", FieldType::date, false},
           {"at", FieldType::datetime, false},       {"time", FieldType::time, false},
           {"price", FieldType::decimal, false},     {"uid", FieldType::uuid, false},
           {"data", FieldType::json, false},         {"blob", FieldType::bytes, false},
           {"maybe", FieldType::int64, true},        {"maybe_day", FieldType::date, true},
           {"size", FieldType::string, false},       {"backup", FieldType::string, true},
           {"tag", FieldType::foreign_key, false},   {"other_tag", FieldType::foreign_key, true},
       }) {
    INFO("field " << e.name);
    const ir::Field& f = column(item, e.name);
    CHECK(f.type == e.type);
    CHECK(f.nullable == e.nullable);
  }
  // Declaration order, the implicit id first.
  CHECK(item.columns[0].name == "id");
  CHECK(item.columns[1].name == "on");
  CHECK(column(item, "code").max_length == 10);
  CHECK(column(item, "price").max_digits == 8);
  // An enum class: choices stored by enumerator name (a keyword-like `delete_` as written).
  const ir::Field& size = column(item, "size");
  REQUIRE(size.choices.size() == 3);
  CHECK(size.choices[2].value == "delete_");
  CHECK(size.enum_name == "Size");
  CHECK(size.max_length == 7);  // the longest choice
  CHECK(item.columns[static_cast<std::size_t>(item.find_column("tag"))].target == 0);
  CHECK(column(item, "other_tag").related_name.empty());
  CHECK(column(item, "other_tag").on_delete == ir::OnDelete::set_null);
  CHECK(m2m(item, "tags").target == 0);
  CHECK(m2m(item, "tags").table == "shop_v1_item_tags");
}

TEST_CASE("member initializers are the defaults, {} and no initializer are none") {
  ir::ModelSet set = header_ok(R"cpp(
#include <aorm/model.hpp>
namespace d {
constexpr std::int64_t kStart = 40 + 2;
struct Row {
  AORM_MODEL(Row);
  enum class Status { draft, published };
  std::int64_t plain;
  std::int64_t braces{};
  std::int64_t negative = -7;
  std::int64_t constant = kStart;
  std::int32_t braced{5};
  double half = 0.25;
  double two = 2;
  bool yes = true;
  std::string text = "it's \"quoted\"";
  AORM_FIELD(max_length = 5) std::string code{"abc"};
  Status status = Status::published;
  std::optional<std::string> none = std::nullopt;
  std::optional<std::int64_t> some = 3;
  aorm::DateTime when{};
};
}
)cpp");
  const ir::Model& row = model(set, "Row");
  using Kind = ir::Default::Kind;
  auto default_of = [&](std::string_view name) { return column(row, name).default_value; };
  CHECK_FALSE(default_of("plain").has_value());
  CHECK_FALSE(default_of("braces").has_value());
  CHECK_FALSE(default_of("when").has_value());
  auto check = [&](std::string_view name, Kind kind, std::string_view text) {
    INFO("field " << name);
    std::optional<ir::Default> d = default_of(name);
    REQUIRE(d.has_value());
    CHECK(d->kind == kind);
    CHECK(d->text == text);
  };
  check("negative", Kind::integer, "-7");
  check("constant", Kind::integer, "42");
  check("braced", Kind::integer, "5");
  check("half", Kind::floating, "0.25");
  check("two", Kind::floating, "2.0");
  check("yes", Kind::boolean, "true");
  check("text", Kind::string, "it's \"quoted\"");
  check("code", Kind::string, "abc");
  check("status", Kind::enumerator, "published");
  check("none", Kind::null, "");
  check("some", Kind::integer, "3");
}

TEST_CASE("AORM_MODEL and AORM_FIELD options reach the IR") {
  ir::ModelSet set = header_ok(R"cpp(
#include <aorm/model.hpp>
namespace o {
struct Author {
  AORM_MODEL(Author, table = "people", ordering = {"-born", name}, get_latest_by = born,
             indexes = {{name, born}}, unique_together = {{name, email}});
  AORM_FIELD(max_length = 50, index) std::string name;
  AORM_FIELD(max_length = 100, unique, db_column = mail) std::string email;
  AORM_FIELD(unique = false) aorm::Date born;
  AORM_FIELD(auto_now) aorm::DateTime touched;
};
struct Post {
  AORM_MODEL(Post, ordering = -id);
  AORM_FIELD(on_delete = protect, related_name = posts) aorm::ForeignKey<Author> author;
  AORM_FIELD(db_table = "o_post_readers", related_name = "+") aorm::ManyToMany<Post, Author> readers;
};
}
)cpp");
  const ir::Model& author = model(set, "Author");
  CHECK(author.table == "people");
  REQUIRE(author.ordering.size() == 2);
  CHECK(author.ordering[0].desc);
  CHECK(author.ordering[0].column == author.find_column("born"));
  CHECK(author.ordering[1].column == author.find_column("name"));
  REQUIRE(author.get_latest_by.has_value());
  CHECK(column(author, "name").index);
  CHECK(column(author, "email").unique);
  CHECK(column(author, "email").column == "mail");
  CHECK_FALSE(column(author, "born").unique);
  CHECK(column(author, "touched").auto_now);
  CHECK(author.indexes.size() == 3);  // index: true, meta.indexes, unique_together
  const ir::Model& post = model(set, "Post");
  CHECK(post.ordering.at(0).desc);
  CHECK(column(post, "author").on_delete == ir::OnDelete::protect);
  CHECK(column(post, "author").related_name == "posts");
  CHECK(m2m(post, "readers").table == "o_post_readers");
  CHECK(m2m(post, "readers").related_name.empty());
}

TEST_CASE("AORM_FIELD(one_to_one) makes a foreign key one-to-one, as type: one_to_one does in YAML") {
  ir::ModelSet set = header_ok(R"cpp(
#include <aorm/model.hpp>
namespace accounts {
struct User {
  AORM_MODEL(User);
  AORM_FIELD(max_length = 30, unique) std::string login;
};
struct Profile {
  AORM_MODEL(Profile);
  AORM_FIELD(one_to_one, on_delete = cascade) aorm::ForeignKey<User> user;
  AORM_FIELD(one_to_one, on_delete = set_null, related_name = backup_profile)
  aorm::ForeignKey<User, aorm::nullable> backup;
  AORM_FIELD(one_to_one = false, on_delete = cascade, related_name = "+") aorm::ForeignKey<User> creator;
  std::string bio;
};
}
)cpp");
  const ir::Model& profile = model(set, "Profile");
  CHECK(column(profile, "user").type == FieldType::one_to_one);
  CHECK(column(profile, "user").unique);  // one row per target
  CHECK(column(profile, "backup").type == FieldType::one_to_one);
  CHECK(column(profile, "backup").nullable);
  CHECK(column(profile, "creator").type == FieldType::foreign_key);
  CHECK_FALSE(column(profile, "creator").unique);

  // The same models in YAML generate the same code.
  diag::Diagnostics diags;
  std::optional<ir::ModelSet> from_yaml = aormc::load(R"yaml(
namespace: accounts
models:
  User:
    fields:
      login: { type: string, max_length: 30, unique: true }
  Profile:
    fields:
      user:    { type: one_to_one, to: User, on_delete: cascade }
      backup:  { type: one_to_one, to: User, null: true, on_delete: set_null, related_name: backup_profile }
      creator: { type: foreign_key, to: User, on_delete: cascade, related_name: "+" }
      bio:     { type: text }
)yaml", "accounts.yaml", diags);
  INFO(diags.render());
  REQUIRE(from_yaml.has_value());
  const auto from_cpp_files = aormc::generate(set, "accounts", "generated");
  const auto from_yaml_files = aormc::generate(*from_yaml, "accounts", "generated");
  REQUIRE(from_cpp_files.size() == from_yaml_files.size());
  for (std::size_t i = 0; i < from_cpp_files.size(); ++i) CHECK(from_cpp_files[i].content == from_yaml_files[i].content);
}

TEST_CASE("one_to_one on a member that is not a foreign key is an error at the flag") {
  CHECK(header_errors(R"cpp(#include <aorm/model.hpp>
namespace accounts {
struct User {
  AORM_MODEL(User);
  AORM_FIELD(one_to_one) std::int64_t boss;
  AORM_FIELD(one_to_one = maybe) aorm::ForeignKey<User> self;
};
}
)cpp") == "test.hpp:5:14: error: 'one_to_one' on field 'boss', which is not a foreign key\n"
          "test.hpp:5:14: note: a one-to-one relation is a member of type aorm::ForeignKey<T> (or "
          "aorm::ForeignKey<T, aorm::nullable>) with AORM_FIELD(one_to_one)\n"
          "test.hpp:6:27: error: 'one_to_one' is a flag: write 'one_to_one' or 'one_to_one = false'\n");
}

TEST_CASE("structs without AORM_MODEL and models of included headers are ignored") {
  diag::Diagnostics diags;
  std::vector<std::string> flags = header_flags();
  flags.push_back("-I" + source_path(""));
  std::optional<ir::ModelSet> set = aormc::load(R"cpp(
#include "models/library.hpp"   // its models belong to models/library.hpp
namespace mine {
struct Helper { int x = 0; void f(); };
struct Shelf {
  AORM_MODEL(Shelf);
  AORM_FIELD(on_delete = cascade) aorm::ForeignKey<library::Genre> genre;
};
}
)cpp", "shelf.hpp", diags, flags);
  // Shelf is the only model; its foreign key names a model this header does not define.
  CHECK_FALSE(set.has_value());
  CHECK(diags.render() == "shelf.hpp:7:35: error: unknown model 'Genre' in field 'Shelf.genre'\n");
}

TEST_CASE("a header without models, and a header Clang cannot compile, are errors") {
  CHECK(header_errors("#include <aorm/model.hpp>\nnamespace n { struct S { int x; }; }\n") ==
        "test.hpp:1:1: error: no models: no struct of this header uses AORM_MODEL(...)\n");
  CHECK(header_errors("#include <aorm/nothing_here.hpp>\n") ==
        "test.hpp:1:10: error: 'aorm/nothing_here.hpp' file not found\n");
}

TEST_CASE("options behind the user's own macro are read from the annotation") {
  diag::Diagnostics diags;
  std::optional<ir::ModelSet> set = load_header(R"cpp(
#include <aorm/model.hpp>
#define SHORT_TEXT AORM_FIELD(max_length = 5)
#define BAD_TEXT AORM_FIELD(max_lenght = 5)
namespace m {
struct Row {
  AORM_MODEL(Row);
  SHORT_TEXT std::string code;
  BAD_TEXT std::string other;
};
}
)cpp", diags);
  CHECK_FALSE(set.has_value());
  // The option is found, and its error points at the user's macro.
  CHECK(diags.render() == "test.hpp:9:3: error: unknown field option 'max_lenght' (did you mean 'max_length'?)\n");
}

TEST_CASE("compiler flags can come from a response file, as aorm_generate passes them") {
  const std::filesystem::path rsp = std::filesystem::temp_directory_path() / "aormc_clang_test.rsp";
  {
    std::ofstream out(rsp);
    out << "\"-I" << source_path("runtime/include") << "\"\n\"-DSHOP_TABLE=\\\"from_rsp\\\"\"\n";
  }
  diag::Diagnostics diags;
  std::optional<ir::ModelSet> set = aormc::load(R"cpp(
#include <aorm/model.hpp>
#ifndef SHOP_TABLE
#error "the definition did not arrive"
#endif
namespace r {
struct Item { AORM_MODEL(Item); std::int64_t n = 0; };
static_assert(sizeof(SHOP_TABLE) == 9);
}
)cpp", "rsp.hpp", diags, {"@" + rsp.string()});
  std::filesystem::remove(rsp);
  INFO(diags.render());
  CHECK(set.has_value());
}

TEST_CASE("Clang's resource directory is found without any configuration") {
  const std::filesystem::path dir = annotated::resource_dir();
  INFO(dir.string());
  CHECK(std::filesystem::exists(dir / "include" / "stddef.h"));
}

#endif  // AORM_WITH_CLANG
