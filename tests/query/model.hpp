// model.hpp — a hand-written model in exactly the shape aormc emits (docs/internals.md
// "What aormc emits"), so that the query layer is tested without the generator.
//
//   Author  id, name, email (unique)                         no ordering
//   Tag     id, name (unique)
//   Article id, title, slug (unique), body?, status (enum), views, rating?, author (FK),
//           created_at (auto_now_add), published_at?, updated_at (auto_now), tags (m2m)
//           ordering: -created_at; get_latest_by: created_at
//   Comment id, article (FK, cascade), author (nullable FK, set_null), tag (nullable FK, protect), body
#pragma once

#include <aorm/aorm.hpp>

#if AORM_RUNTIME_VERSION != 1
#error "model.hpp was written for aorm runtime version 1"
#endif

namespace qt {

struct Author;
struct Tag;
struct Article;
struct Comment;
struct Pin;

struct Author {
  std::int64_t id = 0;
  std::string name;
  std::string email;

  struct Fields;
  static const aorm::Manager<Author> objects;
  static const Fields f;
  struct DoesNotExist;
  struct MultipleObjectsReturned;
  aorm::Task<void> asave();
  aorm::Task<aorm::DeleteResult> adelete();
  aorm::Task<void> arefresh_from_db();
};

struct Tag {
  std::int64_t id = 0;
  std::string name;

  struct Fields;
  static const aorm::Manager<Tag> objects;
  static const Fields f;
  struct DoesNotExist;
  struct MultipleObjectsReturned;
  aorm::Task<void> asave();
  aorm::Task<aorm::DeleteResult> adelete();
  aorm::Task<void> arefresh_from_db();
};

struct Article {
  enum class Status { draft, published, archived };

  std::int64_t id = 0;
  std::string title;
  std::string slug;
  std::optional<std::string> body;
  Status status = Status::draft;
  std::int64_t views = 0;
  std::optional<double> rating;
  aorm::ForeignKey<Author> author;
  aorm::DateTime created_at{};
  std::optional<aorm::DateTime> published_at;
  aorm::DateTime updated_at{};
  aorm::ManyToMany<Article, Tag> tags;

  struct Fields;
  static const aorm::Manager<Article> objects;
  static const Fields f;
  struct DoesNotExist;
  struct MultipleObjectsReturned;
  aorm::Task<void> asave();
  aorm::Task<aorm::DeleteResult> adelete();
  aorm::Task<void> arefresh_from_db();
};

struct Comment {
  std::int64_t id = 0;
  aorm::ForeignKey<Article> article;
  aorm::ForeignKey<Author, aorm::nullable> author;
  aorm::ForeignKey<Tag, aorm::nullable> tag;
  std::string body;

  struct Fields;
  static const aorm::Manager<Comment> objects;
  static const Fields f;
  struct DoesNotExist;
  struct MultipleObjectsReturned;
  aorm::Task<void> asave();
  aorm::Task<aorm::DeleteResult> adelete();
  aorm::Task<void> arefresh_from_db();
};

struct Author::Fields {
  aorm::Field<Author, std::int64_t> id{0};
  aorm::Field<Author, std::string> name{1};
  aorm::Field<Author, std::string> email{2};
  aorm::Field<Author, std::int64_t> pk{0};
};
struct Author::DoesNotExist : aorm::DoesNotExist { using aorm::DoesNotExist::DoesNotExist; };
struct Author::MultipleObjectsReturned : aorm::MultipleObjectsReturned {
  using aorm::MultipleObjectsReturned::MultipleObjectsReturned;
};
inline const Author::Fields Author::f{};
inline const aorm::Manager<Author> Author::objects{};

struct Tag::Fields {
  aorm::Field<Tag, std::int64_t> id{0};
  aorm::Field<Tag, std::string> name{1};
  aorm::Field<Tag, std::int64_t> pk{0};
};
struct Tag::DoesNotExist : aorm::DoesNotExist { using aorm::DoesNotExist::DoesNotExist; };
struct Tag::MultipleObjectsReturned : aorm::MultipleObjectsReturned {
  using aorm::MultipleObjectsReturned::MultipleObjectsReturned;
};
inline const Tag::Fields Tag::f{};
inline const aorm::Manager<Tag> Tag::objects{};

struct Article::Fields {
  aorm::Field<Article, std::int64_t> id{0};
  aorm::Field<Article, std::string> title{1};
  aorm::Field<Article, std::string> slug{2};
  aorm::Field<Article, std::optional<std::string>> body{3};
  aorm::Field<Article, Article::Status> status{4};
  aorm::Field<Article, std::int64_t> views{5};
  aorm::Field<Article, std::optional<double>> rating{6};
  aorm::Field<Article, aorm::ForeignKey<Author>> author{7};
  aorm::Field<Article, aorm::DateTime> created_at{8};
  aorm::Field<Article, std::optional<aorm::DateTime>> published_at{9};
  aorm::Field<Article, aorm::DateTime> updated_at{10};
  aorm::ManyToManyField<Article, Tag> tags{0};
  aorm::Field<Article, std::int64_t> pk{0};
};
struct Article::DoesNotExist : aorm::DoesNotExist { using aorm::DoesNotExist::DoesNotExist; };
struct Article::MultipleObjectsReturned : aorm::MultipleObjectsReturned {
  using aorm::MultipleObjectsReturned::MultipleObjectsReturned;
};
inline const Article::Fields Article::f{};
inline const aorm::Manager<Article> Article::objects{};

struct Comment::Fields {
  aorm::Field<Comment, std::int64_t> id{0};
  aorm::Field<Comment, aorm::ForeignKey<Article>> article{1};
  aorm::Field<Comment, aorm::ForeignKey<Author, aorm::nullable>> author{2};
  aorm::Field<Comment, aorm::ForeignKey<Tag, aorm::nullable>> tag{3};
  aorm::Field<Comment, std::string> body{4};
  aorm::Field<Comment, std::int64_t> pk{0};
};
struct Comment::DoesNotExist : aorm::DoesNotExist { using aorm::DoesNotExist::DoesNotExist; };
struct Comment::MultipleObjectsReturned : aorm::MultipleObjectsReturned {
  using aorm::MultipleObjectsReturned::MultipleObjectsReturned;
};
inline const Comment::Fields Comment::f{};
inline const aorm::Manager<Comment> Comment::objects{};

/// A pin on an author's board: its key falls back to author 1 when the author is deleted
/// (on_delete set_default, the default being the member initialiser); a pin may answer
/// another one (a self-referencing key, on_delete cascade).
struct Pin {
  std::int64_t id = 0;
  aorm::ForeignKey<Author> author = 1;
  std::string note;
  aorm::ForeignKey<Pin, aorm::nullable> parent;

  struct Fields;
  static const aorm::Manager<Pin> objects;
  static const Fields f;
  struct DoesNotExist;
  struct MultipleObjectsReturned;
};
struct Pin::Fields {
  aorm::Field<Pin, std::int64_t> id{0};
  aorm::Field<Pin, aorm::ForeignKey<Author>> author{1};
  aorm::Field<Pin, std::string> note{2};
  aorm::Field<Pin, aorm::ForeignKey<Pin, aorm::nullable>> parent{3};
  aorm::Field<Pin, std::int64_t> pk{0};
};
struct Pin::DoesNotExist : aorm::DoesNotExist { using aorm::DoesNotExist::DoesNotExist; };
struct Pin::MultipleObjectsReturned : aorm::MultipleObjectsReturned {
  using aorm::MultipleObjectsReturned::MultipleObjectsReturned;
};
inline const Pin::Fields Pin::f{};
inline const aorm::Manager<Pin> Pin::objects{};

extern const aorm::App app;

}  // namespace qt

template <>
struct aorm::EnumTraits<qt::Article::Status> {
  static constexpr std::array<std::string_view, 3> values{"draft", "published", "archived"};
};

template <>
struct aorm::ModelTraits<qt::Author> {
  static const aorm::ModelMeta& meta() noexcept;
  static void write(const qt::Author& obj, int column, std::vector<aorm::Value>& out);
  static void read(qt::Author& obj, int column, const aorm::RowReader& row, int index);
  static std::int64_t& pk(qt::Author& obj) noexcept { return obj.id; }
  static const std::int64_t& pk(const qt::Author& obj) noexcept { return obj.id; }
};
template <>
struct aorm::ModelTraits<qt::Tag> {
  static const aorm::ModelMeta& meta() noexcept;
  static void write(const qt::Tag& obj, int column, std::vector<aorm::Value>& out);
  static void read(qt::Tag& obj, int column, const aorm::RowReader& row, int index);
  static std::int64_t& pk(qt::Tag& obj) noexcept { return obj.id; }
  static const std::int64_t& pk(const qt::Tag& obj) noexcept { return obj.id; }
};
template <>
struct aorm::ModelTraits<qt::Article> {
  static const aorm::ModelMeta& meta() noexcept;
  static void write(const qt::Article& obj, int column, std::vector<aorm::Value>& out);
  static void read(qt::Article& obj, int column, const aorm::RowReader& row, int index);
  static std::int64_t& pk(qt::Article& obj) noexcept { return obj.id; }
  static const std::int64_t& pk(const qt::Article& obj) noexcept { return obj.id; }
};
template <>
struct aorm::ModelTraits<qt::Comment> {
  static const aorm::ModelMeta& meta() noexcept;
  static void write(const qt::Comment& obj, int column, std::vector<aorm::Value>& out);
  static void read(qt::Comment& obj, int column, const aorm::RowReader& row, int index);
  static std::int64_t& pk(qt::Comment& obj) noexcept { return obj.id; }
  static const std::int64_t& pk(const qt::Comment& obj) noexcept { return obj.id; }
};
template <>
struct aorm::ModelTraits<qt::Pin> {
  static const aorm::ModelMeta& meta() noexcept;
  static void write(const qt::Pin& obj, int column, std::vector<aorm::Value>& out);
  static void read(qt::Pin& obj, int column, const aorm::RowReader& row, int index);
  static std::int64_t& pk(qt::Pin& obj) noexcept { return obj.id; }
  static const std::int64_t& pk(const qt::Pin& obj) noexcept { return obj.id; }
};
