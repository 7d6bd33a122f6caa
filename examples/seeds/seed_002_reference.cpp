// Seed 002 "Django Async ORM Reference" in C++: every snippet that needs no relation
// loading — retrieval, bulk operations, values, updates, deletes, transactions and
// savepoints, error handling, concurrency and testing patterns.
//
//   seed_002_reference [FILE]     (default: a file in the temp folder; deleted first)
//
// Where Django needed sync_to_async (transactions, anything not yet async), aorm has a real
// async form, used here instead. Snippets that load relations are marked and skipped.
#include "seed_common.hpp"

#include <cctype>
#include <chrono>

namespace seeds {
namespace {

using namespace std::chrono_literals;
const auto& A = Article::f;

// ---- Basic Queries --------------------------------------------------------------------

// async def get_article(article_id): try: return await Article.objects.aget(pk=article_id)
//                                     except Article.DoesNotExist: return None
aorm::Task<std::optional<Article>> get_article(std::int64_t article_id) {
  try {
    co_return co_await Article::objects.aget(A.pk == article_id);
  } catch (const Article::DoesNotExist&) {
    co_return std::nullopt;
  }
}

// async def get_published_articles(): async for article in Article.objects.filter(status='published')
aorm::Task<std::vector<Article>> get_published_articles() {
  std::vector<Article> articles;
  auto stream = Article::objects.filter(A.status == Status::published).aiterator();
  while (auto article = co_await stream.anext()) articles.push_back(std::move(*article));
  co_return articles;
  // Or with alist(): co_return co_await Article::objects.filter(...).alist();
}

// async def get_recent_articles(limit=10):
//     Article.objects.filter(status='published').order_by('-published_at')[:limit]
aorm::Task<std::vector<Article>> get_recent_articles(std::int64_t limit = 10) {
  co_return co_await Article::objects.filter(A.status == Status::published)
      .order_by(A.published_at.desc())
      .slice(0, limit)
      .alist();
}

// async def article_exists(slug): return await Article.objects.filter(slug=slug).aexists()
aorm::Task<bool> article_exists(std::string slug) {
  co_return co_await Article::objects.filter(A.slug == slug).aexists();
}

// async def get_article_count(status): return await Article.objects.filter(status=status).acount()
aorm::Task<std::int64_t> get_article_count(Status status) {
  co_return co_await Article::objects.filter(A.status == status).acount();
}

// ---- Creating, updating, deleting -----------------------------------------------------

// async def create_article(title, content, author_id):
//     await Article.objects.acreate(title=title, content=content, author_id=author_id, status='draft')
aorm::Task<Article> create_article(std::string title, std::string content, std::int64_t author_id) {
  std::string slug = title;
  for (char& c : slug) c = c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Article article{.title = std::move(title), .slug = std::move(slug), .body = std::move(content),
                  .status = Status::draft, .author = author_id};
  co_return co_await Article::objects.acreate(article);
}

// async def get_or_create_tag(name):
//     tag, created = await Tag.objects.aget_or_create(name=name, defaults={'slug': slugify(name)})
// (the blog's Tag has no slug column: its name is the key)
aorm::Task<std::pair<Tag, bool>> get_or_create_tag(std::string name) {
  co_return co_await Tag::objects.aget_or_create(Tag::f.name == name);
}

// async def publish_article(article_id):
//     await Article.objects.filter(pk=article_id).aupdate(status='published', published_at=timezone.now())
aorm::Task<std::int64_t> publish_article(std::int64_t article_id) {
  co_return co_await Article::objects.filter(A.pk == article_id)
      .aupdate(A.status = Status::published, A.published_at = now());
}

// async def increment_views(article_id):
//     await Article.objects.filter(pk=article_id).aupdate(views=F('views') + 1)
aorm::Task<void> increment_views(std::int64_t article_id) {
  co_await Article::objects.filter(A.pk == article_id).aupdate(A.views = A.views + 1);
}

// async def delete_article(article_id):
//     deleted_count, _ = await Article.objects.filter(pk=article_id).adelete()
aorm::Task<std::int64_t> delete_article(std::int64_t article_id) {
  aorm::DeleteResult r = co_await Article::objects.filter(A.pk == article_id).adelete();
  co_return r.total;
}

// async def delete_old_drafts():
//     cutoff = timezone.now() - timedelta(days=30)
//     await Article.objects.filter(status='draft', created_at__lt=cutoff).adelete()
aorm::Task<std::int64_t> delete_old_drafts() {
  const aorm::DateTime cutoff = now() - std::chrono::days{30};
  aorm::DeleteResult r =
      co_await Article::objects.filter(A.status == Status::draft, A.created_at < cutoff).adelete();
  co_return r.total;
}

// ---- Transactions (aorm::atomic is a real async transaction) --------------------------

// async def create_article_with_tags(title, tag_names):
//     async with transaction.atomic():
//         article = await Article.objects.acreate(title=title, status='draft')
//         for name in tag_names: tag, _ = await Tag.objects.aget_or_create(name=name)
//             await sync_to_async(article.tags.add)(tag)
aorm::Task<Article> create_article_with_tags(std::string title, std::vector<std::string> tag_names,
                                             Author author) {
  co_return co_await aorm::atomic([&]() -> aorm::Task<Article> {
    Article article = co_await create_article(title, "", author.id);
    for (const std::string& name : tag_names) {
      auto [tag, created] = co_await get_or_create_tag(name);
      (void)created;
      co_await article.tags.aadd(tag);  // article.tags.add(tag), no sync_to_async needed
    }
    co_return article;
  });
}

// async def transfer_articles(from_author_id, to_author_id):
//     async with transaction.atomic():
//         count = await Article.objects.filter(author_id=from_author_id).aupdate(author_id=to_author_id)
//         await AuditLog.objects.acreate(action='transfer_articles', count=count, ...)
// (the blog has no AuditLog model; a Comment on the first moved article records it)
aorm::Task<std::int64_t> transfer_articles(std::int64_t from_author_id, std::int64_t to_author_id) {
  co_return co_await aorm::atomic([&]() -> aorm::Task<std::int64_t> {
    std::optional<Article> first = co_await Article::objects.filter(A.author == from_author_id).afirst();
    const std::int64_t count =
        co_await Article::objects.filter(A.author == from_author_id).aupdate(A.author = to_author_id);
    if (first) {
      Comment log{.article = *first, .body = "transfer_articles: " + std::to_string(count)};
      co_await Comment::objects.acreate(log);
    }
    co_return count;
  });
}

// async def complex_transaction():
//     async with transaction.atomic():
//         article = await Article.objects.acreate(title='Test')
//         sid = savepoint(); try: await Comment.objects.acreate(article=article, text='Comment')
//         except: savepoint_rollback(sid) else: savepoint_commit(sid)
// A nested aorm::atomic is the savepoint: it rolls back alone when its body throws.
aorm::Task<Article> complex_transaction(Author author) {
  co_return co_await aorm::atomic([&]() -> aorm::Task<Article> {
    Article test{.title = "Test", .slug = "test", .author = author};
    Article article = co_await Article::objects.acreate(test);
    try {
      co_await aorm::atomic([&]() -> aorm::Task<void> {
        Comment comment{.article = article, .body = "Comment"};
        co_await Comment::objects.acreate(comment);
      });
    } catch (const aorm::DatabaseError&) {
      // the savepoint was rolled back; the outer transaction goes on
    }
    co_return article;
  });
}

// async def create_article_safe(title, slug):
//     try: async with transaction.atomic(): ... acreate(title=title, slug=slug) ...
//     except IntegrityError as e: return None, str(e)
aorm::Task<std::pair<std::optional<Article>, std::string>> create_article_safe(std::string title,
                                                                               std::string slug,
                                                                               Author author) {
  try {
    Article article = co_await aorm::atomic([&]() -> aorm::Task<Article> {
      Article a{.title = title, .slug = slug, .author = author};
      co_return co_await Article::objects.acreate(a);
    });
    co_return std::pair{std::optional<Article>{std::move(article)}, std::string{}};
  } catch (const aorm::IntegrityError& e) {
    co_return std::pair{std::optional<Article>{}, std::string{e.what()}};
  }
}

// ---- the tour of the seed -------------------------------------------------------------

aorm::Task<void> seed_002(std::string path) {
  aorm::Database db = co_await open_fresh(path);
  Author ada = co_await an_author();
  Author linus = co_await an_author("Linus", "linus@example.com");

  // ## Django 5.0+: Bulk operations
  // await Model.objects.abulk_create([Model(title='Article 1'), Model(title='Article 2')])
  section("abulk_create / abulk_update");
  std::vector<Article> batch{{.title = "Article 1", .slug = "article-1", .views = 3, .author = ada},
                             {.title = "Article 2", .slug = "article-2", .views = 8, .author = ada},
                             {.title = "Article 3", .slug = "article-3", .author = linus}};
  std::vector<Article> made = co_await Article::objects.abulk_create(std::move(batch));
  expect(made.size() == 3 && made[2].id > made[0].id, "bulk pks set");
  // await Model.objects.abulk_update([obj1, obj2], ['field1', 'field2'])
  made[0].rating = 4.0;
  made[0].status = Status::published;
  made[1].status = Status::published;
  std::vector<Article> to_update{made[0], made[1]};
  const std::int64_t bulk_updated =
      co_await Article::objects.abulk_update(to_update, {A.status, A.rating});
  std::cout << "created " << made.size() << ", bulk-updated " << bulk_updated << '\n';
  expect(bulk_updated == 2, "two rows bulk-updated");

  // await Model.objects.aget(pk=1) / afirst() / alast() / acount() / aexists()
  section("aget / afirst / alast / acount / aexists");
  Article one = co_await Article::objects.aget(A.pk == made[0].id);
  std::optional<Article> first = co_await Article::objects.order_by(A.id).afirst();
  std::optional<Article> last = co_await Article::objects.order_by(A.id).alast();
  std::cout << "aget: " << one.title << ", afirst: " << first->title << ", alast: " << last->title
            << ", acount: " << co_await Article::objects.acount()
            << ", aexists: " << std::boolalpha << co_await Article::objects.aexists() << '\n';
  expect(first->id == made[0].id && last->id == made[2].id, "first and last by id");

  // async for obj in Model.objects.filter(status='active'): print(obj)
  section("get_published_articles / get_recent_articles");
  for (const Article& a : co_await get_published_articles()) std::cout << "  published: " << a.title << '\n';
  co_await publish_article(made[2].id);
  std::vector<Article> recent = co_await get_recent_articles(2);
  std::cout << "most recent published: " << recent.at(0).title << '\n';
  expect(recent.size() == 2 && recent[0].id == made[2].id, "newest publication first");

  section("article_exists / get_article_count / get_article");
  expect(co_await article_exists("article-1"), "article-1 exists");
  expect(!(co_await article_exists("nope")), "nope does not exist");
  std::cout << "published: " << co_await get_article_count(Status::published) << '\n';
  std::optional<Article> missing = co_await get_article(987654);
  std::cout << "get_article(987654): " << (missing ? missing->title : "None") << '\n';
  expect(!missing.has_value(), "missing article is None");

  // await Model.objects.acreate(field='value'); aget_or_create(field='value');
  // aupdate_or_create(field='value', defaults={...})
  section("acreate / aget_or_create / aupdate_or_create");
  Article created = co_await create_article("Async Tips", "Use gather.", ada.id);
  auto [tag, tag_created] = co_await get_or_create_tag("cpp");
  auto [same_tag, tag_created_again] = co_await get_or_create_tag("cpp");
  auto [tips, tips_created] = co_await Article::objects.aupdate_or_create(
      A.slug == "async-tips", aorm::defaults(A.rating = 5.0));
  std::cout << created.slug << ": rating " << tips.rating.value_or(0) << " (created: " << tips_created
            << "); tag cpp created " << tag_created << " then " << tag_created_again << '\n';
  expect(tag.id == same_tag.id && !tips_created && tips.id == created.id, "get/update_or_create");

  // await Model.objects.filter(pk=1).aupdate(field='new_value'); F('views') + 1
  section("aupdate with F()");
  co_await increment_views(made[0].id);
  co_await increment_views(made[0].id);
  std::cout << made[0].slug << " views: " << (co_await Article::objects.aget(A.pk == made[0].id)).views << '\n';

  // result = await Article.objects.aaggregate(total=Count('id'), avg_views=Avg('views'))
  // result = await Model.objects.aaggregate(total=Count('id'), avg_rating=Avg('rating'))
  section("aaggregate");
  auto [total, avg_views, avg_rating] =
      co_await Article::objects.aaggregate(aorm::Count(A.id), aorm::Avg(A.views), aorm::Avg(A.rating));
  std::cout << "total=" << total << " avg_views=" << avg_views.value_or(0)
            << " avg_rating=" << avg_rating.value_or(0) << '\n';
  expect(total == 4, "four articles");

  // values = await Article.objects.values('title', 'status').alist()
  // flat_values = await Article.objects.values_list('title', flat=True).alist()
  section("values / values_list");
  for (const auto& [title, status] : co_await Article::objects.order_by(A.id).values(A.title, A.status).alist())
    std::cout << "  " << title << ": " << aorm::EnumTraits<Status>::values[static_cast<std::size_t>(status)] << '\n';
  std::vector<std::string> titles = co_await Article::objects.order_by(A.id).values_list(A.title).alist();
  expect(titles.size() == 4 && titles[0] == "Article 1", "flat titles");

  // ## sync_to_async Usage — not needed in aorm: every relation call is async already.
  section("relations without sync_to_async");
  {
    aorm::QueryCapture cap;
    // Article.objects.select_related('author').get(pk=article_id)
    Article with_author = co_await Article::objects.select_related(A.author).aget(A.pk == made[0].id);
    std::cout << with_author.title << " by " << with_author.author->name << '\n';
    // list(Article.objects.prefetch_related('tags').filter(status='published'))
    std::vector<Article> tagged = co_await Article::objects.prefetch_related(A.tags).filter(A.status == Status::published).alist();
    std::size_t links = 0;
    for (const Article& a : tagged) links += a.tags.size();  // no query: prefetched
    std::cout << tagged.size() << " published article(s), " << links << " tag link(s)\n";
    expect(cap.count() == 1 + 2, "select_related: 1 query; prefetch_related: 1 + 1");
  }
  {
    // article.tags.set(tags); list(article.tags.all())
    auto [cpp, c1] = co_await get_or_create_tag("cpp");
    auto [orm, c2] = co_await get_or_create_tag("orm");
    (void)c1;
    (void)c2;
    const std::vector<Tag> cpp_and_orm{cpp, orm};  // named: g++ 12 rejects a braced list inside co_await
    co_await made[0].tags.aset(cpp_and_orm);
    std::vector<Tag> tags = co_await made[0].tags.all().alist();
    std::cout << made[0].title << " has " << tags.size() << " tag(s)\n";
    expect(tags.size() == 2, "tags set");
  }
  // @sync_to_async(thread_sensitive=True) def database_operation(): return Article.objects.count()
  // is simply:
  std::cout << "database_operation(): " << co_await Article::objects.acount() << '\n';

  // ## Transaction Handling
  section("transactions");
  std::vector<std::string> tag_names{"cpp", "async"};
  Article with_tags = co_await create_article_with_tags("Tagged Post", tag_names, ada);
  std::cout << "created in a transaction: " << with_tags.slug << "; tags now "
            << co_await Tag::objects.acount() << '\n';
  const std::int64_t moved = co_await transfer_articles(linus.id, ada.id);
  std::cout << "transferred " << moved << " article(s) from Linus to Ada\n";
  expect(moved == 1 && co_await Article::objects.filter(A.author == linus).acount() == 0, "transfer");
  Article test = co_await complex_transaction(ada);
  std::cout << "complex_transaction: " << test.title << " with "
            << co_await Comment::objects.filter(Comment::f.article == test).acount() << " comment(s)\n";

  section("error handling");
  auto [ok, no_error] = co_await create_article_safe("Unique", "unique", ada);
  auto [dup, error] = co_await create_article_safe("Unique again", "unique", ada);
  std::cout << "first: " << (ok ? "created" : "failed") << "; second: " << (dup ? "created" : "failed")
            << " (" << error.substr(0, 60) << "...)\n";
  expect(ok.has_value() && !dup.has_value() && !error.empty() && no_error.empty(), "IntegrityError caught");

  // ## Limitations and Workarounds: none of them apply to aorm's relations.
  section("relations: what Django needs workarounds for");
  {
    // list(Article.objects.select_related('author'))
    std::vector<Article> all = co_await Article::objects.select_related(A.author).alist();
    expect(!all.empty() && all.front().author.loaded(), "authors loaded with the join");
    // Author.objects.annotate(book_count=Count('articles')).values('name', 'book_count')
    for (const auto& [who, count] : co_await Author::objects.annotate(aorm::Count(Author::f.articles)).alist())
      std::cout << "  " << who.name << ": " << count << " article(s)\n";
    // article.comments.filter(approved=True); await self.comments.acount()
    const std::int64_t approved = co_await test.comments.all().filter(Comment::f.approved == true).acount();
    const std::int64_t comments = co_await test.comments.all().acount();
    std::cout << "comments on " << test.title << ": " << comments << " (" << approved << " approved)\n";
    // Article.objects.select_related('author').prefetch_related('tags', 'comments')
    aorm::QueryCapture cap;
    std::vector<Article> full =
        co_await Article::objects.select_related(A.author).prefetch_related(A.tags, A.comments).alist();
    std::size_t seen = 0;
    for (const Article& a : full) seen += a.author->name.size() + a.tags.size() + a.comments.size();
    std::cout << full.size() << " article(s) with author, tags and comments in " << cap.count() << " queries\n";
    expect(cap.count() == 3 && seen > 0, "1 + one per prefetched relation");
  }

  // Pattern 2: Fetch IDs Async, Related Data Separately
  //   article = await Article.objects.aget(pk=article_id)
  //   author = await Author.objects.aget(pk=article.author_id)
  //   article.author = author
  section("pattern 2: fetch the author by id");
  Article article = co_await Article::objects.aget(A.pk == made[0].id);
  Author author = co_await Author::objects.aget(Author::f.pk == article.author.id());
  article.author = author;  // attaches the object: no further query needed
  std::cout << article.title << " by " << author.name << '\n';

  // Article.objects.filter(id__in=ids).annotate(count=Count('comments'))
  {
    const std::vector<std::int64_t> ids{made[0].id, test.id};
    for (const auto& [a, count] :
         co_await Article::objects.filter(A.id.in(ids)).annotate(aorm::Count(A.comments)).alist())
      std::cout << "  " << a.title << ": " << count << " comment(s)\n";
  }

  // ## Performance Considerations: async iteration vs one list
  section("performance: aiterator vs alist");
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Article> streamed = co_await get_published_articles();
  const auto t1 = std::chrono::steady_clock::now();
  std::vector<Article> listed = co_await Article::objects.filter(A.status == Status::published).alist();
  const auto t2 = std::chrono::steady_clock::now();
  using us = std::chrono::microseconds;
  std::cout << "async iteration: " << std::chrono::duration_cast<us>(t1 - t0).count() << "us, alist: "
            << std::chrono::duration_cast<us>(t2 - t1).count() << "us (" << listed.size() << " rows)\n";
  expect(streamed.size() == listed.size(), "same rows either way");

  // When async helps: article_task = Article.objects.aget(pk=...); api_task = session.get(...)
  //                   article, api_response = await asyncio.gather(article_task, api_task)
  section("when async helps: the query and other I/O at once");
  auto external_api = []() -> aorm::Task<std::string> {
    // Stands in for the HTTP call: this program runs on aorm::run's own loop. The real thing,
    // a Beast client request gathered with the query on one io_context thread, is
    // examples/api_server's GET /articles/{id}/with-external (article_with_external).
    co_await aorm::sleep(20ms);
    co_return "{\"data\": 42}";
  };
  const auto g0 = std::chrono::steady_clock::now();
  auto [fetched, api_response] = co_await aorm::gather(Article::objects.aget(A.pk == made[0].id), external_api());
  const auto g1 = std::chrono::steady_clock::now();
  std::cout << fetched.title << " + " << api_response << " in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(g1 - g0).count() << "ms\n";
  // Author.objects.annotate(book_count=Count('articles')) (the blog has no profile model)
  for (const auto& [who, count] : co_await Author::objects.annotate(aorm::Count(Author::f.articles)).alist())
    std::cout << "  " << who.name << " wrote " << count << '\n';

  // ## Testing Async Code: create, verify, and a rolled-back transaction
  section("testing patterns");
  Article test_article = co_await create_article("Test Article", "", ada.id);
  expect(test_article.title == "Test Article", "created");
  expect(co_await Article::objects.filter(A.title == "Test Article").acount() == 1, "stored once");
  const std::int64_t before = co_await Article::objects.acount();
  try {
    co_await aorm::atomic([&]() -> aorm::Task<void> {
      Article doomed{.title = "Test", .slug = "doomed", .status = Status::draft, .author = ada};
      co_await Article::objects.acreate(doomed);
      throw std::runtime_error("Test error");
    });
  } catch (const std::runtime_error&) {
  }
  const std::int64_t after = co_await Article::objects.acount();
  std::cout << "rolled back: count stays " << after << '\n';
  expect(before == after, "rollback");

  // ## Best Practices: batch instead of N queries
  section("best practice: batch operations");
  std::int64_t batched_queries = 0, looped_queries = 0;
  {
    std::vector<Article> data;
    for (int i = 0; i < 20; ++i)
      data.push_back(Article{.title = "Batch " + std::to_string(i), .slug = "batch-" + std::to_string(i), .author = ada});
    aorm::QueryCapture cap;
    co_await Article::objects.abulk_create(std::move(data));
    batched_queries = static_cast<std::int64_t>(cap.count());
  }
  {
    aorm::QueryCapture cap;
    for (int i = 0; i < 20; ++i) {
      Article one_by_one{.title = "Loop " + std::to_string(i), .slug = "loop-" + std::to_string(i), .author = ada};
      co_await Article::objects.acreate(one_by_one);  // N queries!
    }
    looped_queries = static_cast<std::int64_t>(cap.count());
  }
  std::cout << "abulk_create: " << batched_queries << " statement(s); acreate in a loop: "
            << looped_queries << '\n';
  expect(batched_queries < looped_queries, "batching sends fewer statements");

  // Article.objects.filter(tags__name=tag_name).select_related('author')
  for (const Article& a : co_await Article::objects.filter(A.tags->name == "cpp").select_related(A.author).alist())
    std::cout << "  tagged cpp: " << a.title << " by " << a.author->name << '\n';

  section("deleting");
  std::cout << "delete_article: " << co_await delete_article(made[1].id) << " row(s); "
            << "delete_old_drafts: " << co_await delete_old_drafts() << " row(s) (none is 30 days old)\n";

  co_await db.aclose();
}

}  // namespace
}  // namespace seeds

int main(int argc, char** argv) {
  return seeds::run_example("seed_002", argc, argv, seeds::seed_002);
}
