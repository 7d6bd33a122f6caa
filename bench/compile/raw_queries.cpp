// bench/compile/raw_queries.cpp — the 50 queries of aorm_queries.cpp hand-written on sqlite3
// (prepared once, bound, stepped, read into a struct). Compile-time benchmark; never run.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Article {
  std::int64_t id = 0;
  std::string title, slug;
  std::optional<std::string> body;
  int status = 0;
  std::int64_t views = 0;
  std::optional<double> rating;
  std::int64_t author_id = 0;
  std::string created_at;
  std::optional<std::string> published_at;
};

std::string text(sqlite3_stmt* s, int i) {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
}

std::optional<std::string> opt_text(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return text(s, i);
}

Article read_article(sqlite3_stmt* s) {
  Article a;
  a.id = sqlite3_column_int64(s, 0);
  a.title = text(s, 1);
  a.slug = text(s, 2);
  a.body = opt_text(s, 3);
  const std::string st = text(s, 4);
  a.status = st == "draft" ? 0 : st == "published" ? 1 : 2;
  a.views = sqlite3_column_int64(s, 5);
  if (sqlite3_column_type(s, 6) != SQLITE_NULL) a.rating = sqlite3_column_double(s, 6);
  a.author_id = sqlite3_column_int64(s, 7);
  a.created_at = text(s, 8);
  a.published_at = opt_text(s, 9);
  return a;
}

sqlite3_stmt* prepare(sqlite3* db, sqlite3_stmt*& cached, const char* sql) {
  if (!cached) sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &cached, nullptr);
  else sqlite3_reset(cached);
  return cached;
}

}  // namespace

std::int64_t run_queries(sqlite3* db) {
  std::int64_t n = 0;
  {  // query 1
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE \"views\" > ? ORDER BY \"id\" ASC");
    sqlite3_bind_int64(s, 1, 7);
    std::vector<Article> rows;
    while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(read_article(s));
    n += static_cast<std::int64_t>(rows.size());
  }
  {  // query 2
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE \"title\" GLOB ? ORDER BY \"views\" DESC");
    sqlite3_bind_text(s, 1, "*t14*", -1, SQLITE_STATIC);
    std::vector<Article> rows;
    while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(read_article(s));
    n += static_cast<std::int64_t>(rows.size());
  }
  {  // query 3
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE (\"status\" = ? AND \"views\" < ?) ORDER BY \"created_at\" DESC");
    sqlite3_bind_text(s, 1, "published", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, 21);
    std::vector<Article> rows;
    while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(read_article(s));
    n += static_cast<std::int64_t>(rows.size());
  }
  {  // query 4
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE (\"rating\" IS NULL OR \"rating\" > ?) ORDER BY \"title\" ASC");
    sqlite3_bind_double(s, 1, 28.5);
    std::vector<Article> rows;
    while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(read_article(s));
    n += static_cast<std::int64_t>(rows.size());
  }
  {  // query 5
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE \"slug\" GLOB ? ORDER BY \"slug\" DESC");
    sqlite3_bind_text(s, 1, "s35*", -1, SQLITE_STATIC);
    std::vector<Article> rows;
    while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(read_article(s));
    n += static_cast<std::int64_t>(rows.size());
  }
  {  // query 6
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE \"views\" BETWEEN ? AND ? ORDER BY \"id\" ASC");
    sqlite3_bind_int64(s, 1, 42);
    sqlite3_bind_int64(s, 2, 42 + 100);
    std::vector<Article> rows;
    while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(read_article(s));
    n += static_cast<std::int64_t>(rows.size());
  }
  {  // query 7
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE (\"title\" = ? OR \"slug\" = ?) ORDER BY \"views\" DESC");
    sqlite3_bind_text(s, 1, "x49", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, "y49", -1, SQLITE_STATIC);
    std::vector<Article> rows;
    while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(read_article(s));
    n += static_cast<std::int64_t>(rows.size());
  }
  {  // query 8
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE \"views\" IN (?, ?, ?) ORDER BY \"created_at\" DESC");
    sqlite3_bind_int64(s, 1, 56);
    sqlite3_bind_int64(s, 2, 56 + 1);
    sqlite3_bind_int64(s, 3, 56 + 2);
    std::vector<Article> rows;
    while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(read_article(s));
    n += static_cast<std::int64_t>(rows.size());
  }
  {  // query 9
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE NOT (\"views\" >= ?) ORDER BY \"title\" ASC");
    sqlite3_bind_int64(s, 1, 63);
    std::vector<Article> rows;
    while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(read_article(s));
    n += static_cast<std::int64_t>(rows.size());
  }
  {  // query 10
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE (\"body\" IS NOT NULL AND \"title\" != ?) ORDER BY \"slug\" DESC");
    sqlite3_bind_text(s, 1, "z70", -1, SQLITE_STATIC);
    std::vector<Article> rows;
    while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(read_article(s));
    n += static_cast<std::int64_t>(rows.size());
  }
  {  // query 11
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT COUNT(*) FROM \"blog_article\" WHERE \"views\" > ?");
    sqlite3_bind_int64(s, 1, 77);
    if (sqlite3_step(s) == SQLITE_ROW) n += sqlite3_column_int64(s, 0);
  }
  {  // query 12
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT COUNT(*) FROM \"blog_article\" WHERE \"title\" GLOB ?");
    sqlite3_bind_text(s, 1, "*t84*", -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) n += sqlite3_column_int64(s, 0);
  }
  {  // query 13
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT COUNT(*) FROM \"blog_article\" WHERE (\"status\" = ? AND \"views\" < ?)");
    sqlite3_bind_text(s, 1, "published", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, 91);
    if (sqlite3_step(s) == SQLITE_ROW) n += sqlite3_column_int64(s, 0);
  }
  {  // query 14
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT COUNT(*) FROM \"blog_article\" WHERE (\"rating\" IS NULL OR \"rating\" > ?)");
    sqlite3_bind_double(s, 1, 98.5);
    if (sqlite3_step(s) == SQLITE_ROW) n += sqlite3_column_int64(s, 0);
  }
  {  // query 15
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT COUNT(*) FROM \"blog_article\" WHERE \"slug\" GLOB ?");
    sqlite3_bind_text(s, 1, "s105*", -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) n += sqlite3_column_int64(s, 0);
  }
  {  // query 16
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT COUNT(*) FROM \"blog_article\" WHERE \"views\" BETWEEN ? AND ?");
    sqlite3_bind_int64(s, 1, 112);
    sqlite3_bind_int64(s, 2, 112 + 100);
    if (sqlite3_step(s) == SQLITE_ROW) n += sqlite3_column_int64(s, 0);
  }
  {  // query 17
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT COUNT(*) FROM \"blog_article\" WHERE (\"title\" = ? OR \"slug\" = ?)");
    sqlite3_bind_text(s, 1, "x119", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, "y119", -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) n += sqlite3_column_int64(s, 0);
  }
  {  // query 18
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT COUNT(*) FROM \"blog_article\" WHERE \"views\" IN (?, ?, ?)");
    sqlite3_bind_int64(s, 1, 126);
    sqlite3_bind_int64(s, 2, 126 + 1);
    sqlite3_bind_int64(s, 3, 126 + 2);
    if (sqlite3_step(s) == SQLITE_ROW) n += sqlite3_column_int64(s, 0);
  }
  {  // query 19
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT COUNT(*) FROM \"blog_article\" WHERE NOT (\"views\" >= ?)");
    sqlite3_bind_int64(s, 1, 133);
    if (sqlite3_step(s) == SQLITE_ROW) n += sqlite3_column_int64(s, 0);
  }
  {  // query 20
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT COUNT(*) FROM \"blog_article\" WHERE (\"body\" IS NOT NULL AND \"title\" != ?)");
    sqlite3_bind_text(s, 1, "z140", -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) n += sqlite3_column_int64(s, 0);
  }
  {  // query 21
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE \"views\" > ? ORDER BY \"id\" ASC LIMIT 1");
    sqlite3_bind_int64(s, 1, 147);
    if (sqlite3_step(s) == SQLITE_ROW) n += read_article(s).views;
  }
  {  // query 22
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE \"title\" GLOB ? ORDER BY \"views\" DESC LIMIT 1");
    sqlite3_bind_text(s, 1, "*t154*", -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) n += read_article(s).views;
  }
  {  // query 23
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE (\"status\" = ? AND \"views\" < ?) ORDER BY \"created_at\" DESC LIMIT 1");
    sqlite3_bind_text(s, 1, "published", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, 161);
    if (sqlite3_step(s) == SQLITE_ROW) n += read_article(s).views;
  }
  {  // query 24
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE (\"rating\" IS NULL OR \"rating\" > ?) ORDER BY \"title\" ASC LIMIT 1");
    sqlite3_bind_double(s, 1, 168.5);
    if (sqlite3_step(s) == SQLITE_ROW) n += read_article(s).views;
  }
  {  // query 25
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE \"slug\" GLOB ? ORDER BY \"slug\" DESC LIMIT 1");
    sqlite3_bind_text(s, 1, "s175*", -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) n += read_article(s).views;
  }
  {  // query 26
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE \"views\" BETWEEN ? AND ? ORDER BY \"id\" ASC LIMIT 1");
    sqlite3_bind_int64(s, 1, 182);
    sqlite3_bind_int64(s, 2, 182 + 100);
    if (sqlite3_step(s) == SQLITE_ROW) n += read_article(s).views;
  }
  {  // query 27
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE (\"title\" = ? OR \"slug\" = ?) ORDER BY \"views\" DESC LIMIT 1");
    sqlite3_bind_text(s, 1, "x189", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, "y189", -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) n += read_article(s).views;
  }
  {  // query 28
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE \"views\" IN (?, ?, ?) ORDER BY \"created_at\" DESC LIMIT 1");
    sqlite3_bind_int64(s, 1, 196);
    sqlite3_bind_int64(s, 2, 196 + 1);
    sqlite3_bind_int64(s, 3, 196 + 2);
    if (sqlite3_step(s) == SQLITE_ROW) n += read_article(s).views;
  }
  {  // query 29
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE NOT (\"views\" >= ?) ORDER BY \"title\" ASC LIMIT 1");
    sqlite3_bind_int64(s, 1, 203);
    if (sqlite3_step(s) == SQLITE_ROW) n += read_article(s).views;
  }
  {  // query 30
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"id\", \"title\", \"slug\", \"body\", \"status\", \"views\", \"rating\", \"author_id\", \"created_at\", \"published_at\" FROM \"blog_article\" WHERE (\"body\" IS NOT NULL AND \"title\" != ?) ORDER BY \"slug\" DESC LIMIT 1");
    sqlite3_bind_text(s, 1, "z210", -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) n += read_article(s).views;
  }
  {  // query 31
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT 1 FROM \"blog_article\" WHERE \"views\" > ? LIMIT 1");
    sqlite3_bind_int64(s, 1, 217);
    if (sqlite3_step(s) == SQLITE_ROW) n += 1;
  }
  {  // query 32
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT 1 FROM \"blog_article\" WHERE \"title\" GLOB ? LIMIT 1");
    sqlite3_bind_text(s, 1, "*t224*", -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) n += 1;
  }
  {  // query 33
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT 1 FROM \"blog_article\" WHERE (\"status\" = ? AND \"views\" < ?) LIMIT 1");
    sqlite3_bind_text(s, 1, "published", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, 231);
    if (sqlite3_step(s) == SQLITE_ROW) n += 1;
  }
  {  // query 34
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT 1 FROM \"blog_article\" WHERE (\"rating\" IS NULL OR \"rating\" > ?) LIMIT 1");
    sqlite3_bind_double(s, 1, 238.5);
    if (sqlite3_step(s) == SQLITE_ROW) n += 1;
  }
  {  // query 35
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT 1 FROM \"blog_article\" WHERE \"slug\" GLOB ? LIMIT 1");
    sqlite3_bind_text(s, 1, "s245*", -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) n += 1;
  }
  {  // query 36
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT 1 FROM \"blog_article\" WHERE \"views\" BETWEEN ? AND ? LIMIT 1");
    sqlite3_bind_int64(s, 1, 252);
    sqlite3_bind_int64(s, 2, 252 + 100);
    if (sqlite3_step(s) == SQLITE_ROW) n += 1;
  }
  {  // query 37
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT 1 FROM \"blog_article\" WHERE (\"title\" = ? OR \"slug\" = ?) LIMIT 1");
    sqlite3_bind_text(s, 1, "x259", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, "y259", -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) n += 1;
  }
  {  // query 38
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT 1 FROM \"blog_article\" WHERE \"views\" IN (?, ?, ?) LIMIT 1");
    sqlite3_bind_int64(s, 1, 266);
    sqlite3_bind_int64(s, 2, 266 + 1);
    sqlite3_bind_int64(s, 3, 266 + 2);
    if (sqlite3_step(s) == SQLITE_ROW) n += 1;
  }
  {  // query 39
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT 1 FROM \"blog_article\" WHERE NOT (\"views\" >= ?) LIMIT 1");
    sqlite3_bind_int64(s, 1, 273);
    if (sqlite3_step(s) == SQLITE_ROW) n += 1;
  }
  {  // query 40
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT 1 FROM \"blog_article\" WHERE (\"body\" IS NOT NULL AND \"title\" != ?) LIMIT 1");
    sqlite3_bind_text(s, 1, "z280", -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) n += 1;
  }
  {  // query 41
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"title\" FROM \"blog_article\" WHERE \"views\" > ? ORDER BY \"id\" ASC");
    sqlite3_bind_int64(s, 1, 287);
    std::vector<std::string> titles;
    while (sqlite3_step(s) == SQLITE_ROW) titles.push_back(text(s, 0));
    for (const auto& t : titles) n += static_cast<std::int64_t>(t.size());
  }
  {  // query 42
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"title\" FROM \"blog_article\" WHERE \"title\" GLOB ? ORDER BY \"views\" DESC");
    sqlite3_bind_text(s, 1, "*t294*", -1, SQLITE_STATIC);
    std::vector<std::string> titles;
    while (sqlite3_step(s) == SQLITE_ROW) titles.push_back(text(s, 0));
    for (const auto& t : titles) n += static_cast<std::int64_t>(t.size());
  }
  {  // query 43
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"title\" FROM \"blog_article\" WHERE (\"status\" = ? AND \"views\" < ?) ORDER BY \"created_at\" DESC");
    sqlite3_bind_text(s, 1, "published", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, 301);
    std::vector<std::string> titles;
    while (sqlite3_step(s) == SQLITE_ROW) titles.push_back(text(s, 0));
    for (const auto& t : titles) n += static_cast<std::int64_t>(t.size());
  }
  {  // query 44
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"title\" FROM \"blog_article\" WHERE (\"rating\" IS NULL OR \"rating\" > ?) ORDER BY \"title\" ASC");
    sqlite3_bind_double(s, 1, 308.5);
    std::vector<std::string> titles;
    while (sqlite3_step(s) == SQLITE_ROW) titles.push_back(text(s, 0));
    for (const auto& t : titles) n += static_cast<std::int64_t>(t.size());
  }
  {  // query 45
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"title\" FROM \"blog_article\" WHERE \"slug\" GLOB ? ORDER BY \"slug\" DESC");
    sqlite3_bind_text(s, 1, "s315*", -1, SQLITE_STATIC);
    std::vector<std::string> titles;
    while (sqlite3_step(s) == SQLITE_ROW) titles.push_back(text(s, 0));
    for (const auto& t : titles) n += static_cast<std::int64_t>(t.size());
  }
  {  // query 46
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"title\" FROM \"blog_article\" WHERE \"views\" BETWEEN ? AND ? ORDER BY \"id\" ASC");
    sqlite3_bind_int64(s, 1, 322);
    sqlite3_bind_int64(s, 2, 322 + 100);
    std::vector<std::string> titles;
    while (sqlite3_step(s) == SQLITE_ROW) titles.push_back(text(s, 0));
    for (const auto& t : titles) n += static_cast<std::int64_t>(t.size());
  }
  {  // query 47
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"title\" FROM \"blog_article\" WHERE (\"title\" = ? OR \"slug\" = ?) ORDER BY \"views\" DESC");
    sqlite3_bind_text(s, 1, "x329", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, "y329", -1, SQLITE_STATIC);
    std::vector<std::string> titles;
    while (sqlite3_step(s) == SQLITE_ROW) titles.push_back(text(s, 0));
    for (const auto& t : titles) n += static_cast<std::int64_t>(t.size());
  }
  {  // query 48
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"title\" FROM \"blog_article\" WHERE \"views\" IN (?, ?, ?) ORDER BY \"created_at\" DESC");
    sqlite3_bind_int64(s, 1, 336);
    sqlite3_bind_int64(s, 2, 336 + 1);
    sqlite3_bind_int64(s, 3, 336 + 2);
    std::vector<std::string> titles;
    while (sqlite3_step(s) == SQLITE_ROW) titles.push_back(text(s, 0));
    for (const auto& t : titles) n += static_cast<std::int64_t>(t.size());
  }
  {  // query 49
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"title\" FROM \"blog_article\" WHERE NOT (\"views\" >= ?) ORDER BY \"title\" ASC");
    sqlite3_bind_int64(s, 1, 343);
    std::vector<std::string> titles;
    while (sqlite3_step(s) == SQLITE_ROW) titles.push_back(text(s, 0));
    for (const auto& t : titles) n += static_cast<std::int64_t>(t.size());
  }
  {  // query 50
    static sqlite3_stmt* cached = nullptr;
    sqlite3_stmt* s = prepare(db, cached, "SELECT \"title\" FROM \"blog_article\" WHERE (\"body\" IS NOT NULL AND \"title\" != ?) ORDER BY \"slug\" DESC");
    sqlite3_bind_text(s, 1, "z350", -1, SQLITE_STATIC);
    std::vector<std::string> titles;
    while (sqlite3_step(s) == SQLITE_ROW) titles.push_back(text(s, 0));
    for (const auto& t : titles) n += static_cast<std::int64_t>(t.size());
  }
  return n;
}
