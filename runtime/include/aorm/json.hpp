// aorm/json.hpp — Boost.JSON conversions for aorm's field types, relations and models
// (API.md §8). The core runtime never includes this header: only code that does needs
// Boost.JSON, and links the CMake target aorm::json (which brings Boost::json).
//
// Generated `<ns>/json.hpp` files give every model `tag_invoke` overloads in the model's
// namespace, so `boost::json::value_from(article)` and `boost::json::value_to<Article>(v)`
// work; they are written with the building blocks below. docs/json.md has the full mapping:
//
//   bool, int32, int64     JSON bool / integer (int32 range-checked on reading)
//   double                 JSON number; NaN and infinities are written as null
//   std::string            JSON string; invalid UTF-8 is written as U+FFFD (valid output)
//   aorm::Decimal          string, normalised ("12.5"); reads strings and integers
//   aorm::Uuid             string "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
//   aorm::Date             string "YYYY-MM-DD"
//   aorm::DateTime         string, ISO 8601 in UTC: "2024-03-15T10:30:00Z", with six fraction
//                          digits when the microseconds are not zero ("...T10:30:00.000250Z")
//   aorm::Time             string "HH:MM:SS", or "HH:MM:SS.ffffff" when not a whole second
//   aorm::Json             the document itself, embedded (empty text is written as null)
//   aorm::Bytes            string, base64 (RFC 4648 standard alphabet, with padding)
//   enum with choices      its stored text ("published")
//   std::optional<X>       null, or X
//   ForeignKey<T>          the loaded object as a nested object, else the id (null key: null)
//   ManyToMany / RelatedSet  an array of objects once prefetched; left out when not loaded
//   RelatedObject<T>       the object, or null when none; left out when not loaded
//
// Reading raises aorm::JsonError, whose message starts with the path of the bad member:
// "tags[2].name: expected a string".
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "aorm/errors.hpp"
#include "aorm/meta.hpp"
#include "aorm/relations.hpp"
#include "aorm/types.hpp"

namespace aorm {

/// A JSON value that cannot become the C++ value asked for (or, when writing, a stored
/// aorm::Json text that is not JSON). `path()` locates the bad member from the value that
/// was converted ("tags[2].name", empty for that value itself), `reason()` says what is
/// wrong ("expected a string"); what() is "<path>: <reason>", or the reason alone.
class JsonError : public Error {
 public:
  JsonError(std::string path, std::string reason);

  const std::string& path() const noexcept { return path_; }
  const std::string& reason() const noexcept { return reason_; }

  /// The same error seen from the object holding it as member `name`: "name.<path>".
  JsonError in_member(std::string_view name) const;
  /// The same error seen from the array holding it at `index`: "[index].<path>".
  JsonError at_index(std::size_t index) const;

 private:
  std::string path_, reason_;
};

namespace json {

/// Whether T is a generated model (it has ModelTraits).
template <class T>
concept model = requires(const T& obj) { ModelTraits<T>::pk(obj); };

/// An enum declared by `choices` (it has EnumTraits).
template <class E>
concept choice = std::is_enum_v<E> && requires { EnumTraits<E>::values; };

// ---- base64 (RFC 4648 §4: standard alphabet, '=' padding) ------------------------------

/// "aGVsbG8=" for the bytes of "hello".
std::string base64_encode(std::span<const std::byte> bytes);
/// The bytes of canonical base64 text: length a multiple of 4, the standard alphabet, at
/// most two '=' at the end, unused bits zero, no whitespace. nullopt for anything else.
std::optional<Bytes> base64_decode(std::string_view text);

// ---- text forms -------------------------------------------------------------------------

/// "2024-03-15T10:30:00Z", or "2024-03-15T10:30:00.000250Z" when the microseconds are not 0.
std::string iso8601(DateTime t);
/// "10:30:00", or "10:30:00.000250" when not a whole second.
std::string iso8601(Time t);
/// `text` with every invalid UTF-8 sequence replaced by U+FFFD (the text itself when valid,
/// which is checked first: no copy is made then beyond the returned string).
std::string valid_utf8(std::string_view text);

// ---- one value: C++ -> JSON (to_json) and JSON -> C++ (from_json) -----------------------
// from_json raises JsonError with an empty path; the member helpers below add the path.

void to_json(boost::json::value& out, bool v);
void to_json(boost::json::value& out, std::int32_t v);
void to_json(boost::json::value& out, std::int64_t v);
void to_json(boost::json::value& out, double v);
void to_json(boost::json::value& out, std::string_view v);
void to_json(boost::json::value& out, const Decimal& v);
void to_json(boost::json::value& out, const Uuid& v);
void to_json(boost::json::value& out, Date v);
void to_json(boost::json::value& out, DateTime v);
void to_json(boost::json::value& out, Time v);
/// Raises JsonError when the stored text is not a JSON document.
void to_json(boost::json::value& out, const Json& v);
void to_json(boost::json::value& out, const Bytes& v);
inline void to_json(boost::json::value& out, const std::string& v) { to_json(out, std::string_view(v)); }

void from_json(const boost::json::value& in, bool& out);
void from_json(const boost::json::value& in, std::int32_t& out);
void from_json(const boost::json::value& in, std::int64_t& out);
void from_json(const boost::json::value& in, double& out);
void from_json(const boost::json::value& in, std::string& out);
void from_json(const boost::json::value& in, Decimal& out);
void from_json(const boost::json::value& in, Uuid& out);
void from_json(const boost::json::value& in, Date& out);
void from_json(const boost::json::value& in, DateTime& out);
void from_json(const boost::json::value& in, Time& out);
/// Any JSON value; kept as its compact serialization.
void from_json(const boost::json::value& in, Json& out);
void from_json(const boost::json::value& in, Bytes& out);

namespace detail {
/// Raises JsonError("", "expected one of: a, b, c") for a choice that is none of `values`.
[[noreturn]] void throw_bad_choice(std::span<const std::string_view> values);
/// Raises JsonError("", reason).
[[noreturn]] void throw_error(const char* reason);
}  // namespace detail

template <choice E>
void to_json(boost::json::value& out, E v) {
  const auto i = static_cast<std::size_t>(static_cast<std::underlying_type_t<E>>(v));
  if (i >= EnumTraits<E>::values.size()) detail::throw_error("enum value has no stored choice");
  out = boost::json::string_view(EnumTraits<E>::values[i].data(), EnumTraits<E>::values[i].size());
}

template <choice E>
void from_json(const boost::json::value& in, E& out) {
  const auto& values = EnumTraits<E>::values;
  if (const boost::json::string* s = in.if_string()) {
    const std::string_view text(s->data(), s->size());
    for (std::size_t k = 0; k < values.size(); ++k) {
      if (values[k] == text) {
        out = static_cast<E>(static_cast<std::underlying_type_t<E>>(k));
        return;
      }
    }
  }
  detail::throw_bad_choice(std::span<const std::string_view>(values.data(), values.size()));
}

/// A model: its generated tag_invoke (boost::json::value_from).
template <model T>
void to_json(boost::json::value& out, const T& obj) {
  out = boost::json::value_from(obj, out.storage());
}

template <model T>
void from_json(const boost::json::value& in, T& out) {
  out = boost::json::value_to<T>(in);
}

template <class X>
void to_json(boost::json::value& out, const std::optional<X>& v) {
  if (v) to_json(out, *v);
  else out = nullptr;
}

template <class X>
void from_json(const boost::json::value& in, std::optional<X>& out) {
  if (in.is_null()) {
    out.reset();
    return;
  }
  X x{};
  from_json(in, x);
  out = std::move(x);
}

/// The loaded object, nested; else the id (null for a null key).
template <class T, class N>
void to_json(boost::json::value& out, const ForeignKey<T, N>& fk) {
  if (fk.loaded()) {
    to_json(out, *fk);
  } else if constexpr (ForeignKey<T, N>::is_nullable) {
    if (fk.id()) out = *fk.id();
    else out = nullptr;
  } else {
    out = fk.id();
  }
}

/// An id (the key holds it), an object (the key holds the object, loaded, and its id), or
/// null for a nullable key.
template <class T, class N>
void from_json(const boost::json::value& in, ForeignKey<T, N>& fk) {
  if (in.is_object()) {
    fk.set_loaded(boost::json::value_to<T>(in));
    return;
  }
  if constexpr (ForeignKey<T, N>::is_nullable) {
    if (in.is_null()) {
      fk.set_id(std::nullopt);
      return;
    }
  }
  if (!in.is_int64() && !in.is_uint64()) detail::throw_error("expected an id or an object");
  std::int64_t id = 0;
  from_json(in, id);
  fk.set_id(id);
}

// ---- members of a model's object (what generated tag_invoke overloads call) -------------

/// Writes member `name` = `v`; an error inside gets `name` in front of its path.
template <class X>
void put(boost::json::object& o, std::string_view name, const X& v) {
  try {
    to_json(o[name], v);
  } catch (const JsonError& e) {
    throw e.in_member(name);
  }
}

/// Writes a relation set (ManyToMany, RelatedSet) as an array of objects when it was
/// prefetched; leaves the member out when not (writing must not query, and an empty array
/// would claim there is nothing related).
template <class S>
void put_set(boost::json::object& o, std::string_view name, const S& set) {
  if (!set.loaded()) return;
  try {
    boost::json::array& a = o[name].emplace_array();
    a.reserve(set.size());
    for (const auto& item : set) to_json(a.emplace_back(nullptr), item);
  } catch (const JsonError& e) {
    throw e.in_member(name);
  }
}

/// Writes a reverse one-to-one once loaded: the object, or null when no row references the
/// owner; leaves the member out when not loaded.
template <class T>
void put_related(boost::json::object& o, std::string_view name, const RelatedObject<T>& rel) {
  if (!rel.loaded()) return;
  try {
    if (const T* obj = rel.get()) to_json(o[name], *obj);
    else o[name] = nullptr;
  } catch (const JsonError& e) {
    throw e.in_member(name);
  }
}

/// The object a model is read from; raises JsonError("", "expected an object") otherwise.
const boost::json::object& as_object(const boost::json::value& in);

/// Whether a member must be present when a model is read (see docs/json.md): fields with a
/// default, nullable fields, auto-increment keys and auto_now(_add) stamps are optional.
enum class Presence { required, optional };

/// Reads member `name` into `out`. A missing member raises "<name>: missing required
/// member" when `presence` is required and leaves `out` as it is otherwise.
template <class X>
void get(const boost::json::object& o, std::string_view name, X& out, Presence presence) {
  const boost::json::value* in = o.if_contains(name);
  if (!in) {
    if (presence == Presence::required) throw JsonError(std::string(name), "missing required member");
    return;
  }
  try {
    from_json(*in, out);
  } catch (const JsonError& e) {
    throw e.in_member(name);
  }
}

/// Reads a relation set from an array of objects (the set is then loaded, as after
/// prefetch_related); a missing member leaves it not loaded.
template <class S>
void get_set(const boost::json::object& o, std::string_view name, S& set) {
  const boost::json::value* in = o.if_contains(name);
  if (!in) return;
  using T = typename S::value_type;
  const boost::json::array* a = in->if_array();
  if (!a) throw JsonError(std::string(name), "expected an array");
  std::vector<T> items;
  items.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    try {
      items.push_back(boost::json::value_to<T>((*a)[i]));
    } catch (const JsonError& e) {
      throw e.at_index(i).in_member(name);
    }
  }
  set.set_loaded(std::move(items));
}

/// Reads a reverse one-to-one: an object, or null for none; missing leaves it not loaded.
template <class T>
void get_related(const boost::json::object& o, std::string_view name, RelatedObject<T>& rel) {
  const boost::json::value* in = o.if_contains(name);
  if (!in) return;
  if (in->is_null()) {
    rel.set_loaded(std::nullopt);
    return;
  }
  try {
    rel.set_loaded(boost::json::value_to<T>(*in));
  } catch (const JsonError& e) {
    throw e.in_member(name);
  }
}

/// Reads an array of models, with the index in the path of an error ("[3].title: ...");
/// `boost::json::value_to<std::vector<T>>` works too, without the index.
template <model T>
std::vector<T> value_to_vector(const boost::json::value& in) {
  const boost::json::array* a = in.if_array();
  if (!a) detail::throw_error("expected an array");
  std::vector<T> out;
  out.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    try {
      out.push_back(boost::json::value_to<T>((*a)[i]));
    } catch (const JsonError& e) {
      throw e.at_index(i);
    }
  }
  return out;
}

}  // namespace json

// ---- tag_invoke for aorm's own class types (found by ADL in namespace aorm) -------------
// Date and DateTime are std::chrono types and Bytes is a std::vector: ADL cannot find
// overloads for them here, and aorm does not add any to std or boost. Convert those with
// aorm::json::to_json / from_json (model members need nothing: the generated code does it).

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const Decimal& v) {
  json::to_json(out, v);
}
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const Uuid& v) {
  json::to_json(out, v);
}
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const Time& v) {
  json::to_json(out, v);
}
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const Json& v) {
  json::to_json(out, v);
}
inline Decimal tag_invoke(boost::json::value_to_tag<Decimal>, const boost::json::value& in) {
  Decimal v;
  json::from_json(in, v);
  return v;
}
inline Uuid tag_invoke(boost::json::value_to_tag<Uuid>, const boost::json::value& in) {
  Uuid v;
  json::from_json(in, v);
  return v;
}
inline Time tag_invoke(boost::json::value_to_tag<Time>, const boost::json::value& in) {
  Time v;
  json::from_json(in, v);
  return v;
}
inline Json tag_invoke(boost::json::value_to_tag<Json>, const boost::json::value& in) {
  Json v;
  json::from_json(in, v);
  return v;
}

}  // namespace aorm
