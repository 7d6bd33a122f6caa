// model.cpp — the source half of the hand-written test model (what aormc's models.cpp holds).
#include "model.hpp"

namespace qt {
namespace {

using aorm::ColumnMeta;
using aorm::FieldKind;

const aorm::ModelMeta& author_meta() noexcept;
const aorm::ModelMeta& tag_meta() noexcept;
const aorm::ModelMeta& article_meta() noexcept;

constexpr ColumnMeta author_columns[] = {
    {.name = "id", .column = "id", .kind = FieldKind::int64, .primary_key = true, .auto_increment = true},
    {.name = "name", .column = "name", .kind = FieldKind::string, .max_length = 100},
    {.name = "email", .column = "email", .kind = FieldKind::string, .unique = true, .max_length = 254},
};
constexpr ColumnMeta tag_columns[] = {
    {.name = "id", .column = "id", .kind = FieldKind::int64, .primary_key = true, .auto_increment = true},
    {.name = "name", .column = "name", .kind = FieldKind::string, .unique = true, .max_length = 50},
};
constexpr std::string_view status_choices[] = {"draft", "published", "archived"};
constexpr ColumnMeta article_columns[] = {
    {.name = "id", .column = "id", .kind = FieldKind::int64, .primary_key = true, .auto_increment = true},
    {.name = "title", .column = "title", .kind = FieldKind::string, .max_length = 200},
    {.name = "slug", .column = "slug", .kind = FieldKind::string, .unique = true, .max_length = 200},
    {.name = "body", .column = "body", .kind = FieldKind::text, .nullable = true},
    {.name = "status", .column = "status", .kind = FieldKind::string, .index = true, .has_default = true,
     .max_length = 9, .choices = status_choices},
    {.name = "views", .column = "views", .kind = FieldKind::int64, .has_default = true},
    {.name = "rating", .column = "rating", .kind = FieldKind::float64, .nullable = true},
    {.name = "author", .column = "author_id", .kind = FieldKind::foreign_key, .index = true,
     .target = &author_meta, .related_name = "articles"},
    {.name = "created_at", .column = "created_at", .kind = FieldKind::datetime, .auto_now_add = true},
    {.name = "published_at", .column = "published_at", .kind = FieldKind::datetime, .nullable = true},
    {.name = "updated_at", .column = "updated_at", .kind = FieldKind::datetime, .auto_now = true},
};
constexpr aorm::OrderMeta article_ordering[] = {{.column = 8, .desc = true}};
constexpr aorm::ManyToManyMeta article_m2m[] = {
    {.name = "tags", .table = "qt_article_tags", .source_column = "article_id", .target_column = "tag_id",
     .target = &tag_meta, .related_name = "articles"},
};

constexpr ColumnMeta comment_columns[] = {
    {.name = "id", .column = "id", .kind = FieldKind::int64, .primary_key = true, .auto_increment = true},
    {.name = "article", .column = "article_id", .kind = FieldKind::foreign_key, .index = true,
     .target = &article_meta, .on_delete = aorm::OnDelete::cascade, .related_name = "comments"},
    {.name = "author", .column = "author_id", .kind = FieldKind::foreign_key, .nullable = true, .index = true,
     .target = &author_meta, .on_delete = aorm::OnDelete::set_null, .related_name = "comments"},
    {.name = "tag", .column = "tag_id", .kind = FieldKind::foreign_key, .nullable = true, .index = true,
     .target = &tag_meta, .on_delete = aorm::OnDelete::protect, .related_name = "comments"},
    {.name = "body", .column = "body", .kind = FieldKind::text},
};

const aorm::ModelMeta& author_meta() noexcept {
  static constexpr aorm::ModelMeta m{.name = "Author", .label = "qt.Author", .table = "qt_author",
                                     .columns = author_columns};
  return m;
}
const aorm::ModelMeta& tag_meta() noexcept {
  static constexpr aorm::ModelMeta m{.name = "Tag", .label = "qt.Tag", .table = "qt_tag", .columns = tag_columns};
  return m;
}
const aorm::ModelMeta& article_meta() noexcept {
  static constexpr aorm::ModelMeta m{.name = "Article", .label = "qt.Article", .table = "qt_article",
                                     .columns = article_columns, .ordering = article_ordering,
                                     .get_latest_by = 8, .many_to_many = article_m2m};
  return m;
}

const aorm::ModelMeta& comment_meta() noexcept {
  static constexpr aorm::ModelMeta m{.name = "Comment", .label = "qt.Comment", .table = "qt_comment",
                                     .columns = comment_columns};
  return m;
}

const aorm::ModelMeta& pin_meta() noexcept;
constexpr ColumnMeta pin_columns[] = {
    {.name = "id", .column = "id", .kind = FieldKind::int64, .primary_key = true, .auto_increment = true},
    {.name = "author", .column = "author_id", .kind = FieldKind::foreign_key, .target = &author_meta,
     .on_delete = aorm::OnDelete::set_default, .related_name = "pins"},
    {.name = "note", .column = "note", .kind = FieldKind::text},
    {.name = "parent", .column = "parent_id", .kind = FieldKind::foreign_key, .nullable = true, .target = &pin_meta,
     .related_name = "answers"},
};
const aorm::ModelMeta& pin_meta() noexcept {
  static constexpr aorm::ModelMeta m{.name = "Pin", .label = "qt.Pin", .table = "qt_pin", .columns = pin_columns};
  return m;
}

constexpr std::string_view ddl_sqlite[] = {
    R"(CREATE TABLE "qt_author" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "name" VARCHAR(100) NOT NULL, "email" VARCHAR(254) NOT NULL UNIQUE))",
    R"(CREATE TABLE "qt_tag" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "name" VARCHAR(50) NOT NULL UNIQUE))",
    R"(CREATE TABLE "qt_article" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "title" VARCHAR(200) NOT NULL, "slug" VARCHAR(200) NOT NULL UNIQUE, "body" TEXT NULL, "status" VARCHAR(9) NOT NULL, "views" INTEGER NOT NULL, "rating" REAL NULL, "author_id" INTEGER NOT NULL REFERENCES "qt_author" ("id"), "created_at" TEXT NOT NULL, "published_at" TEXT NULL, "updated_at" TEXT NOT NULL))",
    R"(CREATE TABLE "qt_article_tags" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "article_id" INTEGER NOT NULL REFERENCES "qt_article" ("id"), "tag_id" INTEGER NOT NULL REFERENCES "qt_tag" ("id"), UNIQUE ("article_id", "tag_id")))",
    R"(CREATE TABLE "qt_comment" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "article_id" INTEGER NOT NULL REFERENCES "qt_article" ("id") DEFERRABLE INITIALLY DEFERRED, "author_id" INTEGER NULL REFERENCES "qt_author" ("id") DEFERRABLE INITIALLY DEFERRED, "tag_id" INTEGER NULL REFERENCES "qt_tag" ("id") DEFERRABLE INITIALLY DEFERRED, "body" TEXT NOT NULL))",
    R"(CREATE TABLE "qt_pin" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "author_id" INTEGER NOT NULL REFERENCES "qt_author" ("id") DEFERRABLE INITIALLY DEFERRED, "note" TEXT NOT NULL, "parent_id" INTEGER NULL REFERENCES "qt_pin" ("id") DEFERRABLE INITIALLY DEFERRED))",
};

}  // namespace

const aorm::ModelMeta* const app_models[] = {&author_meta(), &tag_meta(), &article_meta(), &comment_meta(),
                                             &pin_meta()};
const aorm::App app{.name = "qt", .models = app_models, .ddl_sqlite = ddl_sqlite, .ddl_postgres = {}};
// What generated code does so that deletes can follow foreign keys backwards.
[[maybe_unused]] const bool registered = aorm::detail::register_app(app);
[[maybe_unused]] const bool defaults_registered =
    aorm::detail::register_defaults(pin_meta(), &aorm::detail::write_default<Pin>);

aorm::Task<void> Author::asave() { return aorm::detail::save(*this); }
aorm::Task<aorm::DeleteResult> Author::adelete() { return aorm::detail::remove(*this); }
aorm::Task<void> Author::arefresh_from_db() { return aorm::detail::refresh(*this); }
aorm::Task<void> Tag::asave() { return aorm::detail::save(*this); }
aorm::Task<aorm::DeleteResult> Tag::adelete() { return aorm::detail::remove(*this); }
aorm::Task<void> Tag::arefresh_from_db() { return aorm::detail::refresh(*this); }
aorm::Task<void> Article::asave() { return aorm::detail::save(*this); }
aorm::Task<aorm::DeleteResult> Article::adelete() { return aorm::detail::remove(*this); }
aorm::Task<void> Article::arefresh_from_db() { return aorm::detail::refresh(*this); }
aorm::Task<void> Comment::asave() { return aorm::detail::save(*this); }
aorm::Task<aorm::DeleteResult> Comment::adelete() { return aorm::detail::remove(*this); }
aorm::Task<void> Comment::arefresh_from_db() { return aorm::detail::refresh(*this); }

}  // namespace qt

const aorm::ModelMeta& aorm::ModelTraits<qt::Author>::meta() noexcept { return qt::author_meta(); }
const aorm::ModelMeta& aorm::ModelTraits<qt::Tag>::meta() noexcept { return qt::tag_meta(); }
const aorm::ModelMeta& aorm::ModelTraits<qt::Article>::meta() noexcept { return qt::article_meta(); }
const aorm::ModelMeta& aorm::ModelTraits<qt::Comment>::meta() noexcept { return qt::comment_meta(); }
const aorm::ModelMeta& aorm::ModelTraits<qt::Pin>::meta() noexcept { return qt::pin_meta(); }

void aorm::ModelTraits<qt::Pin>::write(const qt::Pin& obj, int column, std::vector<aorm::Value>& out) {
  switch (column) {
    case 0: out.push_back(aorm::to_value(obj.id)); break;
    case 1: out.push_back(aorm::to_value(obj.author)); break;
    case 2: out.push_back(aorm::to_value(obj.note)); break;
    case 3: out.push_back(aorm::to_value(obj.parent)); break;
  }
}
void aorm::ModelTraits<qt::Pin>::read(qt::Pin& obj, int column, const aorm::RowReader& row, int index) {
  switch (column) {
    case 0: aorm::read_value(row, index, obj.id); break;
    case 1: aorm::read_value(row, index, obj.author); break;
    case 2: aorm::read_value(row, index, obj.note); break;
    case 3: aorm::read_value(row, index, obj.parent); break;
  }
}

void aorm::ModelTraits<qt::Comment>::write(const qt::Comment& obj, int column, std::vector<aorm::Value>& out) {
  switch (column) {
    case 0: out.push_back(aorm::to_value(obj.id)); break;
    case 1: out.push_back(aorm::to_value(obj.article)); break;
    case 2: out.push_back(aorm::to_value(obj.author)); break;
    case 3: out.push_back(aorm::to_value(obj.tag)); break;
    case 4: out.push_back(aorm::to_value(obj.body)); break;
  }
}
void aorm::ModelTraits<qt::Comment>::read(qt::Comment& obj, int column, const aorm::RowReader& row, int index) {
  switch (column) {
    case 0: aorm::read_value(row, index, obj.id); break;
    case 1: aorm::read_value(row, index, obj.article); break;
    case 2: aorm::read_value(row, index, obj.author); break;
    case 3: aorm::read_value(row, index, obj.tag); break;
    case 4: aorm::read_value(row, index, obj.body); break;
  }
}

void aorm::ModelTraits<qt::Author>::write(const qt::Author& obj, int column, std::vector<aorm::Value>& out) {
  switch (column) {
    case 0: out.push_back(aorm::to_value(obj.id)); break;
    case 1: out.push_back(aorm::to_value(obj.name)); break;
    case 2: out.push_back(aorm::to_value(obj.email)); break;
  }
}
void aorm::ModelTraits<qt::Author>::read(qt::Author& obj, int column, const aorm::RowReader& row, int index) {
  switch (column) {
    case 0: aorm::read_value(row, index, obj.id); break;
    case 1: aorm::read_value(row, index, obj.name); break;
    case 2: aorm::read_value(row, index, obj.email); break;
  }
}
void aorm::ModelTraits<qt::Tag>::write(const qt::Tag& obj, int column, std::vector<aorm::Value>& out) {
  switch (column) {
    case 0: out.push_back(aorm::to_value(obj.id)); break;
    case 1: out.push_back(aorm::to_value(obj.name)); break;
  }
}
void aorm::ModelTraits<qt::Tag>::read(qt::Tag& obj, int column, const aorm::RowReader& row, int index) {
  switch (column) {
    case 0: aorm::read_value(row, index, obj.id); break;
    case 1: aorm::read_value(row, index, obj.name); break;
  }
}
void aorm::ModelTraits<qt::Article>::write(const qt::Article& obj, int column, std::vector<aorm::Value>& out) {
  switch (column) {
    case 0: out.push_back(aorm::to_value(obj.id)); break;
    case 1: out.push_back(aorm::to_value(obj.title)); break;
    case 2: out.push_back(aorm::to_value(obj.slug)); break;
    case 3: out.push_back(aorm::to_value(obj.body)); break;
    case 4: out.push_back(aorm::to_value(obj.status)); break;
    case 5: out.push_back(aorm::to_value(obj.views)); break;
    case 6: out.push_back(aorm::to_value(obj.rating)); break;
    case 7: out.push_back(aorm::to_value(obj.author)); break;
    case 8: out.push_back(aorm::to_value(obj.created_at)); break;
    case 9: out.push_back(aorm::to_value(obj.published_at)); break;
    case 10: out.push_back(aorm::to_value(obj.updated_at)); break;
  }
}
void aorm::ModelTraits<qt::Article>::read(qt::Article& obj, int column, const aorm::RowReader& row, int index) {
  switch (column) {
    case 0: aorm::read_value(row, index, obj.id); break;
    case 1: aorm::read_value(row, index, obj.title); break;
    case 2: aorm::read_value(row, index, obj.slug); break;
    case 3: aorm::read_value(row, index, obj.body); break;
    case 4: aorm::read_value(row, index, obj.status); break;
    case 5: aorm::read_value(row, index, obj.views); break;
    case 6: aorm::read_value(row, index, obj.rating); break;
    case 7: aorm::read_value(row, index, obj.author); break;
    case 8: aorm::read_value(row, index, obj.created_at); break;
    case 9: aorm::read_value(row, index, obj.published_at); break;
    case 10: aorm::read_value(row, index, obj.updated_at); break;
  }
}
