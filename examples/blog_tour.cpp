// blog_tour — a short guided tour of aorm's query API over the models of models/blog.yaml.
//
//   blog_tour [FILE]       (default: blog_tour.db; an existing file is deleted first)
//
// Each section prints a heading, the Django form it mirrors, and what the query returned.
//
// A note on compilers: the build uses clang++-19. g++ 12 miscompiles two forms inside a
// `co_await` expression (see TOOLCHAIN.md / README): braced temporaries of types with a
// destructor (`acreate({.title = ...})`) and initializer lists (`.in({1, 2})`). This file
// therefore builds such values into named locals first, which works with both compilers.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "blog/models.hpp"

namespace {

using blog::Article;
using blog::Author;
using blog::Tag;
using Status = blog::Article::Status;

const auto& A = Article::f;  // Article's fields: A.title, A.views, ...

// ---- small printing helpers ------------------------------------------------------------

void heading(std::string_view title, std::string_view django) {
  std::cout << "\n== " << title << "\n   (Django: " << django << ")\n";
}

std::string_view status_name(Status s) {
  return aorm::EnumTraits<Status>::values[static_cast<std::size_t>(s)];
}

/// "2024-03-02" for a timestamp.
std::string date_of(aorm::DateTime t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  std::ostringstream out;
  out << static_cast<int>(ymd.year()) << '-' << std::setw(2) << std::setfill('0')
      << static_cast<unsigned>(ymd.month()) << '-' << std::setw(2) << static_cast<unsigned>(ymd.day());
  return out.str();
}

void show(const Article& a) {
  std::cout << "   #" << a.id << "  " << std::left << std::setw(28) << a.title << std::right
            << " " << std::setw(9) << status_name(a.status) << "  views=" << a.views;
  if (a.published_at) std::cout << "  published " << date_of(*a.published_at);
  std::cout << '\n';
}

void show(const std::vector<Article>& articles) {
  if (articles.empty()) std::cout << "   (none)\n";
  for (const Article& a : articles) show(a);
}

aorm::DateTime utc(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}};
}

// ---- the tour --------------------------------------------------------------------------

aorm::Task<void> tour(std::string path) {
  aorm::Database db = co_await aorm::aconnect("sqlite:" + path);
  co_await db.acreate_tables(blog::app);
  std::cout << "Connected to sqlite:" << path << " and created the blog tables.\n";

  // -- creating rows
  heading("Creating rows", "Author.objects.acreate(...), Article.objects.abulk_create([...])");
  Author ada_in{.name = "Ada Lovelace", .email = "ada@example.com"};
  Author ada = co_await Author::objects.acreate(ada_in);
  Author linus_in{.name = "Linus", .email = "linus@example.com"};
  Author linus = co_await Author::objects.acreate(linus_in);

  std::vector<Tag> tag_rows{{.name = "cpp"}, {.name = "databases"}, {.name = "async"}};
  std::vector<Tag> tags = co_await Tag::objects.abulk_create(std::move(tag_rows));

  std::vector<Article> drafts{
      {.title = "Hello, aorm", .slug = "hello-aorm", .body = "First post",
       .status = Status::published, .views = 120, .rating = 4.5, .author = ada,
       .published_at = utc(2024, 1, 15)},
      {.title = "Coroutines all the way", .slug = "coroutines", .body = "co_await everything",
       .status = Status::published, .views = 340, .rating = 4.8, .author = ada,
       .published_at = utc(2024, 3, 2)},
      {.title = "SQLite in WAL mode", .slug = "sqlite-wal", .status = Status::published,
       .views = 75, .rating = 3.9, .author = linus, .published_at = utc(2024, 6, 20)},
      {.title = "Notes on indexes", .slug = "indexes", .status = Status::draft, .author = linus},
      {.title = "An old announcement", .slug = "old-news", .status = Status::archived,
       .views = 12, .author = ada, .published_at = utc(2023, 11, 5)},
  };
  std::vector<Article> articles = co_await Article::objects.abulk_create(std::move(drafts));
  std::cout << "   2 authors, " << tags.size() << " tags, " << articles.size()
            << " articles; article pks " << articles.front().id << ".." << articles.back().id << '\n';

  // -- filter + order_by + slice
  heading("Top two published articles by views",
          "Article.objects.filter(status='published').order_by('-views')[:2]");
  show(co_await Article::objects.filter(A.status == Status::published)
           .order_by(A.views.desc())
           .slice(0, 2)
           .alist());

  // -- aget, and DoesNotExist
  heading("One article by slug", "await Article.objects.aget(slug='sqlite-wal')");
  Article wal = co_await Article::objects.aget(A.slug == "sqlite-wal");
  show(wal);

  heading("A missing article", "except Article.DoesNotExist");
  try {
    co_await Article::objects.aget(A.slug == "no-such-article");
  } catch (const Article::DoesNotExist& e) {
    std::cout << "   caught Article::DoesNotExist: " << e.what() << '\n';
  }

  // -- acount / aexists
  heading("Counting", "acount(), aexists()");
  const std::int64_t drafts_count = co_await Article::objects.filter(A.status == Status::draft).acount();
  const bool any_archived = co_await Article::objects.filter(A.status == Status::archived).aexists();
  std::cout << "   drafts: " << drafts_count << ", any archived: " << std::boolalpha << any_archived << '\n';

  // -- lookups
  heading("Case-insensitive search", "filter(title__icontains='SQLITE')");
  show(co_await Article::objects.filter(A.title.icontains("SQLITE")).alist());

  heading("Membership", "filter(slug__in=['hello-aorm', 'indexes'])");
  const std::vector<std::string> wanted{"hello-aorm", "indexes"};
  show(co_await Article::objects.filter(A.slug.in(wanted)).order_by(A.slug).alist());

  heading("Published in the first half of 2024", "filter(published_at__range=(jan1, jun30))");
  show(co_await Article::objects.filter(A.published_at.range(utc(2024, 1, 1), utc(2024, 6, 30)))
           .order_by(A.published_at)
           .alist());

  heading("Composing predicates", "filter(Q(views__gt=100) | ~Q(status='published'))");
  show(co_await Article::objects.filter(A.views > 100 || !(A.status == Status::published))
           .order_by(A.id)
           .alist());

  // -- updates
  heading("Atomic increment", "filter(slug='sqlite-wal').aupdate(views=F('views') + 1)");
  const std::int64_t bumped =
      co_await Article::objects.filter(A.slug == "sqlite-wal").aupdate(A.views = A.views + 1);
  co_await wal.arefresh_from_db();
  std::cout << "   rows matched: " << bumped << ", views now " << wal.views << '\n';

  heading("Get or create", "aget_or_create(name='cpp') / aget_or_create(name='rust')");
  auto [cpp, cpp_created] = co_await Tag::objects.aget_or_create(Tag::f.name == "cpp");
  auto [rust, rust_created] = co_await Tag::objects.aget_or_create(Tag::f.name == "rust");
  std::cout << "   cpp: id " << cpp.id << (cpp_created ? " (created)" : " (existing)") << "; rust: id "
            << rust.id << (rust_created ? " (created)" : " (existing)") << '\n';

  heading("Update or create",
          "aupdate_or_create(slug='indexes', defaults={'status': 'published', 'views': 1})");
  auto [indexes, created] = co_await Article::objects.aupdate_or_create(
      A.slug == "indexes", aorm::defaults(A.status = Status::published, A.views = 1));
  std::cout << "   " << (created ? "created" : "updated") << " #" << indexes.id << ":\n";
  show(indexes);

  // -- aggregates and values
  heading("Aggregates", "aaggregate(total=Count('id'), avg_views=Avg('views'), top=Max('rating'))");
  auto [total, avg_views, top_rating] = co_await Article::objects.aaggregate(
      aorm::Count(A.id), aorm::Avg(A.views), aorm::Max(A.rating));
  std::cout << "   total=" << total << "  avg_views=" << std::fixed << std::setprecision(1)
            << avg_views.value_or(0) << "  top_rating=" << top_rating.value_or(0) << '\n';

  heading("values() and values_list()", "values('title', 'views'), values_list('slug', flat=True)");
  for (const auto& [title, views] :
       co_await Article::objects.order_by(A.views.desc()).values(A.title, A.views).slice(0, 3).alist())
    std::cout << "   " << title << ": " << views << '\n';
  std::cout << "   slugs:";
  for (const std::string& slug : co_await Article::objects.order_by(A.slug).values_list(A.slug).alist())
    std::cout << ' ' << slug;
  std::cout << '\n';

  heading("Grouping", "values('status').annotate(n=Count('id')).order_by('status')");
  for (const auto& [status, n] :
       co_await Article::objects.values(A.status).annotate(aorm::Count(A.id)).order_by(A.status).alist())
    std::cout << "   " << std::setw(9) << status_name(status) << ": " << n << '\n';

  // -- streaming
  heading("Streaming", "async for a in Article.objects.order_by('title').aiterator(chunk_size=2)");
  auto stream = Article::objects.order_by(A.title).aiterator(2);
  int streamed = 0;
  while (auto a = co_await stream.anext()) {
    std::cout << "   " << ++streamed << ". " << a->title << '\n';
  }

  // -- concurrency and query counting
  heading("Concurrent counts", "await asyncio.gather(qs1.acount(), qs2.acount(), qs3.acount())");
  {
    aorm::QueryCapture capture;
    auto [published, drafts_now, popular] = co_await aorm::gather(
        Article::objects.filter(A.status == Status::published).acount(),
        Article::objects.filter(A.status == Status::draft).acount(),
        Article::objects.filter(A.views >= 100).acount());
    std::cout << "   published=" << published << " drafts=" << drafts_now << " popular=" << popular
              << "  (" << capture.count() << " queries captured)\n";
  }

  // -- deleting
  heading("Deleting", "deleted, per_model = await Article.objects.filter(status='archived').adelete()");
  aorm::DeleteResult deleted = co_await Article::objects.filter(A.status == Status::archived).adelete();
  std::cout << "   deleted " << deleted.total << " row(s):";
  for (const auto& [label, n] : deleted.per_model) std::cout << ' ' << label << '=' << n;
  std::cout << '\n';

  const std::int64_t left = co_await Article::objects.acount();
  std::cout << "\nDone: " << left << " articles left.\n";
  co_await db.aclose();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "blog_tour.db";
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
  try {
    aorm::run(tour(path));
  } catch (const std::exception& e) {
    std::cerr << "blog_tour: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
