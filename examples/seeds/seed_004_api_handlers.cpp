// Seed 004 "Async Django ORM" (async API handlers) in C++: the basic methods, iteration,
// pagination, aggregations, bulk operations, a transfer in a transaction, and the common
// mistakes. The N+1 / select_related / prefetch_related sections need relation loading and
// are marked for the later issue.
//
//   seed_004_api_handlers [FILE]     (default: a file in the temp folder; deleted first)
//
// Stand-ins: published=True ↦ status == published, draft=True ↦ status == draft,
// content ↦ body, comment_count ↦ views, Account.balance ↦ Article.views.
#include "seed_common.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "blog/json.hpp"  // Boost.JSON conversions of the blog models

namespace seeds {
namespace {

const auto& A = Article::f;

/// A handler's JSON answer for a list of articles: [{"id": 1, "title": "...", ...}, ...], every
/// field by the generated conversion (the author as its id, or nested when select_related
/// loaded it; tags as an array once prefetched).
std::string items(const std::vector<Article>& articles) {
  return boost::json::serialize(boost::json::value_from(articles));
}

// @api.get("/articles")
// async def list_articles():
//     async for article in Article.objects.filter(published=True)[:20]:
//         articles.append({"id": article.id, "title": article.title})
aorm::Task<std::vector<Article>> list_articles() {
  std::vector<Article> articles;
  auto stream = Article::objects.filter(A.status == Status::published).slice(0, 20).aiterator();
  while (auto article = co_await stream.anext()) articles.push_back(std::move(*article));
  co_return articles;
}

// @api.get("/articles") async def list_articles(page=1, page_size=20):
//     queryset = Article.objects.select_related("author").prefetch_related("tags")
//                       .filter(published=True).order_by("-created_at")
//     total = await queryset.acount()
//     async for article in queryset[offset:offset + page_size]: ...
// Each item carries its author and tags: 3 queries per page (count, page + author, tags).
struct Page {
  std::vector<Article> items{};
  std::int64_t total = 0, page = 0, pages = 0;
};
aorm::Task<Page> list_articles_page(std::int64_t page = 1, std::int64_t page_size = 20) {
  const std::int64_t offset = (page - 1) * page_size;
  const auto queryset = Article::objects.select_related(A.author)
                            .prefetch_related(A.tags)
                            .filter(A.status == Status::published)
                            .order_by(A.created_at.desc());
  Page out{.page = page};
  out.total = co_await queryset.acount();
  out.items = co_await queryset.slice(offset, offset + page_size).alist();
  out.pages = (out.total + page_size - 1) / page_size;
  co_return out;
}

// @api.get("/stats") async def article_stats():
//     await Article.objects.aaggregate(total=Count("id"), published=Count("id", filter=Q(published=True)),
//                                      avg_comments=Avg("comment_count"))
aorm::Task<std::string> article_stats() {
  auto [total, published, avg_comments] = co_await Article::objects.aaggregate(
      aorm::Count(A.id), aorm::Count(A.id, A.status == Status::published), aorm::Avg(A.views));
  co_return boost::json::serialize(boost::json::object{
      {"total", total}, {"published", published}, {"avg_comments", avg_comments.value_or(0)}});
}

// @api.post("/transfer") async def transfer_funds(from_id, to_id, amount):
//     with transaction.atomic():
//         from_account = Account.objects.select_for_update().get(id=from_id) ...
//         from_account.balance -= amount; to_account.balance += amount; save() both
// aorm::atomic is async, so no sync_to_async wrapper is needed. (On SQLite the whole
// transaction holds the write lock, and select_for_update adds nothing, as in Django.)
aorm::Task<bool> transfer_funds(std::int64_t from_id, std::int64_t to_id, std::int64_t amount) {
  co_await aorm::atomic([&]() -> aorm::Task<void> {
    Article from_account = co_await Article::objects.select_for_update().aget(A.pk == from_id);
    Article to_account = co_await Article::objects.select_for_update().aget(A.pk == to_id);
    from_account.views -= amount;
    to_account.views += amount;
    co_await from_account.asave();
    co_await to_account.asave();
  });
  co_return true;
}

aorm::Task<void> seed_004(std::string path) {
  aorm::Database db = co_await open_fresh(path);
  Author author = co_await an_author();

  // ## Basic async ORM methods
  section("basic methods");
  // article = await Article.objects.acreate(title="My Article", content="Content here")
  Article mine_in{.title = "My Article", .slug = "my-article", .body = "Content here", .author = author};
  Article mine = co_await Article::objects.acreate(mine_in);
  // article = await Article.objects.aget(id=1)
  Article got = co_await Article::objects.aget(A.id == mine.id);
  // article, created = await Article.objects.aget_or_create(title="My Article",
  //                                                         defaults={"content": "Default content"})
  auto [same, created] = co_await Article::objects.aget_or_create(
      A.title == "My Article", aorm::defaults(A.body = "Default content", A.slug = "default", A.author = author));
  // total = await Article.objects.acount()
  const std::int64_t total = co_await Article::objects.acount();
  // exists = await Article.objects.filter(published=True).aexists()
  const bool exists = co_await Article::objects.filter(A.status == Status::published).aexists();
  std::cout << "got \"" << got.title << "\", get_or_create created: " << std::boolalpha << created
            << ", total: " << total << ", any published: " << exists << '\n';
  expect(same.id == mine.id && !created && total == 1 && !exists, "basic methods");

  // # Bulk create
  // articles = [Article(title=f"Article {i}", content="...") for i in range(100)]
  // created = await Article.objects.abulk_create(articles)
  section("bulk operations");
  std::vector<Article> articles;
  for (int i = 0; i < 100; ++i)
    articles.push_back(Article{.title = "Article " + std::to_string(i), .slug = "article-" + std::to_string(i),
                               .body = "...", .status = i % 3 == 0 ? Status::draft : Status::published,
                               .views = i, .author = author});
  std::vector<Article> made = co_await Article::objects.abulk_create(std::move(articles));
  // # Bulk update: await Article.objects.filter(draft=True).aupdate(published=True)
  const std::int64_t published_now =
      co_await Article::objects.filter(A.status == Status::draft, A.views >= 90).aupdate(A.status = Status::published);
  std::cout << "bulk-created " << made.size() << ", published " << published_now << " more drafts\n";
  expect(made.size() == 100 && published_now == 4, "bulk create, then drafts 90, 93, 96 and 99 published");

  // ## Iterating over querysets
  section("list_articles");
  std::vector<Article> listed = co_await list_articles();
  std::cout << "first page of published articles: " << listed.size() << " items, e.g. "
            << items(std::vector<Article>(listed.begin(), listed.begin() + 2)) << '\n';
  expect(listed.size() == 20, "a page of 20");

  // ## The N+1 problem and its fix
  section("the N+1 problem");
  {
    Author grace = co_await an_author("Grace Hopper", "grace@example.com");
    auto [cpp, c1] = co_await Tag::objects.aget_or_create(Tag::f.name == "cpp");
    auto [orm, c2] = co_await Tag::objects.aget_or_create(Tag::f.name == "orm");
    (void)c1;
    (void)c2;
    for (int i = 1; i < 100; i += 2) co_await made[static_cast<std::size_t>(i)].tags.aadd(cpp, orm);
    // Named rows rather than braced temporaries inside co_await: g++ 12 destroys those twice
    // (TOOLCHAIN.md, bug 2); with clang++ `acreate({.author = grace, ...})` is fine.
    Comment great{.author = grace, .body = "Great post"};
    Comment anonymous{.body = "Anonymous reader"};
    co_await made[1].comments.acreate(great);
    co_await made[1].comments.acreate(anonymous);

    // for article in Article.objects.all()[:20]: "author_name": article.author.username  -> 21 queries
    aorm::QueryCapture cap;
    std::vector<Article> page = co_await Article::objects.order_by(A.id).slice(0, 20).alist();
    for (Article& a : page) co_await a.author.aload();  // one query per article
    const std::size_t naive = cap.count();
    // Article.objects.select_related("author")[:20]  -> 1 query
    cap.clear();
    std::vector<Article> joined = co_await Article::objects.select_related(A.author).order_by(A.id).slice(0, 20).alist();
    std::size_t names = 0;
    for (const Article& a : joined) names += a.author->name.size();  // no query
    const std::size_t fixed = cap.count();
    // Article.objects.select_related("author").prefetch_related("tags")  -> 2 queries
    cap.clear();
    std::vector<Article> with_tags =
        co_await Article::objects.select_related(A.author).prefetch_related(A.tags).order_by(A.id).slice(0, 20).alist();
    std::size_t tags = 0;
    for (const Article& a : with_tags) tags += a.tags.size();
    const std::size_t two = cap.count();
    std::cout << "author per article: " << naive << " queries; select_related: " << fixed
              << "; with prefetch_related(tags): " << two << " (" << tags << " tag links, " << names
              << " name bytes)\n";
    expect(naive == 21 && fixed == 1 && two == 2, "N+1 = 21 queries, select_related = 1, + prefetch = 2");

    // BlogPost.objects.select_related("author").prefetch_related("tags", "comments__author").aget(id=post_id)
    cap.clear();
    Article post = co_await Article::objects.select_related(A.author)
                       .prefetch_related(A.tags, A.comments->author)
                       .aget(A.id == made[1].id);
    std::cout << post.title << " by " << post.author->name << ", tags:";
    for (const Tag& t : post.tags) std::cout << ' ' << t.name;
    std::cout << "; comments:";
    for (const Comment& c : post.comments)
      std::cout << " \"" << c.body << "\" (" << (c.author.loaded() ? c.author->name : "anonymous") << ')';
    std::cout << "\n  -> " << cap.count() << " queries\n";
    expect(cap.count() == 4, "post + tags + comments + comment authors = 4 queries");

    // Article.objects.select_related("author").aget(id=article_id), for ArticleSchema
    cap.clear();
    Article schema = co_await Article::objects.select_related(A.author).aget(A.id == made[3].id);
    expect(cap.count() == 1 && schema.author->name == author.name, "one query for an article and its author");
  }

  section("pagination");
  Page page = co_await list_articles_page(2, 20);
  std::cout << "page " << page.page << " of " << page.pages << " (" << page.total << " published): "
            << page.items.size() << " items, first \"" << page.items.at(0).title << "\"\n";
  expect(page.pages == (page.total + 19) / 20 && page.items.size() == 20, "pagination");
  // As JSON, each item carries what the page loaded: the author nested, the tags as an array.
  const std::string first_item = items(std::vector<Article>(page.items.begin(), page.items.begin() + 1));
  std::cout << "as JSON: " << first_item << '\n';
  const boost::json::value first_json = boost::json::parse(first_item);
  const boost::json::object& first = first_json.as_array().at(0).as_object();
  expect(first.at("author").is_object() && first.at("tags").is_array(), "the page's relations nested");

  section("aggregations");
  const std::string stats = co_await article_stats();
  std::cout << stats << '\n';
  expect(boost::json::parse(stats).as_object().at("total") == 101, "101 articles");

  // # Delete: deleted_count, _ = await Article.objects.filter(draft=True).adelete()
  section("delete and update");
  aorm::DeleteResult deleted = co_await Article::objects.filter(A.status == Status::draft).adelete();
  // # Update: updated_count = await Article.objects.filter(draft=True).aupdate(published=True)
  const std::int64_t updated =
      co_await Article::objects.filter(A.status == Status::draft).aupdate(A.status = Status::published);
  std::cout << "deleted " << deleted.total << " drafts; then " << updated << " drafts left to publish\n";
  expect(updated == 0, "no drafts left");

  section("transactions");
  const Article& from = made[10];
  const Article& to = made[11];
  co_await transfer_funds(from.id, to.id, 5);
  auto [from_after, to_after] = co_await aorm::gather(Article::objects.aget(A.pk == from.id),
                                                      Article::objects.aget(A.pk == to.id));
  std::cout << "moved 5: " << from.views << " -> " << from_after.views << ", " << to.views << " -> "
            << to_after.views << '\n';
  expect(from_after.views == from.views - 5 && to_after.views == to.views + 5, "transfer");

  // ## Common mistakes
  // WRONG: article = Article.objects.get(id=1)   RIGHT: article = await Article.objects.aget(id=1)
  // WRONG: for article in Article.objects.all()  RIGHT: async for article in Article.objects.all()
  // In C++ there is no blocking form to call by mistake: a query runs only when its Task is
  // co_awaited, and iteration is `while (auto a = co_await stream.anext())`.
  section("common mistakes, done right");
  Article right = co_await Article::objects.aget(A.id == made[1].id);
  std::int64_t n = 0;
  auto all = Article::objects.all().aiterator();
  while (auto a = co_await all.anext()) ++n;
  std::cout << right.title << "; iterated " << n << " articles\n";
  // async for article in Article.objects.select_related("author"): one query per chunk
  {
    aorm::QueryCapture cap;
    auto with_authors = Article::objects.select_related(A.author).aiterator();
    std::size_t named = 0;
    while (auto a = co_await with_authors.anext()) named += !a->author->name.empty();
    std::cout << "streamed " << named << " articles with their authors in " << cap.count() << " query\n";
    expect(cap.count() == 1, "select_related in aiterator");
  }

  co_await db.aclose();
}

}  // namespace
}  // namespace seeds

int main(int argc, char** argv) {
  return seeds::run_example("seed_004", argc, argv, seeds::seed_004);
}
