// aaggregate with every aggregate, filtered and distinct aggregates, empty sets; values,
// values_list and values(...).annotate(...) grouping.
#include "blog_fixture.hpp"

#include <cmath>
#include <tuple>

namespace behaviour {
namespace {

const auto& f = Article::f;

TEST_CASE("aaggregate computes Count, Sum, Avg, Min, Max, StdDev and Variance in one query") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    aorm::QueryCapture cap;
    // views are 10, 25, 0, 5: mean 10, population variance 87.5 (Django's default).
    auto [n, sum, avg, lo, hi, sd, var] = co_await Article::objects.aaggregate(
        aorm::Count(f.id), aorm::Sum(f.views), aorm::Avg(f.views), aorm::Min(f.views),
        aorm::Max(f.views), aorm::StdDev(f.views), aorm::Variance(f.views));
    CHECK(cap.count() == 1);
    CHECK(n == 4);
    REQUIRE(sum.has_value());
    CHECK(*sum == 40);
    REQUIRE(avg.has_value());
    CHECK(*avg == doctest::Approx(10.0));
    REQUIRE(lo.has_value());
    CHECK(*lo == 0);
    REQUIRE(hi.has_value());
    CHECK(*hi == 25);
    REQUIRE(sd.has_value());
    CHECK(*sd == doctest::Approx(std::sqrt(87.5)));
    REQUIRE(var.has_value());
    CHECK(*var == doctest::Approx(87.5));
  });
}

TEST_CASE("aggregates of a nullable column skip NULLs") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    // ratings are 4.5, 3.0, NULL, 2.0
    auto [n, avg, lo, hi] = co_await Article::objects.aaggregate(
        aorm::Count(f.rating), aorm::Avg(f.rating), aorm::Min(f.rating), aorm::Max(f.rating));
    CHECK(n == 3);
    REQUIRE(avg.has_value());
    CHECK(*avg == doctest::Approx(9.5 / 3));
    CHECK(lo == 2.0);
    CHECK(hi == 4.5);
  });
}

TEST_CASE("aaggregate honours filter and distinct, and works on a filtered QuerySet") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    const auto published = f.status == Article::Status::published;
    auto [all, pub, authors, statuses, popular_views] = co_await Article::objects.aaggregate(
        aorm::Count(f.id), aorm::Count(f.id, published), aorm::Count(f.author, {.distinct = true}),
        aorm::Count(f.status, {.distinct = true}), aorm::Sum(f.views, f.views > 5));
    CHECK(all == 4);
    CHECK(pub == 2);
    CHECK(authors == 2);
    CHECK(statuses == 3);
    CHECK(popular_views == 35);

    auto [linus_count, linus_views] = co_await Article::objects.filter(f.author == b.linus)
                                          .aaggregate(aorm::Count(f.id), aorm::Sum(f.views));
    CHECK(linus_count == 2);
    CHECK(linus_views == 5);
  });
}

TEST_CASE("aggregates of an empty set are nullopt, and Count is 0") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    auto [n, sum, avg, lo, hi, sd] = co_await Article::objects.filter(f.views > 1000).aaggregate(
        aorm::Count(f.id), aorm::Sum(f.views), aorm::Avg(f.views), aorm::Min(f.rating),
        aorm::Max(f.created_at), aorm::StdDev(f.views));
    CHECK(n == 0);
    CHECK_FALSE(sum.has_value());
    CHECK_FALSE(avg.has_value());
    CHECK_FALSE(lo.has_value());
    CHECK_FALSE(hi.has_value());
    CHECK_FALSE(sd.has_value());
    auto [filtered_out] = co_await Article::objects.aaggregate(aorm::Sum(f.views, f.views > 1000));
    CHECK_FALSE(filtered_out.has_value());
  });
}

TEST_CASE("Max of a timestamp column is a timestamp") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    auto [latest, earliest] = co_await Article::objects.aaggregate(aorm::Max(f.published_at),
                                                                   aorm::Min(f.created_at));
    CHECK(latest == at(2024, 3, 2, 18, 5));
    CHECK(earliest == at(2023, 12, 1));
  });
}

TEST_CASE("values returns tuples of the named columns") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    std::vector<std::tuple<std::string, std::int64_t, std::optional<double>>> rows =
        co_await Article::objects.order_by(f.views).values(f.slug, f.views, f.rating).alist();
    REQUIRE(rows.size() == 4);
    CHECK(rows[0] == std::tuple<std::string, std::int64_t, std::optional<double>>{"draft-notes", 0, std::nullopt});
    CHECK(std::get<0>(rows[3]) == "async-cpp");
    CHECK(std::get<1>(rows[3]) == 25);
    CHECK(std::get<2>(rows[3]) == 3.0);
  });
}

TEST_CASE("values_list of one column returns the values themselves") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    std::vector<std::string> titles =
        co_await Article::objects.filter(f.author == b.ada).order_by(f.title).values_list(f.title).alist();
    CHECK(titles == std::vector<std::string>{"Async C++ in practice", "Hello World"});
    std::vector<Article::Status> statuses =
        co_await Article::objects.order_by(f.created_at).values_list(f.status).alist();
    CHECK(statuses == std::vector<Article::Status>{Article::Status::archived, Article::Status::published,
                                                   Article::Status::published, Article::Status::draft});
    auto none = co_await Article::objects.filter(f.views > 1000).values_list(f.title).alist();
    CHECK(none.empty());
  });
}

TEST_CASE("values(col).annotate(aggregates) groups by the column") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    auto per_status = co_await Article::objects.values(f.status)
                          .annotate(aorm::Count(f.id), aorm::Sum(f.views))
                          .order_by(f.status)
                          .alist();
    // Stored text orders archived < draft < published.
    REQUIRE(per_status.size() == 3);
    CHECK(std::get<0>(per_status[0]) == Article::Status::archived);
    CHECK(std::get<1>(per_status[0]) == 1);
    CHECK(std::get<0>(per_status[2]) == Article::Status::published);
    CHECK(std::get<1>(per_status[2]) == 2);
    CHECK(std::get<2>(per_status[2]) == 35);

    auto per_author = co_await Article::objects.values(f.author)
                          .annotate(aorm::Avg(f.rating))
                          .order_by(f.author)
                          .alist();
    REQUIRE(per_author.size() == 2);
    CHECK(std::get<1>(per_author[0]).value_or(-1) == doctest::Approx(3.75));  // Ada: 4.5 and 3.0
    CHECK(std::get<1>(per_author[1]).value_or(-1) == doctest::Approx(2.0));  // Linus: NULL and 2.0
  });
}

}  // namespace
}  // namespace behaviour
