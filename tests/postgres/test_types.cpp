// aorm's field types (types.hpp) against PostgreSQL's native column types, the ones aormc's
// postgres DDL uses (codegen/emit/sql/ddl.cpp): to_value() binds each C++ value, the server
// stores it in its own type, read_value() reads the server's text rendering back.
#include <chrono>
#include <limits>

#include "aorm/types.hpp"
#include "support.hpp"

using aorm::Task;
using V = std::vector<aorm::Value>;

namespace {

/// One value of every field type (API.md §2).
struct Row {
  bool flag = false;
  std::int32_t small = 0;
  std::int64_t big = 0;
  double ratio = 0;
  aorm::Decimal amount;
  std::string name;
  aorm::Bytes data;
  aorm::Date day{};
  aorm::DateTime at{};
  aorm::Time clock;
  aorm::Uuid id;
  aorm::Json doc;
  std::optional<aorm::DateTime> maybe;

  bool operator==(const Row&) const = default;
};

constexpr const char* kColumns = "flag, small, big, ratio, amount, name, data, day, at, clock, id, doc, maybe";

V params_of(const Row& r) {
  return {aorm::to_value(r.flag), aorm::to_value(r.small), aorm::to_value(r.big), aorm::to_value(r.ratio),
          aorm::to_value(r.amount), aorm::to_value(r.name), aorm::to_value(r.data), aorm::to_value(r.day),
          aorm::to_value(r.at), aorm::to_value(r.clock), aorm::to_value(r.id), aorm::to_value(r.doc),
          aorm::to_value(r.maybe)};
}

Row read_row(const aorm::RowReader& r) {
  Row out;
  aorm::read_value(r, 0, out.flag);
  aorm::read_value(r, 1, out.small);
  aorm::read_value(r, 2, out.big);
  aorm::read_value(r, 3, out.ratio);
  aorm::read_value(r, 4, out.amount);
  aorm::read_value(r, 5, out.name);
  aorm::read_value(r, 6, out.data);
  aorm::read_value(r, 7, out.day);
  aorm::read_value(r, 8, out.at);
  aorm::read_value(r, 9, out.clock);
  aorm::read_value(r, 10, out.id);
  aorm::read_value(r, 11, out.doc);
  aorm::read_value(r, 12, out.maybe);
  return out;
}

aorm::DateTime utc(int y, unsigned m, unsigned d, int hh, int mm, int ss, int us) {
  using namespace std::chrono;
  return aorm::DateTime{sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss} +
                        microseconds{us}};
}

}  // namespace

TEST_CASE("every field type round-trips through its native PostgreSQL column type") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 1);
    auto& b = *backend;
    co_await pgtest::exec(b, "DROP TABLE IF EXISTS pg_types_all");
    co_await pgtest::exec(b,
                          "CREATE TABLE pg_types_all (flag boolean NOT NULL, small integer NOT NULL, big bigint NOT NULL, "
                          "ratio double precision NOT NULL, amount numeric(12, 4) NOT NULL, name varchar(50) NOT NULL, "
                          "data bytea NOT NULL, day date NOT NULL, at timestamptz NOT NULL, clock time NOT NULL, "
                          "id uuid NOT NULL, doc jsonb NOT NULL, maybe timestamptz NULL)");

    Row one;
    one.flag = true;
    one.small = -2'000'000'000;
    one.big = std::numeric_limits<std::int64_t>::min();
    one.ratio = 0.1;
    one.amount = aorm::Decimal("-1234.5600");  // numeric(12, 4) renders "-1234.5600"
    one.name = "Zoë «quoted» 'x'";
    one.data = {std::byte{0}, std::byte{0xff}, std::byte{'\\'}, std::byte{'x'}};
    one.day = std::chrono::sys_days{std::chrono::year{2024} / 2 / 29};
    one.at = utc(2024, 2, 29, 23, 59, 59, 123456);
    one.clock = aorm::Time(7, 5, 3, 40);
    one.id = aorm::Uuid::parse("0123456789abcdef0123456789abcdef");
    one.doc = aorm::Json{R"({"a": [1, "x"], "b": null})"};  // jsonb's own spacing
    one.maybe = std::nullopt;

    Row two = one;
    two.flag = false;
    two.small = 7;
    two.big = 0;
    two.amount = aorm::Decimal(42);
    two.name.clear();
    two.data.clear();
    two.day = std::chrono::sys_days{std::chrono::year{1969} / 12 / 31};
    two.at = utc(1970, 1, 1, 0, 0, 0, 0);
    two.clock = aorm::Time(23, 59, 59, 999999);
    two.id = aorm::Uuid::generate();
    two.doc = aorm::Json{"[]"};
    two.maybe = utc(2000, 1, 1, 12, 0, 0, 1);

    const std::string insert = std::string("INSERT INTO pg_types_all (") + kColumns +
                               ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
    for (const Row* r : {&one, &two}) co_await pgtest::exec(b, insert, params_of(*r));

    std::vector<Row> back;
    const aorm::Statement select{std::string("SELECT ") + kColumns + " FROM pg_types_all ORDER BY small", {}};
    co_await b.execute(select, [&](const aorm::RowReader& r) { back.push_back(read_row(r)); }, nullptr);
    REQUIRE(back.size() == 2);
    CHECK(back[0] == one);
    CHECK(back[1] == two);
    CHECK(back[0].amount.to_string() == "-1234.56");

    // Values bound as parameters compare with the stored ones in the native types.
    for (const Row* r : {&one, &two}) {
      const V where = {aorm::to_value(r->day), aorm::to_value(r->at), aorm::to_value(r->id), aorm::to_value(r->amount),
                       aorm::to_value(r->flag), aorm::to_value(r->clock)};
      CHECK(co_await pgtest::scalar(b,
                                    "SELECT count(*) FROM pg_types_all WHERE day = $1 AND at = $2 AND id = $3 "
                                    "AND amount = $4 AND flag = $5 AND clock = $6",
                                    where) == "1");
    }
    co_await pgtest::exec(b, "DROP TABLE pg_types_all");
    co_await backend->close();
  }());
}

TEST_CASE("read_value parses the text PostgreSQL renders for timestamptz and uuid and numeric and boolean") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 1);
    int rows = 0;
    const aorm::Statement stmt{
        "SELECT timestamptz '2024-05-06 07:08:09.5+02', uuid '{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}', "
        "numeric '00012.3400', true, false, date '2024-05-06', time '01:02:03', bytea '\\x00ab'",
        {}};
    co_await backend->execute(stmt, [&](const aorm::RowReader& r) {
      ++rows;
      aorm::DateTime at;
      aorm::read_value(r, 0, at);
      CHECK(r.get_text(0) == "2024-05-06 05:08:09.5+00");  // the session is in UTC
      CHECK(at == utc(2024, 5, 6, 5, 8, 9, 500000));
      aorm::Uuid id;
      aorm::read_value(r, 1, id);
      CHECK(id.to_string() == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
      aorm::Decimal amount;
      aorm::read_value(r, 2, amount);
      CHECK(amount == aorm::Decimal("12.34"));
      bool t = false, f = true;
      aorm::read_value(r, 3, t);
      aorm::read_value(r, 4, f);
      CHECK(t);
      CHECK_FALSE(f);
      aorm::Date day;
      aorm::read_value(r, 5, day);
      CHECK(day == std::chrono::sys_days{std::chrono::year{2024} / 5 / 6});
      aorm::Time clock;
      aorm::read_value(r, 6, clock);
      CHECK(clock == aorm::Time(1, 2, 3));
      aorm::Bytes data;
      aorm::read_value(r, 7, data);
      CHECK(data == aorm::Bytes{std::byte{0}, std::byte{0xab}});
    }, nullptr);
    CHECK(rows == 1);
    co_await backend->close();
  }());
}
