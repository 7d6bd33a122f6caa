// The seeds' API handlers as aorm tasks (handlers.hpp). Each handler is what seed 004 shows
// in Python, with the Python above it.
#include "handlers.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "bank/json.hpp"
#include "bank/models.hpp"
#include "blog/json.hpp"
#include "blog/models.hpp"

namespace api {

namespace {

using blog::Article;
using blog::Author;
using blog::Comment;
using blog::Tag;
using bank::Account;
namespace json = boost::json;

const auto& A = Article::f;

/// Per-field validation errors: {"detail": "invalid input", "errors": {field: [messages]}}.
class FieldErrors {
 public:
  void add(std::string field, std::string message) { errors_[std::move(field)].push_back(std::move(message)); }
  bool empty() const noexcept { return errors_.empty(); }
  Response response() const {
    json::object errors;
    for (const auto& [field, messages] : errors_) {
      json::array list;
      for (const auto& m : messages) list.emplace_back(m);
      errors[field] = std::move(list);
    }
    json::object o;
    o["detail"] = "invalid input";
    o["errors"] = std::move(errors);
    return reply(o, http::status::bad_request);
  }

 private:
  std::map<std::string, std::vector<std::string>> errors_;
};

/// The body as a JSON object, or the 400 to answer.
std::variant<json::object, Response> parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return error(http::status::bad_request, "malformed JSON: " + ec.message());
  if (!v.is_object()) return error(http::status::bad_request, "the body must be a JSON object");
  return std::move(v.as_object());
}

/// Member `name` of `o` as a string of 1..max_length characters (bytes of UTF-8 text as
/// Boost.JSON validated it); records an error and gives nullopt otherwise.
std::optional<std::string> text_member(const json::object& o, std::string_view name, std::size_t max_length,
                                       FieldErrors& errors, bool required = true) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) {
    if (required) errors.add(std::string(name), "this field is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    errors.add(std::string(name), "expected a string");
    return std::nullopt;
  }
  const json::string& s = v->as_string();
  if (required && s.empty()) {
    errors.add(std::string(name), "this field may not be blank");
    return std::nullopt;
  }
  if (s.size() > max_length) {
    errors.add(std::string(name), "at most " + std::to_string(max_length) + " characters");
    return std::nullopt;
  }
  return std::string(s);
}

/// Member `name` of `o` as an integer; records an error and gives nullopt otherwise.
std::optional<std::int64_t> integer_member(const json::object& o, std::string_view name, FieldErrors& errors) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) {
    errors.add(std::string(name), "this field is required");
    return std::nullopt;
  }
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->as_uint64());
  errors.add(std::string(name), "expected an integer");
  return std::nullopt;
}

std::optional<Article::Status> status_of(std::string_view text) {
  const auto& values = aorm::EnumTraits<Article::Status>::values;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i] == text) return static_cast<Article::Status>(i);
  return std::nullopt;
}

}  // namespace

// @api.get("/articles") async def list_articles(page: int = 1, page_size: int = 20):
//     queryset = (Article.objects.select_related("author").prefetch_related("tags")
//                 .filter(published=True).order_by("-created_at"))
//     total = await queryset.acount()
//     async for article in queryset[offset:offset + page_size]: ...
//     return {"items": articles, "total": total, "page": page, "pages": ...}
// Three statements per page whatever its size: the count, the page with its authors
// (a JOIN), the tags of the page (one IN query).
aorm::Task<Response> list_articles(std::int64_t page, std::int64_t page_size) {
  const std::int64_t offset = (page - 1) * page_size;
  const auto queryset = Article::objects.select_related(A.author)
                            .prefetch_related(A.tags)
                            .filter(A.status == Article::Status::published)
                            .order_by(A.created_at.desc(), A.id.desc());
  const std::int64_t total = co_await queryset.acount();
  const std::vector<Article> articles = co_await queryset.slice(offset, offset + page_size).alist();
  json::object out;
  out["items"] = json::value_from(articles);
  out["total"] = total;
  out["page"] = page;
  out["pages"] = (total + page_size - 1) / page_size;
  co_return reply(out);
}

// @api.get("/posts/{post_id}") async def get_post(post_id: int):
//     post = await (BlogPost.objects.select_related("author")
//                   .prefetch_related("tags", "comments__author").aget(id=post_id))
// Three statements: the post with its author, its tags, its comments with their authors
// (the comments' authors by one more IN query: four in all).
aorm::Task<Response> get_post(std::int64_t id) {
  try {
    const Article post = co_await Article::objects.select_related(A.author)
                             .prefetch_related(A.tags, A.comments->author)
                             .aget(A.pk == id);
    co_return reply(json::value_from(post));
  } catch (const Article::DoesNotExist&) {
  }
  co_return error(http::status::not_found, "article " + std::to_string(id) + " does not exist");
}

// @api.get("/stats") async def article_stats():
//     return await Article.objects.aaggregate(total=Count("id"),
//         published=Count("id", filter=Q(published=True)), avg_comments=Avg("comment_count"))
aorm::Task<Response> stats() {
  auto [total, published, avg_views] = co_await Article::objects.aaggregate(
      aorm::Count(A.id), aorm::Count(A.id, A.status == Article::Status::published), aorm::Avg(A.views));
  json::object out;
  out["total"] = total;
  out["published"] = published;
  out["avg_views"] = avg_views ? json::value(*avg_views) : json::value(nullptr);
  co_return reply(out);
}

// @api.post("/articles"): validated input -> acreate -> 201 with the article.
aorm::Task<Response> create_article(std::string body) {
  auto parsed = parse_object(body);
  if (auto* answer = std::get_if<Response>(&parsed)) co_return std::move(*answer);
  const json::object& in = std::get<json::object>(parsed);
  FieldErrors errors;
  auto title = text_member(in, "title", 200, errors);
  auto slug = text_member(in, "slug", 200, errors);
  auto text = text_member(in, "body", 100000, errors, /*required=*/false);
  auto status_text = text_member(in, "status", 20, errors, /*required=*/false);
  auto author_id = integer_member(in, "author_id", errors);
  std::optional<Article::Status> status = Article::Status::draft;
  if (status_text) {
    status = status_of(*status_text);
    if (!status) errors.add("status", "'" + *status_text + "' is not one of draft, published, archived");
  }
  if (author_id && !co_await Author::objects.filter(Author::f.pk == *author_id).aexists())
    errors.add("author_id", "no author with id " + std::to_string(*author_id));
  if (!errors.empty()) co_return errors.response();
  try {
    Article created = co_await Article::objects.acreate(
        Article{.title = *title, .slug = *slug, .body = text, .status = *status, .author = *author_id});
    co_return reply(json::value_from(created), http::status::created);
  } catch (const aorm::IntegrityError&) {
  }
  co_return error(http::status::conflict, "an article with the slug '" + *slug + "' exists already");
}

namespace {
/// Raised inside the transfer's transaction to roll it back.
struct InsufficientFunds : std::runtime_error {
  using std::runtime_error::runtime_error;
};
}  // namespace

// @api.post("/transfer") async def transfer_funds(from_id: int, to_id: int, amount: float):
//     with transaction.atomic():
//         from_account = Account.objects.select_for_update().get(id=from_id)
//         to_account = Account.objects.select_for_update().get(id=to_id)
//         from_account.balance -= amount; to_account.balance += amount; save both
// A short balance answers 409 and changes nothing (the block is rolled back).
aorm::Task<Response> transfer(std::string body) {
  auto parsed = parse_object(body);
  if (auto* answer = std::get_if<Response>(&parsed)) co_return std::move(*answer);
  const json::object& in = std::get<json::object>(parsed);
  FieldErrors errors;
  auto from_id = integer_member(in, "from_id", errors);
  auto to_id = integer_member(in, "to_id", errors);
  auto amount = integer_member(in, "amount", errors);
  if (amount && *amount <= 0) errors.add("amount", "must be a positive number of cents");
  if (from_id && to_id && *from_id == *to_id) errors.add("to_id", "must differ from from_id");
  if (!errors.empty()) co_return errors.response();
  Account from, to;
  try {
    co_await aorm::atomic([&]() -> aorm::Task<void> {
      // Lock in key order, so two opposite transfers cannot deadlock on PostgreSQL.
      const std::int64_t first = std::min(*from_id, *to_id), second = std::max(*from_id, *to_id);
      Account a = co_await Account::objects.select_for_update().aget(Account::f.pk == first);
      Account b = co_await Account::objects.select_for_update().aget(Account::f.pk == second);
      Account& source = a.id == *from_id ? a : b;
      Account& target = a.id == *from_id ? b : a;
      if (source.balance < *amount) throw InsufficientFunds("insufficient funds");
      source.balance -= *amount;
      target.balance += *amount;
      co_await source.asave();
      co_await target.asave();
      from = source;
      to = target;
    });
  } catch (const Account::DoesNotExist&) {
    co_return error(http::status::not_found, "no such account");
  } catch (const InsufficientFunds&) {
    co_return error(http::status::conflict, "insufficient funds: nothing was transferred");
  }
  json::object out;
  out["success"] = true;
  out["from"] = json::value_from(from);
  out["to"] = json::value_from(to);
  co_return reply(out);
}

namespace {

/// GET http://host:port/target with Beast's client on `executor`, as an aorm task (the Asio
/// operations awaited through aorm::asio::use_task): the body of a 200 answer, else
/// std::runtime_error naming the status.
aorm::Task<std::string> http_get(net::any_io_executor executor, Endpoint where) {
  tcp::resolver resolver(executor);
  const auto results = co_await resolver.async_resolve(where.host, where.port, aorm::asio::use_task);
  beast::tcp_stream stream(executor);
  stream.expires_after(std::chrono::seconds(5));
  co_await stream.async_connect(results, aorm::asio::use_task);
  http::request<http::empty_body> req{http::verb::get, where.target, 11};
  req.set(http::field::host, where.host);
  req.keep_alive(false);
  co_await http::async_write(stream, req, aorm::asio::use_task);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buffer, res, aorm::asio::use_task);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (res.result() != http::status::ok)
    throw std::runtime_error("the other service answered " + std::to_string(res.result_int()));
  co_return std::move(res.body());
}

}  // namespace

// Seed 002, "when async helps": fetch an article and call an external API at the same time.
//     article, external = await asyncio.gather(Article.objects.aget(id=id), fetch_external())
// The query and the HTTP request run concurrently on the same io_context thread.
aorm::Task<Response> article_with_external(std::int64_t id, net::any_io_executor executor, Endpoint external) {
  try {
    auto [article, answer] = co_await aorm::gather(
        Article::objects.select_related(A.author).aget(A.pk == id), http_get(executor, std::move(external)));
    json::object out;
    out["article"] = json::value_from(article);
    boost::system::error_code ec;
    json::value parsed = json::parse(answer, ec);
    out["external"] = ec ? json::value(answer) : std::move(parsed);
    co_return reply(out);
  } catch (const Article::DoesNotExist&) {
  }
  co_return error(http::status::not_found, "article " + std::to_string(id) + " does not exist");
}

aorm::Task<void> seed_if_empty(int articles) {
  if (co_await Author::objects.aexists()) co_return;
  co_await aorm::atomic([&]() -> aorm::Task<void> {
    // Named vectors, not braced temporaries inside the co_await: g++ 12 rejects an
    // initializer_list there ("array used as initializer", TOOLCHAIN.md bug 3).
    std::vector<Author> new_authors{{.name = "Ada", .email = "ada@example.com"},
                                    {.name = "Linus", .email = "linus@example.com"},
                                    {.name = "Grace", .email = "grace@example.com"}};
    std::vector<Author> authors = co_await Author::objects.abulk_create(std::move(new_authors));
    std::vector<Tag> new_tags{{.name = "cpp"}, {.name = "databases"}, {.name = "async"}};
    std::vector<Tag> tags = co_await Tag::objects.abulk_create(std::move(new_tags));
    std::vector<Article> rows;
    for (int i = 1; i <= articles; ++i)
      rows.push_back(Article{.title = "Article " + std::to_string(i),
                             .slug = "article-" + std::to_string(i),
                             .body = "Body of article " + std::to_string(i),
                             .status = i % 4 == 0 ? Article::Status::draft : Article::Status::published,
                             .views = i % 97,
                             .author = authors[static_cast<std::size_t>(i) % authors.size()]});
    rows = co_await Article::objects.abulk_create(std::move(rows));
    std::vector<Comment> comments;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      co_await rows[i].tags.aadd(tags[i % tags.size()], tags[(i + 1) % tags.size()]);
      for (std::size_t c = 0; c < 2; ++c)
        comments.push_back(Comment{.article = rows[i],
                                   .author = authors[(i + c) % authors.size()],
                                   .body = "Comment " + std::to_string(c + 1) + " on article " + std::to_string(i + 1),
                                   .approved = c == 0});
    }
    co_await Comment::objects.abulk_create(std::move(comments));
    std::vector<Account> accounts{{.owner = "alice", .balance = 10000}, {.owner = "bob", .balance = 10000}};
    co_await Account::objects.abulk_create(std::move(accounts));
  });
}

}  // namespace api
