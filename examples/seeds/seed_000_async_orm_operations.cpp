// Seed 000 "Async ORM Operations" in C++: the a-prefixed methods, async iteration,
// aaggregate and asyncio.gather.
//
//   seed_000_async_orm_operations [FILE]     (default: a file in the temp folder; deleted first)
#include "seed_common.hpp"

namespace seeds {
namespace {

const auto& A = Article::f;

aorm::Task<void> seed_000(std::string path) {
  aorm::Database db = co_await open_fresh(path);
  Author ada = co_await an_author();

  // # Create, update, delete
  // article = await Article.objects.acreate(title='New')
  // (the blog's Article also needs a unique slug and an author)
  section("acreate");
  Article fresh{.title = "New", .slug = "new", .author = ada};
  Article article = co_await Article::objects.acreate(fresh);
  std::cout << "created #" << article.id << " \"" << article.title << "\"\n";
  expect(article.id > 0 && article.status == Status::draft, "acreate fills pk and defaults");

  std::vector<Article> more{
      {.title = "Published one", .slug = "published-one", .status = Status::published, .views = 10, .author = ada},
      {.title = "Published two", .slug = "published-two", .status = Status::published, .views = 30, .author = ada},
      {.title = "Another draft", .slug = "another-draft", .author = ada}};
  co_await Article::objects.abulk_create(std::move(more));

  // # Single object
  // article = await Article.objects.aget(pk=1)
  // article = await Article.objects.afirst()
  section("aget / afirst");
  Article by_pk = co_await Article::objects.aget(A.pk == article.id);
  std::optional<Article> first = co_await Article::objects.afirst();
  std::cout << "aget(pk=" << article.id << "): " << by_pk.title << "; afirst(): "
            << (first ? first->title : "None") << '\n';
  expect(by_pk.id == article.id && first.has_value(), "aget / afirst");

  // # Existence and count
  // exists = await Article.objects.filter(status='published').aexists()
  // count = await Article.objects.filter(status='published').acount()
  section("aexists / acount");
  const bool exists = co_await Article::objects.filter(A.status == Status::published).aexists();
  const std::int64_t count = co_await Article::objects.filter(A.status == Status::published).acount();
  std::cout << "published exists: " << std::boolalpha << exists << ", count: " << count << '\n';
  expect(exists && count == 2, "two published articles");

  // await Article.objects.filter(status='draft').aupdate(status='archived')
  section("aupdate");
  const std::int64_t archived =
      co_await Article::objects.filter(A.status == Status::draft).aupdate(A.status = Status::archived);
  std::cout << "archived " << archived << " drafts\n";
  expect(archived == 2, "both drafts archived");

  // await article.adelete()
  section("instance adelete");
  aorm::DeleteResult deleted = co_await article.adelete();
  std::cout << "deleted " << deleted.total << " row(s)\n";
  expect(deleted.total == 1, "one article deleted");

  // # Get or create
  // article, created = await Article.objects.aget_or_create(
  //     slug='my-article', defaults={'title': 'My Article'})
  section("aget_or_create");
  auto [mine, created] = co_await Article::objects.aget_or_create(
      A.slug == "my-article", aorm::defaults(A.title = "My Article", A.author = ada));
  auto [again, created_again] = co_await Article::objects.aget_or_create(
      A.slug == "my-article", aorm::defaults(A.title = "My Article", A.author = ada));
  std::cout << "first call created: " << created << ", second call created: " << created_again << '\n';
  expect(created && !created_again && mine.id == again.id, "get_or_create created once");

  // # Async Iteration
  // async for article in Article.objects.filter(status='published'):
  //     articles.append({'title': article.title, 'author': await article.author.aload()})
  section("async iteration");
  auto published = Article::objects.filter(A.status == Status::published).aiterator();
  int n = 0;
  while (auto a = co_await published.anext()) {
    const Author& author = co_await a->author.aload();  // one query per article: the N+1 pattern
    std::cout << "  " << a->title << " by " << author.name << '\n';
    ++n;
  }
  expect(n == 2, "iterated the published articles");

  // articles = [a async for a in Article.objects.all()[:10]]
  std::vector<Article> first_ten = co_await Article::objects.all().slice(0, 10).alist();
  std::cout << "first ten: " << first_ten.size() << " articles\n";
  expect(first_ten.size() == 4, "four articles left");

  // # Async Aggregation
  // stats = await Article.objects.aaggregate(total=Count('id'), avg_views=Avg('views'))
  section("aaggregate");
  auto [total, avg_views] = co_await Article::objects.aaggregate(aorm::Count(A.id), aorm::Avg(A.views));
  std::cout << "total=" << total << " avg_views=" << avg_views.value_or(0) << '\n';
  expect(total == 4 && avg_views == 10.0, "aggregate over four articles (views 10, 30, 0, 0)");

  // Best practice: "Combine with asyncio.gather for parallel operations."
  section("gather");
  auto [drafts, arch, all] = co_await aorm::gather(
      Article::objects.filter(A.status == Status::draft).acount(),
      Article::objects.filter(A.status == Status::archived).acount(), Article::objects.acount());
  std::cout << "drafts=" << drafts << " archived=" << arch << " all=" << all << '\n';
  expect(drafts == 1 && arch == 1 && all == 4, "gathered counts");

  co_await db.aclose();
}

}  // namespace
}  // namespace seeds

int main(int argc, char** argv) {
  return seeds::run_example("seed_000", argc, argv, seeds::seed_000);
}
