// Seed 003 "Django 5.2 Async ORM Methods" in C++: the sync ↔ async table, and the
// transactions views (list, stats, create) returning JSON.
//
//   seed_003_django52_methods [FILE]     (default: a file in the temp folder; deleted first)
//
// Stand-ins: Transaction ↦ Article (user ↦ author, amount ↦ views, description ↦ title,
// category ↦ status); request.user ↦ an Author; JsonResponse ↦ a JSON string, written with
// the generated Boost.JSON conversions ("blog/json.hpp") and boost::json::serialize.
#include "seed_common.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "blog/json.hpp"

namespace seeds {
namespace {

const auto& A = Article::f;

// def to_dict(self): {"id": ..., "amount": str(self.amount), "description": ..., "category": ...}
// The generated conversion is the to_dict of every model: a member per field, named as the
// field ("views", "title", "status" as its stored text), the author as its id.
boost::json::value to_dict(const Article& tx) { return boost::json::value_from(tx); }

// async def get_transactions(request):
//     async for tx in Transaction.objects.filter(user=request.user).order_by('-created_at')[:50]:
//         transactions.append(tx.to_dict())
aorm::Task<std::string> get_transactions(Author user) {
  boost::json::array transactions;
  auto stream = Article::objects.filter(A.author == user).order_by(A.created_at.desc()).slice(0, 50).aiterator();
  while (auto tx = co_await stream.anext()) transactions.push_back(to_dict(*tx));
  co_return boost::json::serialize(boost::json::object{{"transactions", std::move(transactions)}});
}

// async def get_transaction_stats(request):
//     user_txs = Transaction.objects.filter(user=request.user)
//     total_count = await user_txs.acount(); has_transactions = await user_txs.aexists()
//     latest = await user_txs.order_by('-created_at').afirst()
//     oldest = await user_txs.order_by('created_at').afirst()
aorm::Task<std::string> get_transaction_stats(Author user) {
  const auto user_txs = Article::objects.filter(A.author == user);
  const std::int64_t total_count = co_await user_txs.acount();
  const bool has_transactions = co_await user_txs.aexists();
  std::optional<Article> latest = co_await user_txs.order_by(A.created_at.desc()).afirst();
  std::optional<Article> oldest = co_await user_txs.order_by(A.created_at).afirst();
  co_return boost::json::serialize(boost::json::object{
      {"total", total_count},
      {"has_transactions", has_transactions},
      {"latest", latest ? to_dict(*latest) : nullptr},
      {"oldest", oldest ? to_dict(*oldest) : nullptr},
  });
}

// async def create_transaction(request):
//     tx = await Transaction.objects.acreate(user=request.user, amount=..., description=..., category=...)
aorm::Task<std::string> create_transaction(Author user, std::int64_t amount, std::string description,
                                           Status category) {
  Article tx{.title = description, .slug = "tx-" + description, .status = category, .views = amount,
             .author = user};
  Article created = co_await Article::objects.acreate(tx);
  co_return boost::json::serialize(to_dict(created));
}

aorm::Task<void> seed_003(std::string path) {
  aorm::Database db = co_await open_fresh(path);
  Author user = co_await an_author();

  section("create_transaction");
  std::cout << co_await create_transaction(user, 25, "coffee", Status::draft) << '\n';
  std::cout << co_await create_transaction(user, 1200, "rent", Status::published) << '\n';
  // A description that hand-built JSON would have broken: quotes, a backslash, a newline.
  const std::string quoted = co_await create_transaction(user, 60, "\"books\" \\ more\n", Status::archived);
  std::cout << quoted << '\n';
  expect(boost::json::parse(quoted).as_object().at("title") == "\"books\" \\ more\n", "the response is valid JSON");

  section("get_transactions");
  const std::string listing = co_await get_transactions(user);
  std::cout << listing << '\n';
  const boost::json::value listing_json = boost::json::parse(listing);
  const boost::json::array& listed = listing_json.as_object().at("transactions").as_array();
  // The client side reads the same JSON back into Articles.
  const std::vector<Article> back = aorm::json::value_to_vector<Article>(listed);
  const auto rent_back = std::find_if(back.begin(), back.end(), [](const Article& a) { return a.title == "rent"; });
  expect(back.size() == 3 && rent_back != back.end() && rent_back->views == 1200 &&
             rent_back->status == Status::published && rent_back->author.id() == user.id,
         "listing has the rent");

  section("get_transaction_stats");
  const std::string stats = co_await get_transaction_stats(user);
  std::cout << stats << '\n';
  expect(boost::json::parse(stats).as_object().at("total") == 3, "three transactions");

  // Filter chains are sync (they build a query); only the terminal method runs it:
  //   queryset = Transaction.objects.filter(user=user)
  //   transactions = await queryset.aall()
  section("the sync -> async table");
  const auto queryset = Article::objects.filter(A.author == user);
  std::vector<Article> transactions = co_await queryset.aall();  // .all() + iterate
  Article rent = co_await queryset.aget(A.title == "rent");       // .get()
  std::optional<Article> first = co_await queryset.order_by(A.id).afirst();  // .first()
  std::optional<Article> last = co_await queryset.order_by(A.id).alast();    // .last()
  const std::int64_t count = co_await queryset.acount();                    // .count()
  const bool exists = co_await queryset.aexists();                          // .exists()
  Article tea_in{.title = "tea", .slug = "tx-tea", .views = 4, .author = user};
  Article tea = co_await Article::objects.acreate(tea_in);                  // .create()
  const std::int64_t updated =
      co_await queryset.filter(A.pk == tea.id).aupdate(A.views = A.views * 2);  // .update()
  auto [lunch, lunch_created] = co_await Article::objects.aget_or_create(   // .get_or_create()
      A.slug == "tx-lunch", aorm::defaults(A.title = "lunch", A.views = 15, A.author = user));
  auto [rent2, rent_created] = co_await Article::objects.aupdate_or_create(  // .update_or_create()
      A.slug == "tx-rent", aorm::defaults(A.views = 1250));
  aorm::DeleteResult deleted = co_await queryset.filter(A.title == "coffee").adelete();  // .delete()
  std::cout << "aall: " << transactions.size() << ", aget: " << rent.title << ", afirst: " << first->title
            << ", alast: " << last->title << ", acount: " << count << ", aexists: " << exists
            << "\nacreate: " << tea.title << ", aupdate: " << updated << " row, aget_or_create: "
            << lunch.title << " (created " << lunch_created << "), aupdate_or_create: rent = "
            << rent2.views << " (created " << rent_created << "), adelete: (" << deleted.total
            << ", {blog.Article: " << deleted.per_model["blog.Article"] << "})\n";
  expect(transactions.size() == 3 && count == 3 && exists && updated == 1 && lunch_created &&
             !rent_created && rent2.views == 1250 && deleted.total == 1,
         "the table's methods");
  expect((co_await Article::objects.aget(A.pk == tea.id)).views == 8, "tea doubled");

  co_await db.aclose();
}

}  // namespace
}  // namespace seeds

int main(int argc, char** argv) {
  return seeds::run_example("seed_003", argc, argv, seeds::seed_003);
}
