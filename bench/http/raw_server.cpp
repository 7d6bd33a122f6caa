// raw_server — the reference for bench/http: the routes of examples/api_server that the
// benchmark drives (GET /posts/{id}, GET /articles, POST /articles), written by hand on
// sqlite3 or libpq, with the same HTTP plumbing (examples/api_server/http_server.hpp), the
// same SQL work per request and the same JSON bodies. What is left to compare is aorm itself.
//
//   raw_server --db sqlite:FILE|postgresql://... [--port N]
//
// The database must hold api_server's tables (start api_server once on it, with --seed).
// sqlite3 runs on the io_context thread with prepared statements kept for the process;
// libpq runs blocking on one connection (what a hand-written single-threaded server does),
// with statements prepared once.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "http_server.hpp"

namespace raw {

using namespace api;
namespace json = boost::json;

/// Canonical database text of a timestamp ("2024-03-15 10:30:00.000250", "...+00" from
/// PostgreSQL) as the JSON form aorm writes: "2024-03-15T10:30:00.000250Z", the fraction
/// only when it is not zero.
json::value iso(std::string_view text) {
  if (text.size() < 19) return json::value(nullptr);
  std::string out(text.substr(0, 19));
  out[10] = 'T';
  if (text.size() > 20 && text[19] == '.') {
    std::string frac;
    for (std::size_t i = 20; i < text.size() && frac.size() < 6 && text[i] >= '0' && text[i] <= '9'; ++i)
      frac += text[i];
    frac.resize(6, '0');
    if (frac != "000000") out += "." + frac;
  }
  out += 'Z';
  return json::value(out);
}

/// One row of a result, as text (both drivers give text for what the routes read).
struct Row {
  std::vector<std::optional<std::string>> cells;
  const std::string& text(std::size_t i) const { return *cells[i]; }
  json::value string(std::size_t i) const { return cells[i] ? json::value(*cells[i]) : json::value(nullptr); }
  json::value integer(std::size_t i) const {
    return cells[i] ? json::value(std::strtoll(cells[i]->c_str(), nullptr, 10)) : json::value(nullptr);
  }
  json::value real(std::size_t i) const {
    return cells[i] ? json::value(std::strtod(cells[i]->c_str(), nullptr)) : json::value(nullptr);
  }
  json::value boolean(std::size_t i) const {
    return json::value(cells[i] && (*cells[i] == "1" || *cells[i] == "t" || *cells[i] == "true"));
  }
};

/// The few operations the routes need, on either driver.
class Store {
 public:
  virtual ~Store() = default;
  /// Runs prepared statement `name` with text parameters; every row as text.
  virtual std::vector<Row> query(int name, const std::vector<std::string>& params) = 0;
  /// Runs statement `name`; false when a unique constraint refused it.
  virtual bool insert(int name, const std::vector<std::string>& params, std::int64_t& id) = 0;
};

enum Statement : int { post_by_id, post_tags, post_comments, count_published, page, page_tags, author_exists, insert_article, kStatements };

/// The SQL of each statement, `?` placeholders (PostgreSQL's $n are made from them).
const char* const kSql[kStatements] = {
    // post_by_id: the article and its author
    "SELECT a.id, a.title, a.slug, a.body, a.status, a.views, a.rating, a.created_at, a.published_at, "
    "u.id, u.name, u.email FROM blog_article a JOIN blog_author u ON u.id = a.author_id WHERE a.id = ?",
    // post_tags
    "SELECT t.id, t.name FROM blog_tag t JOIN blog_article_tags l ON l.tag_id = t.id WHERE l.article_id = ? "
    "ORDER BY t.id",
    // post_comments: with their authors (a LEFT JOIN where aorm prefetches: one query fewer)
    "SELECT c.id, c.article_id, c.body, c.approved, c.created_at, u.id, u.name, u.email FROM blog_comment c "
    "LEFT JOIN blog_author u ON u.id = c.author_id WHERE c.article_id = ? ORDER BY c.id",
    // count_published
    "SELECT COUNT(*) FROM blog_article WHERE status = 'published'",
    // page
    "SELECT a.id, a.title, a.slug, a.body, a.status, a.views, a.rating, a.created_at, a.published_at, "
    "u.id, u.name, u.email FROM blog_article a JOIN blog_author u ON u.id = a.author_id "
    "WHERE a.status = 'published' ORDER BY a.created_at DESC, a.id DESC LIMIT ? OFFSET ?",
    // page_tags: the tags of a page's articles (a range of ids is not a page: an IN list of ?)
    nullptr,
    // author_exists
    "SELECT 1 FROM blog_author WHERE id = ?",
    // insert_article
    "INSERT INTO blog_article (title, slug, body, status, views, rating, author_id, created_at, published_at) "
    "VALUES (?, ?, ?, ?, 0, NULL, ?, ?, NULL) RETURNING id",
};

/// The page_tags statement for `n` ids.
std::string page_tags_sql(std::size_t n) {
  std::string sql =
      "SELECT l.article_id, t.id, t.name FROM blog_tag t JOIN blog_article_tags l ON l.tag_id = t.id "
      "WHERE l.article_id IN (";
  for (std::size_t i = 0; i < n; ++i) sql += i ? ", ?" : "?";
  return sql + ") ORDER BY t.id";
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path + ": " + sqlite3_errmsg(db_));
    sqlite3_exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", nullptr,
                 nullptr, nullptr);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~SqliteStore() override {
    for (auto* s : statements_) sqlite3_finalize(s);
    for (auto& [n, s] : page_tags_) sqlite3_finalize(s);
    sqlite3_close(db_);
  }

  std::vector<Row> query(int name, const std::vector<std::string>& params) override {
    sqlite3_stmt* s = statement(name, params.size());
    bind(s, params);
    std::vector<Row> rows;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      Row r;
      const int n = sqlite3_column_count(s);
      r.cells.reserve(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
        if (t == nullptr) r.cells.emplace_back();
        else r.cells.emplace_back(std::in_place, t, static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
      }
      rows.push_back(std::move(r));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
    return rows;
  }

  bool insert(int name, const std::vector<std::string>& params, std::int64_t& id) override {
    sqlite3_stmt* s = statement(name, params.size());
    bind(s, params);
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc == SQLITE_CONSTRAINT || sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_UNIQUE) return false;
    if (rc != SQLITE_ROW) throw std::runtime_error(sqlite3_errmsg(db_));
    return true;
  }

 private:
  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
    return s;
  }
  sqlite3_stmt* statement(int name, std::size_t params) {
    if (name == page_tags) {
      auto& s = page_tags_[params];
      if (s == nullptr) s = prepare(page_tags_sql(params));
      return s;
    }
    auto& s = statements_[static_cast<std::size_t>(name)];
    if (s == nullptr) s = prepare(kSql[name]);
    return s;
  }
  static void bind(sqlite3_stmt* s, const std::vector<std::string>& params) {
    for (std::size_t i = 0; i < params.size(); ++i)
      sqlite3_bind_text(s, static_cast<int>(i + 1), params[i].data(), static_cast<int>(params[i].size()),
                        SQLITE_STATIC);
  }

  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_ = std::vector<sqlite3_stmt*>(kStatements, nullptr);
  std::map<std::size_t, sqlite3_stmt*> page_tags_;
};

class PgStore final : public Store {
 public:
  explicit PgStore(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
    PQclear(PQexec(conn_, "SET TimeZone = 'UTC'"));
  }
  ~PgStore() override { PQfinish(conn_); }

  std::vector<Row> query(int name, const std::vector<std::string>& params) override {
    PGresult* r = run(name, params);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) fail(r);
    std::vector<Row> rows;
    const int n = PQntuples(r), m = PQnfields(r);
    rows.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      Row row;
      row.cells.reserve(static_cast<std::size_t>(m));
      for (int j = 0; j < m; ++j) {
        if (PQgetisnull(r, i, j)) row.cells.emplace_back();
        else row.cells.emplace_back(std::in_place, PQgetvalue(r, i, j), static_cast<std::size_t>(PQgetlength(r, i, j)));
      }
      rows.push_back(std::move(row));
    }
    PQclear(r);
    return rows;
  }

  bool insert(int name, const std::vector<std::string>& params, std::int64_t& id) override {
    PGresult* r = run(name, params);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      if (state != nullptr && std::strcmp(state, "23505") == 0) {
        PQclear(r);
        return false;
      }
      fail(r);
    }
    id = std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10);
    PQclear(r);
    return true;
  }

 private:
  [[noreturn]] static void fail(PGresult* r) {
    std::string message = PQresultErrorMessage(r);
    PQclear(r);
    throw std::runtime_error(message);
  }
  static std::string dollars(const std::string& sql) {
    std::string out;
    int n = 0;
    for (char c : sql) {
      if (c == '?') out += "$" + std::to_string(++n);
      else out += c;
    }
    return out;
  }
  PGresult* run(int name, const std::vector<std::string>& params) {
    const std::string id = name == page_tags ? "page_tags_" + std::to_string(params.size()) : "s" + std::to_string(name);
    if (prepared_.insert(id).second) {
      const std::string sql = dollars(name == page_tags ? page_tags_sql(params.size()) : kSql[name]);
      PGresult* p = PQprepare(conn_, id.c_str(), sql.c_str(), 0, nullptr);
      if (PQresultStatus(p) != PGRES_COMMAND_OK) fail(p);
      PQclear(p);
    }
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    return PQexecPrepared(conn_, id.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0);
  }

  PGconn* conn_;
  std::set<std::string> prepared_;
};

/// An article row of post_by_id/page as aorm's generated JSON writes it (without sets).
json::object article(const Row& r) {
  json::object a;
  a["id"] = r.integer(0);
  a["title"] = r.string(1);
  a["slug"] = r.string(2);
  a["body"] = r.string(3);
  a["status"] = r.string(4);
  a["views"] = r.integer(5);
  a["rating"] = r.real(6);
  json::object author;
  author["id"] = r.integer(9);
  author["name"] = r.string(10);
  author["email"] = r.string(11);
  a["author"] = std::move(author);
  a["created_at"] = r.cells[7] ? iso(*r.cells[7]) : json::value(nullptr);
  a["published_at"] = r.cells[8] ? iso(*r.cells[8]) : json::value(nullptr);
  return a;
}

json::object tag(const Row& r, std::size_t at) {
  json::object t;
  t["id"] = r.integer(at);
  t["name"] = r.string(at + 1);
  return t;
}

Response get_post(Store& db, std::int64_t id) {
  const std::string key = std::to_string(id);
  const auto rows = db.query(post_by_id, {key});
  if (rows.empty()) return error(http::status::not_found, "article " + key + " does not exist");
  json::object a = article(rows[0]);
  json::array tags;
  for (const Row& r : db.query(post_tags, {key})) tags.push_back(tag(r, 0));
  a["tags"] = std::move(tags);
  json::array comments;
  for (const Row& r : db.query(post_comments, {key})) {
    json::object c;
    c["id"] = r.integer(0);
    c["article"] = r.integer(1);
    if (r.cells[5]) {
      json::object author;
      author["id"] = r.integer(5);
      author["name"] = r.string(6);
      author["email"] = r.string(7);
      c["author"] = std::move(author);
    } else {
      c["author"] = nullptr;
    }
    c["body"] = r.string(2);
    c["approved"] = r.boolean(3);
    c["created_at"] = r.cells[4] ? iso(*r.cells[4]) : json::value(nullptr);
    comments.push_back(std::move(c));
  }
  a["comments"] = std::move(comments);
  return reply(a);
}

Response list_articles(Store& db, std::int64_t page, std::int64_t page_size) {
  const std::int64_t total = std::strtoll(db.query(count_published, {})[0].text(0).c_str(), nullptr, 10);
  const auto rows = db.query(raw::page, {std::to_string(page_size), std::to_string((page - 1) * page_size)});
  json::array items;
  std::vector<std::string> ids;
  for (const Row& r : rows) {
    items.push_back(article(r));
    ids.push_back(r.text(0));
  }
  std::vector<json::array> tags(rows.size());
  if (!ids.empty()) {
    for (const Row& r : db.query(page_tags, ids)) {
      for (std::size_t i = 0; i < ids.size(); ++i)
        if (ids[i] == r.text(0)) tags[i].push_back(tag(r, 1));
    }
  }
  for (std::size_t i = 0; i < items.size(); ++i) items[i].as_object()["tags"] = std::move(tags[i]);
  json::object out;
  out["items"] = std::move(items);
  out["total"] = total;
  out["page"] = page;
  out["pages"] = (total + page_size - 1) / page_size;
  return reply(out);
}

std::string now_text() {
  using namespace std::chrono;
  const auto t = floor<microseconds>(system_clock::now());
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d.%06d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return buf;
}

Response create_article(Store& db, const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return error(http::status::bad_request, "malformed JSON: " + ec.message());
  if (!v.is_object()) return error(http::status::bad_request, "the body must be a JSON object");
  const json::object& in = v.as_object();
  auto text = [&](std::string_view name) -> std::optional<std::string> {
    const json::value* m = in.if_contains(name);
    if (m == nullptr || !m->is_string() || m->as_string().empty() || m->as_string().size() > 200) return std::nullopt;
    return std::string(m->as_string());
  };
  auto title = text("title"), slug = text("slug");
  const json::value* author = in.if_contains("author_id");
  if (!title || !slug || author == nullptr || !author->is_int64())
    return error(http::status::bad_request, "invalid input");
  std::string status = "draft";
  if (const json::value* s = in.if_contains("status"); s != nullptr && s->is_string()) status = std::string(s->as_string());
  std::optional<std::string> article_body;
  if (const json::value* b = in.if_contains("body"); b != nullptr && b->is_string()) article_body = std::string(b->as_string());
  const std::string author_id = std::to_string(author->as_int64());
  if (db.query(author_exists, {author_id}).empty()) return error(http::status::bad_request, "invalid input");
  const std::string created = now_text();
  std::int64_t id = 0;
  if (!db.insert(insert_article, {*title, *slug, article_body.value_or(""), status, author_id, created}, id))
    return error(http::status::conflict, "an article with the slug '" + *slug + "' exists already");
  json::object a;
  a["id"] = id;
  a["title"] = *title;
  a["slug"] = *slug;
  a["body"] = article_body ? json::value(*article_body) : json::value(nullptr);
  a["status"] = status;
  a["views"] = 0;
  a["rating"] = nullptr;
  a["author"] = author->as_int64();
  a["created_at"] = iso(created);
  a["published_at"] = nullptr;
  return reply(a, http::status::created);
}

struct Router {
  Store& db;
  net::awaitable<Response> operator()(Request req) {
    const Target t = split_target(req.target());
    if (auto id = segment(t.path, "/posts/"); id && req.method() == http::verb::get) {
      auto n = Target::parse_integer(*id);
      if (!n) co_return error(http::status::bad_request, "the article id must be an integer");
      co_return get_post(db, *n);
    }
    if (t.path == "/articles" && req.method() == http::verb::get) {
      auto page = t.integer("page", 1), size = t.integer("page_size", 20);
      if (!page || *page < 1 || !size || *size < 1 || *size > 100)
        co_return error(http::status::bad_request, "bad page");
      co_return list_articles(db, *page, *size);
    }
    if (t.path == "/articles" && req.method() == http::verb::post) co_return create_article(db, req.body());
    co_return error(http::status::not_found, "no route");
  }
};

}  // namespace raw

int main(int argc, char** argv) {
  using namespace raw;
  std::string url;
  std::uint16_t port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view arg = argv[i];
    if (arg == "--db") url = argv[i + 1];
    else if (arg == "--port") port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
  }
  if (url.empty()) {
    std::cerr << "usage: raw_server --db sqlite:FILE|postgresql://... [--port N]\n";
    return 2;
  }
  try {
    std::unique_ptr<Store> store;
    if (url.starts_with("sqlite:")) store = std::make_unique<SqliteStore>(url.substr(7));
    else store = std::make_unique<PgStore>(url);
    net::io_context io(1);
    tcp::acceptor acceptor = listen_on(io, port);
    Router router{*store};
    std::cout << "raw_server listening on http://127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;
    net::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
    net::co_spawn(io, serve(acceptor, router), net::detached);
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "raw_server: " << e.what() << "\n";
    return 1;
  }
}
