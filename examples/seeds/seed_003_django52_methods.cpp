// Seed 003 "Django 5.2 Async ORM Methods" in C++: the sync ↔ async table, and the
// transactions views (list, stats, create) returning JSON.
//
//   seed_003_django52_methods [FILE]     (default: a file in the temp folder; deleted first)
//
// Stand-ins: Transaction ↦ Article (user ↦ author, amount ↦ views, description ↦ title,
// category ↦ status); request.user ↦ an Author; JsonResponse ↦ a JSON string.
#include "seed_common.hpp"

#include <sstream>

namespace seeds {
namespace {

const auto& A = Article::f;

std::string_view category(Status s) { return aorm::EnumTraits<Status>::values[static_cast<std::size_t>(s)]; }

// def to_dict(self): {"id": ..., "amount": str(self.amount), "description": ..., "category": ...}
std::string to_dict(const Article& tx) {
  std::ostringstream out;
  out << "{\"id\": " << tx.id << ", \"amount\": \"" << tx.views << "\", \"description\": \"" << tx.title
      << "\", \"category\": \"" << category(tx.status) << "\"}";
  return out.str();
}

// async def get_transactions(request):
//     async for tx in Transaction.objects.filter(user=request.user).order_by('-created_at')[:50]:
//         transactions.append(tx.to_dict())
aorm::Task<std::string> get_transactions(Author user) {
  std::string json = "{\"transactions\": [";
  auto stream = Article::objects.filter(A.author == user).order_by(A.created_at.desc()).slice(0, 50).aiterator();
  bool first = true;
  while (auto tx = co_await stream.anext()) {
    json += (first ? "" : ", ") + to_dict(*tx);
    first = false;
  }
  co_return json + "]}";
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
  std::ostringstream out;
  out << "{\"total\": " << total_count << ", \"has_transactions\": " << std::boolalpha << has_transactions
      << ", \"latest\": " << (latest ? to_dict(*latest) : "null")
      << ", \"oldest\": " << (oldest ? to_dict(*oldest) : "null") << "}";
  co_return out.str();
}

// async def create_transaction(request):
//     tx = await Transaction.objects.acreate(user=request.user, amount=..., description=..., category=...)
aorm::Task<std::string> create_transaction(Author user, std::int64_t amount, std::string description,
                                           Status category) {
  Article tx{.title = description, .slug = "tx-" + description, .status = category, .views = amount,
             .author = user};
  Article created = co_await Article::objects.acreate(tx);
  co_return to_dict(created);
}

aorm::Task<void> seed_003(std::string path) {
  aorm::Database db = co_await open_fresh(path);
  Author user = co_await an_author();

  section("create_transaction");
  std::cout << co_await create_transaction(user, 25, "coffee", Status::draft) << '\n';
  std::cout << co_await create_transaction(user, 1200, "rent", Status::published) << '\n';
  std::cout << co_await create_transaction(user, 60, "books", Status::archived) << '\n';

  section("get_transactions");
  const std::string listing = co_await get_transactions(user);
  std::cout << listing << '\n';
  expect(listing.find("\"rent\"") != std::string::npos, "listing has the rent");

  section("get_transaction_stats");
  const std::string stats = co_await get_transaction_stats(user);
  std::cout << stats << '\n';
  expect(stats.find("\"total\": 3") != std::string::npos, "three transactions");

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
