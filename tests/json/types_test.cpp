// Every field type, both ways: what value_from writes (the mapping of docs/json.md), and
// that value_to gives the object back, directly and through serialized text.
#include <chrono>
#include <cstdint>
#include <limits>

#include "support.hpp"

namespace json_test {

using namespace std::chrono;
using kinds::Sample;

Sample full_sample() {
  Sample s;
  s.id = 42;
  s.flag = true;
  s.small = std::numeric_limits<std::int32_t>::min();
  s.big = std::numeric_limits<std::int64_t>::max();
  s.ratio = 0.1;
  s.price = aorm::Decimal("-12345678901234.000001");
  s.code = "A-1";
  s.note = "line 1\nline 2";
  for (int b = 0; b < 256; ++b) s.blob.push_back(static_cast<std::byte>(b));
  s.day = sys_days{1969y / December / 31};
  s.moment = sys_days{2024y / March / 15} + 10h + 30min + 250us;
  s.clock = aorm::Time(23, 59, 59, 999999);
  s.token = aorm::Uuid::parse("0f8fad5b-d9cb-469f-a165-70867728950e");
  s.doc = aorm::Json{R"({"a": [1, 2.5, {"b": null}], "c": "d"})"};
  s.size = Sample::Size::delete_;
  s.opt_flag = false;
  s.opt_small = 7;
  s.opt_big = -1;
  s.opt_ratio = -2.5e300;
  s.opt_price = aorm::Decimal("0.5");
  s.opt_code = "";
  s.opt_blob = aorm::Bytes{};
  s.opt_day = sys_days{2000y / February / 29};
  s.opt_moment = sys_days{1970y / January / 1};
  s.opt_clock = aorm::Time(0, 0);
  s.opt_token = aorm::Uuid{};
  s.opt_doc = aorm::Json{"[]"};
  s.opt_size = Sample::OptSize::small;
  s.owner = 3;
  s.backup = 4;
  return s;
}

void check_same(const Sample& a, const Sample& b) {
  const auto parsed = [](const aorm::Json& j) { return boost::json::parse(j.text); };
  CHECK(a.id == b.id);
  CHECK(a.flag == b.flag);
  CHECK(a.small == b.small);
  CHECK(a.big == b.big);
  CHECK(a.ratio == b.ratio);
  CHECK(a.price == b.price);
  CHECK(a.code == b.code);
  CHECK(a.note == b.note);
  CHECK(a.blob == b.blob);
  CHECK(a.day == b.day);
  CHECK(a.moment == b.moment);
  CHECK(a.clock == b.clock);
  CHECK(a.token == b.token);
  CHECK(parsed(a.doc) == parsed(b.doc));
  CHECK(a.size == b.size);
  CHECK(a.opt_flag == b.opt_flag);
  CHECK(a.opt_small == b.opt_small);
  CHECK(a.opt_big == b.opt_big);
  CHECK(a.opt_ratio == b.opt_ratio);
  CHECK(a.opt_price == b.opt_price);
  CHECK(a.opt_code == b.opt_code);
  CHECK(a.opt_blob == b.opt_blob);
  CHECK(a.opt_day == b.opt_day);
  CHECK(a.opt_moment == b.opt_moment);
  CHECK(a.opt_clock == b.opt_clock);
  CHECK(a.opt_token == b.opt_token);
  CHECK(a.opt_doc.has_value() == b.opt_doc.has_value());
  if (a.opt_doc && b.opt_doc) CHECK(parsed(*a.opt_doc) == parsed(*b.opt_doc));
  CHECK(a.opt_size == b.opt_size);
  CHECK(a.owner.id() == b.owner.id());
  CHECK(a.backup.id() == b.backup.id());
}

namespace {

TEST_CASE("value_from writes every field type as docs/json.md maps it") {
  const boost::json::value v = boost::json::value_from(full_sample());
  const boost::json::object& o = v.as_object();
  CHECK(o.at("id") == 42);
  CHECK(o.at("flag") == true);
  CHECK(o.at("small") == std::numeric_limits<std::int32_t>::min());
  CHECK(o.at("big") == std::numeric_limits<std::int64_t>::max());
  CHECK(o.at("ratio") == 0.1);
  CHECK(o.at("price") == "-12345678901234.000001");
  CHECK(o.at("code") == "A-1");
  CHECK(o.at("note") == "line 1\nline 2");
  CHECK(o.at("blob").as_string().starts_with("AAECAwQFBgcICQoL"));
  CHECK(o.at("blob").as_string().ends_with("+/w=="));  // 256 bytes: one byte in the last group
  CHECK(o.at("day") == "1969-12-31");
  CHECK(o.at("moment") == "2024-03-15T10:30:00.000250Z");
  CHECK(o.at("clock") == "23:59:59.999999");
  CHECK(o.at("token") == "0f8fad5b-d9cb-469f-a165-70867728950e");
  CHECK(o.at("doc") == boost::json::parse(R"({"a": [1, 2.5, {"b": null}], "c": "d"})"));  // embedded
  CHECK(o.at("size") == "delete");  // the stored text, not the enumerator delete_
  CHECK(o.at("opt_size") == "small");
  CHECK(o.at("opt_moment") == "1970-01-01T00:00:00Z");  // whole seconds: no fraction
  CHECK(o.at("opt_clock") == "00:00:00");
  CHECK(o.at("opt_token") == "00000000-0000-0000-0000-000000000000");
  CHECK(o.at("opt_blob") == "");
  CHECK(o.at("owner") == 3);  // not loaded: the id
  CHECK(o.at("backup") == 4);
  CHECK_FALSE(o.contains("labels"));  // not prefetched: left out
  // Every column has a member, named as the field: id, 14 fields, 13 optionals, 2 keys.
  CHECK(o.size() == 30);
}

TEST_CASE("every field type survives value_from then value_to, and serialize then parse") {
  const Sample s = full_sample();
  check_same(s, round_trip(s));
  check_same(s, through_text(s));
}

TEST_CASE("null members: optionals are null and read back as nullopt") {
  Sample s = full_sample();
  s.opt_flag.reset(), s.opt_small.reset(), s.opt_big.reset(), s.opt_ratio.reset(), s.opt_price.reset();
  s.opt_code.reset(), s.opt_blob.reset(), s.opt_day.reset(), s.opt_moment.reset(), s.opt_clock.reset();
  s.opt_token.reset(), s.opt_doc.reset(), s.opt_size.reset();
  s.backup = std::nullopt;
  const boost::json::value v = boost::json::value_from(s);
  for (const char* name : {"opt_flag", "opt_small", "opt_big", "opt_ratio", "opt_price", "opt_code", "opt_blob",
                           "opt_day", "opt_moment", "opt_clock", "opt_token", "opt_doc", "opt_size", "backup"}) {
    INFO(name);
    CHECK(v.as_object().at(name).is_null());
  }
  check_same(s, through_text(s));
}

TEST_CASE("a default-constructed model round-trips, and its empty aorm::Json is written as null") {
  const Sample s{};
  const boost::json::value v = boost::json::value_from(s);
  CHECK(v.as_object().at("doc").is_null());
  CHECK(v.as_object().at("moment") == "1970-01-01T00:00:00Z");
  CHECK(v.as_object().at("price") == "0");
  const Sample back = through_text(s);
  CHECK(back.doc.text == "null");  // the JSON document null: empty text is no document
  CHECK(back.size == Sample::Size::medium);
}

TEST_CASE("non-finite doubles are written as null, which Boost.JSON would write as NaN/Infinity") {
  Sample s{};
  s.ratio = std::numeric_limits<double>::quiet_NaN();
  s.opt_ratio = std::numeric_limits<double>::infinity();
  const boost::json::value v = boost::json::value_from(s);
  CHECK(v.as_object().at("ratio").is_null());
  CHECK(v.as_object().at("opt_ratio").is_null());
  // The serialized text is valid JSON.
  CHECK_NOTHROW(boost::json::parse(boost::json::serialize(v)));
}

TEST_CASE("reading accepts the other spellings the runtime parses") {
  boost::json::value v = boost::json::value_from(full_sample());
  boost::json::object& o = v.as_object();
  o["moment"] = "2024-03-15 12:30:00.000250+02:00";  // an offset converts to UTC
  o["price"] = 12;                                     // an integer is an exact decimal
  o["token"] = "{0F8FAD5B-D9CB-469F-A165-70867728950E}";
  o["clock"] = "23:59";
  o["ratio"] = 3;  // an integer is a number
  const Sample back = boost::json::value_to<Sample>(v);
  CHECK(back.moment == full_sample().moment);
  CHECK(back.price == aorm::Decimal(12));
  CHECK(back.token == full_sample().token);
  CHECK(back.clock == aorm::Time(23, 59));
  CHECK(back.ratio == 3.0);
}

TEST_CASE("aorm::Json is kept as compact text when read, any JSON value included") {
  boost::json::value v = boost::json::value_from(full_sample());
  for (const char* doc : {"1", "\"text\"", "null", "[true, false]", "{\"k\": {\"n\": [1, 2]}}"}) {
    INFO(doc);
    v.as_object()["doc"] = boost::json::parse(doc);
    const Sample back = boost::json::value_to<Sample>(v);
    CHECK(boost::json::parse(back.doc.text) == boost::json::parse(doc));
    CHECK(back.doc.text == boost::json::serialize(boost::json::parse(doc)));
  }
}

TEST_CASE("a missing optional member keeps the C++ default, and unknown members are ignored") {
  const blog::Article a = boost::json::value_to<blog::Article>(
      boost::json::parse(R"({"title": "T", "slug": "t", "author": 1, "unknown": [1, 2], "Title": 5})"));
  CHECK(a.id == 0);
  CHECK(a.title == "T");
  CHECK(a.status == blog::Article::Status::draft);
  CHECK(a.views == 0);
  CHECK_FALSE(a.body.has_value());
  CHECK(a.author.id() == 1);
  CHECK_FALSE(a.author.loaded());
  CHECK_FALSE(a.tags.loaded());
}

TEST_CASE("base64 is RFC 4648's standard alphabet with padding, and decoding is strict") {
  const auto bytes = [](std::string_view s) {
    aorm::Bytes b;
    for (char c : s) b.push_back(static_cast<std::byte>(c));
    return b;
  };
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},       {"fo", "Zm8="},
                                                          {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                          {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    INFO(plain);
    CHECK(aorm::json::base64_encode(bytes(plain)) == encoded);
    CHECK(aorm::json::base64_decode(encoded) == bytes(plain));
  }
  for (const char* bad : {"Zg=", "Zg", "Z===", "====", "Zh==", "Zm9=", "Zm9v\n", "Zm 9v", "Zg==Zg==", "-_8=", "Zm9v===="}) {
    INFO(bad);
    CHECK_FALSE(aorm::json::base64_decode(bad).has_value());
  }
}

TEST_CASE("aorm's own class types convert with boost::json::value_from / value_to directly") {
  CHECK(boost::json::value_from(aorm::Decimal("1.50")) == "1.5");
  CHECK(boost::json::value_to<aorm::Uuid>(boost::json::value("0f8fad5b-d9cb-469f-a165-70867728950e")) ==
        full_sample().token);
  CHECK(boost::json::value_from(aorm::Time(8, 5, 3, 10)) == "08:05:03.000010");
  // Date, DateTime and Bytes are std types: aorm::json::to_json / from_json convert them.
  boost::json::value v;
  aorm::json::to_json(v, aorm::DateTime{sys_days{2024y / January / 2}});
  CHECK(v == "2024-01-02T00:00:00Z");
}

TEST_CASE("a value_to of an array of models: value_to_vector, or Boost's own vector conversion") {
  const boost::json::value v = boost::json::parse(R"([{"name": "a"}, {"name": "b", "id": 2}])");
  const std::vector<blog::Tag> tags = aorm::json::value_to_vector<blog::Tag>(v);
  REQUIRE(tags.size() == 2);
  CHECK(tags[1].name == "b");
  CHECK(tags[1].id == 2);
  CHECK(boost::json::value_to<std::vector<blog::Tag>>(v).size() == 2);
}

}  // namespace
}  // namespace json_test
