// What must not compile (API.md §3), proved with requires-expressions: the field set is a
// template parameter so that an ill-formed expression is a substitution failure.
#include <doctest/doctest.h>

#include <string>
#include <type_traits>
#include <vector>

#include "model.hpp"

namespace {

using qt::Article;
using qt::Author;
using qt::Tag;
using Fields = std::remove_cvref_t<decltype(Article::f)>;

template <class F> concept views_eq_string = requires(const F& f) { f.views == "x"; };
template <class F> concept views_eq_int = requires(const F& f) { f.views == 1; };
template <class F> concept views_eq_double = requires(const F& f) { f.views < 1.5; };
template <class F> concept views_eq_bool = requires(const F& f) { f.views == true; };
template <class F> concept title_gt_int = requires(const F& f) { f.title > 3; };
template <class F> concept title_contains_int = requires(const F& f) { f.title.contains(3); };
template <class F> concept views_contains = requires(const F& f) { f.views.contains("1"); };
template <class F> concept views_assign_string = requires(const F& f) { f.views = std::string("x"); };
template <class F> concept views_assign_expr = requires(const F& f) { f.views = f.views + 1; };
template <class F> concept views_assign_title = requires(const F& f) { f.views = f.title; };
template <class F> concept title_plus_one = requires(const F& f) { f.title + 1; };
template <class F> concept status_eq_int = requires(const F& f) { f.status == 2; };
template <class F> concept status_eq_enum = requires(const F& f) { f.status == Article::Status::draft; };
template <class F> concept status_in_enums = requires(const F& f) { f.status.in({Article::Status::draft}); };
template <class F> concept author_eq_author = requires(const F& f, const Author& a) { f.author == a; };
template <class F> concept author_eq_tag = requires(const F& f, const Tag& t) { f.author == t; };
template <class F> concept author_eq_id = requires(const F& f) { f.author == std::int64_t{3}; };
template <class F> concept rating_eq_double = requires(const F& f) { f.rating == 2.5; };
template <class F> concept rating_isnull = requires(const F& f) { f.rating.isnull(); };
template <class F> concept rating_eq_nullopt = requires(const F& f) { f.rating == std::nullopt; };
template <class F> concept views_eq_nullopt = requires(const F& f) { f.views == std::nullopt; };
template <class F> concept views_assign_nullopt = requires(const F& f) { f.views = std::nullopt; };
template <class F> concept views_year = requires(const F& f) { f.views.year(); };
template <class F> concept created_year_eq_int = requires(const F& f) { f.created_at.year() == 2024; };
template <class F> concept created_eq_string = requires(const F& f) { f.created_at == "2024-01-01"; };
template <class F> concept in_wrong_type = requires(const F& f, const std::vector<std::string>& v) { f.views.in(v); };
template <class F> concept range_wrong_type = requires(const F& f) { f.views.range("a", "b"); };
template <class F> concept sum_of_title = requires(const F& f) { aorm::Sum(f.title); };
template <class F> concept count_distinct = requires(const F& f) { aorm::Count(f.id, {.distinct = true}); };
template <class F> concept count_filtered = requires(const F& f) { aorm::Count(f.id, f.views > 1); };
template <class F> concept count_other_model_filter = requires(const F& f) { aorm::Count(f.id, Author::f.name == "x"); };
template <class F> concept and_across_models = requires(const F& f) { (f.views > 1) && (Author::f.name == "x"); };

TEST_CASE("well-typed expressions compile") {
  static_assert(views_eq_int<Fields>);
  static_assert(views_assign_expr<Fields>);
  static_assert(status_eq_enum<Fields>);
  static_assert(status_in_enums<Fields>);
  static_assert(author_eq_author<Fields>);
  static_assert(author_eq_id<Fields>);
  static_assert(rating_eq_double<Fields>);
  static_assert(rating_isnull<Fields>);
  static_assert(rating_eq_nullopt<Fields>);
  static_assert(created_year_eq_int<Fields>);
  static_assert(count_distinct<Fields>);
  static_assert(count_filtered<Fields>);
  CHECK(views_eq_int<Fields>);
}

TEST_CASE("wrong-typed comparisons, lookups and assignments do not compile") {
  static_assert(!views_eq_string<Fields>);
  static_assert(!views_eq_bool<Fields>);
  static_assert(!views_eq_double<Fields>);  // no silent truncation of 1.5
  static_assert(!title_gt_int<Fields>);
  static_assert(!title_contains_int<Fields>);
  static_assert(!views_contains<Fields>);
  static_assert(!views_assign_string<Fields>);
  static_assert(!views_assign_title<Fields>);
  static_assert(!title_plus_one<Fields>);
  static_assert(!status_eq_int<Fields>);
  static_assert(!author_eq_tag<Fields>);
  static_assert(!views_eq_nullopt<Fields>);
  static_assert(!views_assign_nullopt<Fields>);
  static_assert(!views_year<Fields>);
  static_assert(!created_eq_string<Fields>);
  static_assert(!in_wrong_type<Fields>);
  static_assert(!range_wrong_type<Fields>);
  static_assert(!sum_of_title<Fields>);
  static_assert(!count_other_model_filter<Fields>);
  static_assert(!and_across_models<Fields>);
  CHECK_FALSE(views_eq_string<Fields>);
}

TEST_CASE("aggregates have the result types of API.md") {
  const auto& f = Article::f;
  static_assert(std::is_same_v<decltype(aorm::Count(f.id))::result_type, std::int64_t>);
  static_assert(std::is_same_v<decltype(aorm::Avg(f.views))::result_type, std::optional<double>>);
  static_assert(std::is_same_v<decltype(aorm::Sum(f.views))::result_type, std::optional<std::int64_t>>);
  static_assert(std::is_same_v<decltype(aorm::Sum(f.rating))::result_type, std::optional<double>>);
  static_assert(std::is_same_v<decltype(aorm::Max(f.created_at))::result_type, std::optional<aorm::DateTime>>);
  static_assert(std::is_same_v<decltype(aorm::Min(f.title))::result_type, std::optional<std::string>>);
  static_assert(std::is_same_v<decltype(aorm::StdDev(f.views))::result_type, std::optional<double>>);
  static_assert(std::is_same_v<decltype(Article::objects.values(f.title, f.author).alist()),
                               aorm::Task<std::vector<std::tuple<std::string, std::int64_t>>>>);
  static_assert(std::is_same_v<decltype(Article::objects.values_list(f.rating).alist()),
                               aorm::Task<std::vector<std::optional<double>>>>);
  static_assert(std::is_same_v<decltype(Article::objects.values(f.status).annotate(aorm::Count(f.id)).alist()),
                               aorm::Task<std::vector<std::tuple<Article::Status, std::int64_t>>>>);
  static_assert(std::is_same_v<decltype(Author::objects.annotate(aorm::Count(Author::f.id)).alist()),
                               aorm::Task<std::vector<std::tuple<Author, std::int64_t>>>>);
  CHECK(true);
}

template <class Q, class P> concept filterable_by = requires(const Q& q, const P& p) { q.filter(p); };

TEST_CASE("a QuerySet rejects another model's predicates and the Fields are constant") {
  using Q = decltype(Article::objects.all());
  static_assert(filterable_by<Q, decltype(Article::f.views > 1)>);
  static_assert(!filterable_by<Q, decltype(Author::f.name == "x")>);
  static constexpr aorm::Field<Article, std::int64_t> views{5};  // constexpr-constructible
  static_assert(views.column() == 5);
  CHECK(views.column() == 5);
}

}  // namespace
