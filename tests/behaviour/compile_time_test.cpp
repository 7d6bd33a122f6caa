// What must not compile (API.md §3: comparisons are type-checked), checked with
// requires-expressions so that the suite itself compiles and the checks run at build time.
#include "blog_fixture.hpp"

#include <concepts>
#include <string>

namespace behaviour {
namespace {

// Each concept asks whether an expression over the field set `F` would compile; the field
// set is a template parameter so that an ill-formed expression is a substitution failure
// (false) rather than a hard error.
template <class F>
concept views_eq_string = requires(const F& f) { f.views == "x"; };
template <class F>
concept views_eq_int = requires(const F& f) { f.views == 1; };
template <class F>
concept title_gt_int = requires(const F& f) { f.title > 3; };
template <class F>
concept title_gt_string = requires(const F& f) { f.title > "m"; };
template <class F>
concept title_contains_int = requires(const F& f) { f.title.contains(3); };
template <class F>
concept views_assign_string = requires(const F& f) { f.views = std::string("x"); };
template <class F>
concept views_assign_views_plus_one = requires(const F& f) { f.views = f.views + 1; };
template <class F>
concept status_eq_int = requires(const F& f) { f.status == 2; };
template <class F>
concept status_eq_enum = requires(const F& f) { f.status == Article::Status::draft; };
template <class F>
concept author_eq_tag = requires(const F& f, const Tag& t) { f.author == t; };
template <class F>
concept author_eq_author = requires(const F& f, const Author& a) { f.author == a; };
template <class F>
concept in_wrong_type = requires(const F& f, const std::vector<std::string>& v) { f.views.in(v); };

TEST_CASE("comparisons with a value of the wrong type do not compile") {
  using Fields = std::remove_cvref_t<decltype(Article::f)>;
  // The well-typed forms compile ...
  static_assert(views_eq_int<Fields>);
  static_assert(title_gt_string<Fields>);
  static_assert(views_assign_views_plus_one<Fields>);
  static_assert(status_eq_enum<Fields>);
  static_assert(author_eq_author<Fields>);
  // ... and these do not: `Article::f.views == "x"`, `Article::f.title > 3`, ...
  static_assert(!views_eq_string<Fields>);
  static_assert(!title_gt_int<Fields>);
  static_assert(!title_contains_int<Fields>);
  static_assert(!views_assign_string<Fields>);
  static_assert(!status_eq_int<Fields>);
  static_assert(!author_eq_tag<Fields>);
  static_assert(!in_wrong_type<Fields>);
  CHECK(views_eq_int<Fields>);
  CHECK_FALSE(views_eq_string<Fields>);
  CHECK_FALSE(title_gt_int<Fields>);
}

template <class Q, class P>
concept filterable_by = requires(const Q& q, const P& p) { q.filter(p); };

TEST_CASE("a QuerySet of one model rejects another model's predicates") {
  using Q = decltype(Article::objects.all());
  using ArticlePredicate = decltype(Article::f.views > 1);
  using AuthorPredicate = decltype(Author::f.name == "x");
  static_assert(filterable_by<Q, ArticlePredicate>);
  static_assert(!filterable_by<Q, AuthorPredicate>);
  CHECK(filterable_by<Q, ArticlePredicate>);
  CHECK_FALSE(filterable_by<Q, AuthorPredicate>);
}

}  // namespace
}  // namespace behaviour

namespace behaviour {
namespace {

// Generated for every choices enum (found by argument-dependent lookup), over aorm::to_string
// and aorm::from_string<E>.
static_assert(to_string(Article::Status::published) == "published");
static_assert(aorm::from_string<Article::Status>("archived") == Article::Status::archived);
static_assert(!aorm::from_string<Article::Status>("Archived"));

TEST_CASE("choice enums convert to and from their stored text") {
  Article::Status s = Article::Status::draft;
  CHECK(to_string(s) == "draft");
  CHECK(from_string("published", s));
  CHECK(s == Article::Status::published);
  CHECK_FALSE(from_string("publishd", s));
  CHECK(s == Article::Status::published);  // unchanged
  CHECK(blog::to_string(Article::Status::archived) == "archived");
}

}  // namespace
}  // namespace behaviour
