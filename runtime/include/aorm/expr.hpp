// aorm/expr.hpp — typed query expressions (API.md §3): Field, Expr, Predicate, Assignment,
// ordering terms and aggregates.
//
// The typed layer only checks types and builds nodes (detail/sql/node.hpp); everything
// else happens in the non-template SQL compiler. Every value ends up a bound parameter.
//
//   Article::f.views > 10 && Article::f.title.icontains("c++")   // Predicate<Article>
//   Article::f.views = Article::f.views + 1                       // Assignment<Article>
//   Article::f.created_at.desc()                                  // OrderBy<Article>
//   aorm::Avg(Article::f.views)                                   // Aggregate<Article, std::optional<double>>
//
// Comparisons are type-checked: a field compares with values of its own kind (numbers with
// numbers, text with text, an enum with its enumerators or with one of its choice strings
// checked at compile time, a foreign key with its model or an id, dates with dates), and
// `std::optional<V>` fields with V (or std::nullopt, meaning IS NULL).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "aorm/detail/sql/node.hpp"
#include "aorm/meta.hpp"
#include "aorm/relations.hpp"
#include "aorm/task.hpp"
#include "aorm/types.hpp"
#include "aorm/value.hpp"

// `= delete("why")` (C++26; clang 19 accepts it in C++20 as an extension): the overloads
// that catch mistyped comparisons say why in the error's first line. Other compilers get a
// plain `= delete`.
#if defined(__clang__) && __clang_major__ >= 19
#define AORM_DETAIL_DELETED(why) delete (why)
#define AORM_DETAIL_DELETED_BEGIN _Pragma("clang diagnostic push") _Pragma("clang diagnostic ignored \"-Wc++26-extensions\"")
#define AORM_DETAIL_DELETED_END _Pragma("clang diagnostic pop")
#else
#define AORM_DETAIL_DELETED(why) delete
#define AORM_DETAIL_DELETED_BEGIN
#define AORM_DETAIL_DELETED_END
#endif
#define AORM_DETAIL_MISTYPED_VALUE                                                              \
  "aorm: this value's type does not match the field's: numbers compare with numbers, text "   \
  "with strings, a choices field with its enumerators or choice names, a foreign key with "    \
  "its model or an id, a date/datetime field with aorm::Date/aorm::DateTime (a choice "       \
  "held in a runtime string: convert it with aorm::from_string<Enum>(text))"
#define AORM_DETAIL_NOT_SELECT_RELATED                                                          \
  "aorm: select_related() joins this model's foreign keys and one-to-one fields (and chains "  \
  "of them); a reverse foreign key or a many-to-many field is loaded with prefetch_related()"
#define AORM_DETAIL_MISMATCHED_EXPRESSIONS                                                      \
  "aorm: these two expressions cannot be compared or combined: they belong to different "      \
  "models or hold different kinds of values (numbers combine with numbers, else same kinds)"

namespace aorm {

template <class M>
class Predicate;
template <class M, class V>
class Expr;

namespace detail {

using sql::NodePtr;

template <class V>
struct unwrap_optional {
  using type = V;
};
template <class X>
struct unwrap_optional<std::optional<X>> {
  using type = X;
};
/// V without std::optional.
template <class V>
using base_t = typename unwrap_optional<V>::type;

template <class V>
inline constexpr bool is_optional_v = false;
template <class X>
inline constexpr bool is_optional_v<std::optional<X>> = true;

template <class V>
inline constexpr bool is_foreign_key_v = false;
template <class T, class N>
inline constexpr bool is_foreign_key_v<ForeignKey<T, N>> = true;

/// What reading a column of type V gives in values()/aggregates: a foreign key reads as
/// its id type, everything else as itself.
template <class V>
struct column_value {
  using type = V;
};
template <class T, class N>
struct column_value<ForeignKey<T, N>> {
  using type = typename ForeignKey<T, N>::id_type;
};
template <class V>
using column_value_t = typename column_value<V>::type;

/// May a column of type V be NULL?
template <class V>
inline constexpr bool nullable_v = is_optional_v<V>;
template <class T, class N>
inline constexpr bool nullable_v<ForeignKey<T, N>> = ForeignKey<T, N>::is_nullable;

template <class B>
concept number = (std::integral<B> || std::floating_point<B>) && !std::same_as<B, bool>;
template <class B>
concept text = std::same_as<B, std::string>;
template <class B>
concept has_date = std::same_as<B, Date> || std::same_as<B, DateTime>;
template <class B>
concept has_time = std::same_as<B, DateTime> || std::same_as<B, Time>;

/// Is a C++ value of type U comparable with (and assignable to) a column of type V?
template <class V, class U>
consteval bool accepts() {
  using B = base_t<V>;
  if constexpr (is_foreign_key_v<B>) {
    return (std::integral<U> && !std::same_as<U, bool>) || std::same_as<U, B> ||
           std::same_as<U, typename B::target_type>;
  } else if constexpr (std::same_as<B, bool>) {
    return std::same_as<U, bool>;
  } else if constexpr (std::integral<B>) {
    return std::integral<U> && !std::same_as<U, bool>;
  } else if constexpr (std::floating_point<B>) {
    return number<U>;
  } else if constexpr (std::is_enum_v<B>) {
    return std::same_as<U, B>;
  } else if constexpr (text<B>) {
    return std::convertible_to<const U&, std::string_view>;
  } else {
    return std::same_as<U, B> || std::convertible_to<const U&, B>;
  }
}
template <class V, class U>
concept accepts_value = accepts<V, std::remove_cvref_t<U>>();

/// The parameter for value `u` compared with / assigned to a column of type V.
template <class V, class U>
Value bind(const U& u) {
  using B = base_t<V>;
  using D = std::remove_cvref_t<U>;
  if constexpr (is_foreign_key_v<B>) {
    if constexpr (std::integral<D>) {
      return aorm::to_value(static_cast<std::int64_t>(u));
    } else if constexpr (is_foreign_key_v<D>) {
      return aorm::to_value(u);
    } else {
      return aorm::to_value(ModelTraits<D>::pk(u));
    }
  } else if constexpr (text<B>) {
    return Value(std::string(std::string_view(u)));
  } else if constexpr (std::same_as<B, bool>) {
    return aorm::to_value(u);
  } else if constexpr (std::integral<B>) {
    return aorm::to_value(u);
  } else if constexpr (std::floating_point<B>) {
    return aorm::to_value(static_cast<double>(u));
  } else {
    return aorm::to_value(static_cast<const B&>(B(u)));
  }
}

/// The element type `in({...})` takes for a column of type V.
template <class V>
struct in_element {
  using type = base_t<V>;
};
template <class T, class N>
struct in_element<ForeignKey<T, N>> {
  using type = std::int64_t;
};
template <class T, class N>
struct in_element<std::optional<ForeignKey<T, N>>> {
  using type = std::int64_t;
};
template <class V>
using in_element_t = typename in_element<V>::type;

/// Anything that is a typed expression over one model: Field, Expr.
template <class E>
concept expression = requires(const E& e) {
  typename E::model_type;
  typename E::value_type;
  { e.node() } -> std::convertible_to<NodePtr>;
};

/// Do two column types compare / combine (numbers with numbers, else the same kind)?
template <class V, class W>
consteval bool compatible() {
  using A = base_t<column_value_t<base_t<V>>>;
  using B = base_t<column_value_t<base_t<W>>>;
  if constexpr (number<A> && number<B>) return true;
  return std::is_same_v<A, B>;
}
template <class E1, class E2>
concept compatible_expressions =
    expression<E1> && expression<E2> &&
    std::same_as<typename E1::model_type, typename E2::model_type> &&
    compatible<typename E1::value_type, typename E2::value_type>();

void string_is_not_one_of_the_enum_choices();  // never defined: a compile-time error marker

/// Loads one multi-valued level: fills the sets of the owners, hands the loaded objects on.
template <class Owner, class T>
Task<void> load_reverse(PrefetchCall& call);
template <class Owner, class T>
Task<void> load_m2m(PrefetchCall& call);
template <class Owner, class T>
Task<void> load_reverse_one(PrefetchCall& call);
/// Loads one foreign key level: sets the key objects of the owners, hands them on.
template <class T, class N>
Task<void> load_forward(PrefetchCall& call);
/// The load_forward for foreign key type `ForeignKey<X, N>`.
template <class X, class N>
PrefetchLoader forward_loader(const ForeignKey<X, N>*) noexcept {
  return &load_forward<X, N>;
}

/// Raises Error: "aorm: <what>" (runtime/src/query/state.cpp).
[[noreturn]] void throw_usage(std::string what);

/// What `->` on a relation field returns: the target model's field set, re-rooted at the
/// query's model and reached through a relation path. Lives until the end of the full
/// expression, which is as long as `Comment::f.article->author->name` needs it.
template <class Fs>
struct Arrow {
  Fs fields;
  const Fs* operator->() const noexcept { return &fields; }
};

/// The field set of model T seen from queries over Root (generated: T::FieldsAt<Root>).
template <class T, class Root>
using fields_at_t = typename ModelTraits<T>::template fields_at<Root>;

/// The model a field set member belongs to when reached through `p` from Root.
template <class Root>
const ModelMeta* model_at(const sql::Path* p) {
  return sql::path_model(p, &ModelTraits<Root>::meta());
}

/// A string literal naming a choice of enum E, checked at compile time against
/// EnumTraits<E>: `Article::f.status == "published"` compiles, `== "publishd"` does not.
template <class E>
struct EnumLiteral {
  E value;
  template <std::size_t N>
  consteval EnumLiteral(const char (&text)[N]) : value(lookup(std::string_view(text, N - 1))) {}  // NOLINT

 private:
  static consteval E lookup(std::string_view s) {
    const auto& values = EnumTraits<E>::values;
    for (std::size_t i = 0; i < values.size(); ++i)
      if (values[i] == s) return static_cast<E>(static_cast<std::underlying_type_t<E>>(i));
    string_is_not_one_of_the_enum_choices();
    return E{};
  }
};

/// A value of type U that a column of type V cannot be compared with or assigned (API.md §3:
/// comparisons are type-checked). It selects a deleted overload whose message says so in
/// one line, instead of clang listing every candidate operator. Not mistyped: values the
/// column accepts, other expressions, std::nullopt (IS NULL), and a string literal for a
/// choices enum (a choice name, checked at compile time by EnumLiteral).
template <class V, class U>
concept mistyped_value =
    !expression<U> && !accepts_value<V, U> && !std::same_as<std::remove_cvref_t<U>, std::nullopt_t> &&
    !(std::is_enum_v<base_t<V>> && std::convertible_to<const U&, EnumLiteral<base_t<V>>>);
/// Two expressions that cannot be compared or combined: different models, or kinds.
template <class E1, class E2>
concept mismatched_expressions = expression<E1> && expression<E2> && !compatible_expressions<E1, E2>;

}  // namespace detail

/// A boolean condition over rows of model M. Combine with &&, || and !; `!p` follows
/// Django's `~Q(p)`: a row where p is unknown (a NULL operand) counts as not matching p, so
/// `!(Article::f.rating == 3.0)` keeps the rows whose rating is NULL.
template <class M>
class Predicate {
 public:
  explicit Predicate(detail::NodePtr node) noexcept : node_(std::move(node)) {}
  const detail::NodePtr& node() const noexcept { return node_; }

  friend Predicate operator&&(const Predicate& a, const Predicate& b) {
    return Predicate(detail::sql::and_(a.node_, b.node_));
  }
  friend Predicate operator||(const Predicate& a, const Predicate& b) {
    return Predicate(detail::sql::or_(a.node_, b.node_));
  }
  friend Predicate operator!(const Predicate& a) { return Predicate(detail::sql::not_(a.node_)); }

 private:
  detail::NodePtr node_;
};

/// `column = value-or-expression`, for aupdate(), defaults() and create_defaults().
template <class M>
struct Assignment {
  int column = 0;
  detail::NodePtr value;
};

/// One ORDER BY term over model M (M = void: aorm::random(), valid for every model).
template <class M>
struct OrderBy {
  detail::NodePtr expr;
  bool desc = false;
};

/// order_by(aorm::random()): Django's order_by('?').
inline OrderBy<void> random() { return {detail::sql::random(), false}; }

namespace detail {

/// The lookups every typed expression over (M, V) offers; D is Field or Expr.
template <class D, class M, class V>
class Lookups {
  using B = base_t<V>;
  NodePtr self() const { return static_cast<const D&>(*this).node(); }
  Predicate<M> text_lookup(sql::Op op, std::string_view v) const {
    return Predicate<M>(sql::pattern(op, self(), Value(std::string(v))));
  }

 public:
  Predicate<M> iexact(std::string_view v) const requires text<B> { return text_lookup(sql::Op::iexact, v); }
  Predicate<M> contains(std::string_view v) const requires text<B> { return text_lookup(sql::Op::contains, v); }
  Predicate<M> icontains(std::string_view v) const requires text<B> { return text_lookup(sql::Op::icontains, v); }
  Predicate<M> startswith(std::string_view v) const requires text<B> { return text_lookup(sql::Op::startswith, v); }
  Predicate<M> istartswith(std::string_view v) const requires text<B> { return text_lookup(sql::Op::istartswith, v); }
  Predicate<M> endswith(std::string_view v) const requires text<B> { return text_lookup(sql::Op::endswith, v); }
  Predicate<M> iendswith(std::string_view v) const requires text<B> { return text_lookup(sql::Op::iendswith, v); }
  /// ECMAScript regular expression (SQLite: through the backend's regexp() function).
  Predicate<M> regex(std::string_view p) const requires text<B> { return text_lookup(sql::Op::regex, p); }
  Predicate<M> iregex(std::string_view p) const requires text<B> { return text_lookup(sql::Op::iregex, p); }

  /// `in({a, b})`; `in({})` matches nothing, without a query.
  template <class U = in_element_t<V>>
    requires accepts_value<V, U>
  Predicate<M> in(std::initializer_list<U> values) const {
    std::vector<Value> out;
    out.reserve(values.size());
    for (const U& u : values) out.push_back(bind<V>(u));
    return Predicate<M>(sql::in(self(), std::move(out)));
  }
  /// `in(container)` of values (or, for a foreign key, of model objects or ids).
  template <std::ranges::input_range R>
    requires accepts_value<V, std::ranges::range_value_t<R>>
  Predicate<M> in(const R& values) const {
    std::vector<Value> out;
    for (const auto& u : values) out.push_back(bind<V>(u));
    return Predicate<M>(sql::in(self(), std::move(out)));
  }
  /// Inclusive: lo <= x <= hi (Django's __range).
  template <class U1, class U2>
    requires accepts_value<V, U1> && accepts_value<V, U2>
  Predicate<M> range(const U1& lo, const U2& hi) const {
    return Predicate<M>(sql::range(self(), sql::param(bind<V>(lo)), sql::param(bind<V>(hi))));
  }
  Predicate<M> isnull(bool is_null = true) const { return Predicate<M>(sql::isnull(self(), is_null)); }

  Expr<M, std::int64_t> year() const requires has_date<B> { return part(sql::Op::year); }
  Expr<M, std::int64_t> month() const requires has_date<B> { return part(sql::Op::month); }
  Expr<M, std::int64_t> day() const requires has_date<B> { return part(sql::Op::day); }
  /// 1 = Sunday ... 7 = Saturday, like Django.
  Expr<M, std::int64_t> week_day() const requires has_date<B> { return part(sql::Op::week_day); }
  Expr<M, std::int64_t> hour() const requires has_time<B> { return part(sql::Op::hour); }
  Expr<M, std::int64_t> minute() const requires has_time<B> { return part(sql::Op::minute); }
  Expr<M, Date> date() const requires std::same_as<B, DateTime> {
    return Expr<M, Date>(sql::extract(sql::Op::date, self()));
  }

  OrderBy<M> asc() const { return {self(), false}; }
  OrderBy<M> desc() const { return {self(), true}; }

 private:
  Expr<M, std::int64_t> part(sql::Op op) const { return Expr<M, std::int64_t>(sql::extract(op, self())); }
};

}  // namespace detail

/// A computed expression over rows of M with C++ value type V (F arithmetic, date parts).
template <class M, class V>
class Expr : public detail::Lookups<Expr<M, V>, M, V> {
 public:
  using model_type = M;
  using value_type = V;
  explicit Expr(detail::NodePtr node) noexcept : node_(std::move(node)) {}
  const detail::NodePtr& node() const noexcept { return node_; }

 private:
  detail::NodePtr node_;
};

/// A column of model M whose member has the exact C++ type V. Generated code defines one
/// per column in `M::f` (constexpr, const); every member function is const, including
/// operator=, which builds an Assignment instead of assigning.
template <class M, class V>
class Field : public detail::Lookups<Field<M, V>, M, V> {
  using B = detail::base_t<V>;

 public:
  using model_type = M;
  using value_type = V;

  /// `path`: the relations that lead from M to the model that has this column (null: M's
  /// own column). Generated field sets pass it; users never do.
  constexpr explicit Field(int column, const detail::sql::Path* path = nullptr) noexcept
      : column_(column), path_(path) {}
  constexpr int column() const noexcept { return column_; }
  constexpr const detail::sql::Path* path() const noexcept { return path_; }
  detail::NodePtr node() const { return detail::sql::column(column_, path_); }

  /// Through a foreign key: the target's fields, for lookups across the relation
  /// (`Comment::f.article->author->name == "Ada"` joins article and author).
  auto operator->() const
    requires detail::is_foreign_key_v<B>
  {
    using Target = typename B::target_type;
    detail::sql::Step step;
    step.kind = detail::sql::StepKind::forward;
    step.from = detail::model_at<M>(path_);
    step.to = &ModelTraits<Target>::meta();
    step.column = column_;
    step.nullable = B::is_nullable;
    step.loader = detail::forward_loader(static_cast<const B*>(nullptr));  // a prefetch path may pass it
    return detail::Arrow<detail::fields_at_t<Target, M>>{
        detail::fields_at_t<Target, M>(detail::sql::extend(path_, step))};
  }

  /// `Article::f.views = 3`, `= Article::f.views + 1`, `= std::nullopt` (nullable only).
  template <class U>
    requires detail::accepts_value<V, U>
  Assignment<M> operator=(const U& u) const {
    return {own_column(), detail::sql::param(detail::bind<V>(u))};
  }
  template <class E>
    requires detail::compatible_expressions<Field, E>
  Assignment<M> operator=(const E& e) const {
    return {own_column(), e.node()};
  }
  Assignment<M> operator=(std::nullopt_t) const
    requires detail::nullable_v<V>
  {
    return {own_column(), detail::sql::param(nullptr)};
  }
  Assignment<M> operator=(detail::EnumLiteral<B> choice) const
    requires std::is_enum_v<B>
  {
    return {own_column(), detail::sql::param(aorm::to_value(choice.value))};
  }
  AORM_DETAIL_DELETED_BEGIN
  /// A value of the wrong type: `Article::f.views = "x"` stops with one line.
  template <class U>
    requires detail::mistyped_value<V, U>
  Assignment<M> operator=(const U&) const = AORM_DETAIL_DELETED(AORM_DETAIL_MISTYPED_VALUE);
  template <class E>
    requires detail::mismatched_expressions<Field, E>
  Assignment<M> operator=(const E&) const = AORM_DETAIL_DELETED(AORM_DETAIL_MISMATCHED_EXPRESSIONS);
  AORM_DETAIL_DELETED_END

 private:
  int own_column() const {
    if (path_) detail::throw_usage("aorm: an update can only set the model's own columns, not a related model's");
    return column_;
  }

  int column_;
  const detail::sql::Path* path_ = nullptr;
};

/// Tag for the reverse side of a many_to_many field (`Tag::f.articles`).
struct reverse_t {};
inline constexpr reverse_t reverse_side{};

/// The reverse side of a relation of T to Owner, seen from Owner: the rows of T whose key
/// column `key_column` references an Owner. In queries over M (M is Owner unless reached
/// through relations): `->` gives T's fields (`Author::f.articles->status == "published"`),
/// and the field itself stands for the related row's primary key
/// (`aorm::Count(Author::f.articles)`). `One`: T's column is a one_to_one, so at most one row
/// relates (RelatedObjectField); else a foreign key (RelatedField). The two differ only in
/// how prefetch_related loads them and in that select_related() takes the one-row side.
template <class M, class T, class Owner, bool One>
class ReverseRelationField {
 public:
  using model_type = M;
  using value_type = std::int64_t;
  using target_type = T;
  using owner_type = Owner;
  static constexpr bool is_related_object = One;

  /// `slot`: which relation of Owner this is (ModelTraits<Owner>::related_set).
  constexpr ReverseRelationField(int key_column, int slot, const detail::sql::Path* path = nullptr) noexcept
      : key_(key_column), slot_(slot), path_(path) {}
  constexpr int key_column() const noexcept { return key_; }
  constexpr int slot() const noexcept { return slot_; }
  constexpr const detail::sql::Path* path() const noexcept { return path_; }
  /// The path to T's rows.
  const detail::sql::Path* target_path() const {
    detail::sql::Step step;
    step.kind = detail::sql::StepKind::reverse;
    step.from = &ModelTraits<Owner>::meta();
    step.to = &ModelTraits<T>::meta();
    step.column = key_;
    step.slot = slot_;
    if constexpr (One) {
      step.loader = &detail::load_reverse_one<Owner, T>;
    } else {
      step.loader = &detail::load_reverse<Owner, T>;
    }
    return detail::sql::extend(path_, step);
  }
  detail::NodePtr node() const { return detail::sql::column(ModelTraits<T>::meta().pk, target_path()); }
  auto operator->() const { return detail::Arrow<detail::fields_at_t<T, M>>{detail::fields_at_t<T, M>(target_path())}; }

 private:
  int key_;
  int slot_;
  const detail::sql::Path* path_;
};

/// A reverse foreign key of Owner (`Author::f.articles`, from Article.author).
template <class M, class T, class Owner = M>
using RelatedField = ReverseRelationField<M, T, Owner, false>;

/// The reverse side of a one_to_one of T to Owner (`User::f.profile`, from Profile.user): it
/// reaches at most one row. select_related() takes it (one query, LEFT JOIN),
/// prefetch_related() too, and `->` gives T's fields (`User::f.profile->bio`).
template <class M, class T, class Owner = M>
using RelatedObjectField = ReverseRelationField<M, T, Owner, true>;

/// A many_to_many field of Owner to Target (`Article::f.tags`, index into
/// ModelMeta::many_to_many), or its reverse side seen from the target (`Tag::f.articles`:
/// index into Target's many_to_many). Like RelatedField in queries.
template <class M, class Target, class Owner = M>
class ManyToManyField {
 public:
  using model_type = M;
  using value_type = std::int64_t;
  using target_type = Target;
  using owner_type = Owner;

  constexpr explicit ManyToManyField(int index, const detail::sql::Path* path = nullptr) noexcept
      : index_(index), slot_(index), path_(path) {}
  constexpr ManyToManyField(int index, reverse_t, int slot, const detail::sql::Path* path = nullptr) noexcept
      : index_(index), slot_(slot), reverse_(true), path_(path) {}
  constexpr int index() const noexcept { return index_; }
  constexpr int slot() const noexcept { return slot_; }
  constexpr bool is_reverse() const noexcept { return reverse_; }
  constexpr const detail::sql::Path* path() const noexcept { return path_; }
  /// The link row's meta (owned by Owner, or by Target for the reverse side).
  const ManyToManyMeta& link() const {
    const ModelMeta& owner = reverse_ ? ModelTraits<Target>::meta() : ModelTraits<Owner>::meta();
    return owner.many_to_many[static_cast<std::size_t>(index_)];
  }
  const detail::sql::Path* target_path() const {
    detail::sql::Step step;
    step.kind = reverse_ ? detail::sql::StepKind::m2m_reverse : detail::sql::StepKind::m2m;
    step.from = &ModelTraits<Owner>::meta();
    step.to = &ModelTraits<Target>::meta();
    step.m2m = index_;
    step.slot = slot_;
    step.loader = &detail::load_m2m<Owner, Target>;
    return detail::sql::extend(path_, step);
  }
  detail::NodePtr node() const { return detail::sql::column(ModelTraits<Target>::meta().pk, target_path()); }
  auto operator->() const {
    return detail::Arrow<detail::fields_at_t<Target, M>>{detail::fields_at_t<Target, M>(target_path())};
  }

 private:
  int index_;
  int slot_;
  bool reverse_ = false;
  const detail::sql::Path* path_;
};


// ---- comparisons ---------------------------------------------------------------------

#define AORM_DETAIL_COMPARISON(OP, NAME)                                                   \
  template <detail::expression E, class U>                                                 \
    requires detail::accepts_value<typename E::value_type, U>                              \
  Predicate<typename E::model_type> operator OP(const E& e, const U& u) {                  \
    return Predicate<typename E::model_type>(detail::sql::binary(                          \
        detail::sql::Kind::compare, detail::sql::Op::NAME, e.node(),                       \
        detail::sql::param(detail::bind<typename E::value_type>(u))));                     \
  }                                                                                        \
  template <detail::expression E1, detail::expression E2>                                  \
    requires detail::compatible_expressions<E1, E2>                                        \
  Predicate<typename E1::model_type> operator OP(const E1& a, const E2& b) {               \
    return Predicate<typename E1::model_type>(detail::sql::binary(                         \
        detail::sql::Kind::compare, detail::sql::Op::NAME, a.node(), b.node()));           \
  }                                                                                        \
  template <detail::expression E>                                                          \
    requires std::is_enum_v<detail::base_t<typename E::value_type>>                        \
  Predicate<typename E::model_type> operator OP(                                           \
      const E& e, detail::EnumLiteral<detail::base_t<typename E::value_type>> choice) {    \
    return Predicate<typename E::model_type>(                                              \
        detail::sql::binary(detail::sql::Kind::compare, detail::sql::Op::NAME, e.node(),   \
                            detail::sql::param(aorm::to_value(choice.value))));            \
  }

AORM_DETAIL_COMPARISON(==, eq)
AORM_DETAIL_COMPARISON(<, lt)
AORM_DETAIL_COMPARISON(<=, le)
AORM_DETAIL_COMPARISON(>, gt)
AORM_DETAIL_COMPARISON(>=, ge)
#undef AORM_DETAIL_COMPARISON

// Mistyped comparisons (`Article::f.title == 3`, `Article::f.views < Article::f.title`) pick
// these deleted overloads, whose message is the error's first line. Being deleted, they keep
// such expressions ill-formed in requires-expressions too (tests/behaviour/compile_time_test).
#define AORM_DETAIL_MISTYPED_COMPARISON(OP)                                                 \
  template <detail::expression E, class U>                                                 \
    requires detail::mistyped_value<typename E::value_type, U>                             \
  Predicate<typename E::model_type> operator OP(const E&, const U&) =                      \
      AORM_DETAIL_DELETED(AORM_DETAIL_MISTYPED_VALUE);                                     \
  template <class E1, class E2>                                                            \
    requires detail::mismatched_expressions<E1, E2>                                        \
  Predicate<typename E1::model_type> operator OP(const E1&, const E2&) =                   \
      AORM_DETAIL_DELETED(AORM_DETAIL_MISMATCHED_EXPRESSIONS);

AORM_DETAIL_DELETED_BEGIN
AORM_DETAIL_MISTYPED_COMPARISON(==)
AORM_DETAIL_MISTYPED_COMPARISON(!=)
AORM_DETAIL_MISTYPED_COMPARISON(<)
AORM_DETAIL_MISTYPED_COMPARISON(<=)
AORM_DETAIL_MISTYPED_COMPARISON(>)
AORM_DETAIL_MISTYPED_COMPARISON(>=)
AORM_DETAIL_DELETED_END
#undef AORM_DETAIL_MISTYPED_COMPARISON

/// `a != b` is `!(a == b)`, Django's `~Q(a=b)`: rows where a is NULL match.
// (The constraints mirror operator=='s exactly: a more constrained operator== would
// otherwise win over these as a rewritten candidate and fail for not returning bool.)
template <detail::expression E, class U>
  requires detail::accepts_value<typename E::value_type, U>
Predicate<typename E::model_type> operator!=(const E& e, const U& u) {
  return !(e == u);
}
template <detail::expression E1, detail::expression E2>
  requires detail::compatible_expressions<E1, E2>
Predicate<typename E1::model_type> operator!=(const E1& a, const E2& b) {
  return !(a == b);
}
template <detail::expression E>
  requires std::is_enum_v<detail::base_t<typename E::value_type>>
Predicate<typename E::model_type> operator!=(
    const E& e, detail::EnumLiteral<detail::base_t<typename E::value_type>> choice) {
  return !(e == choice.value);
}

/// `nullable_field == std::nullopt` is `isnull()` (Django's `field=None`).
template <detail::expression E>
  requires detail::nullable_v<typename E::value_type>
Predicate<typename E::model_type> operator==(const E& e, std::nullopt_t) {
  return e.isnull(true);
}
/// `nullable_field != std::nullopt` is `isnull(false)`.
template <detail::expression E>
  requires detail::nullable_v<typename E::value_type>
Predicate<typename E::model_type> operator!=(const E& e, std::nullopt_t) {
  return e.isnull(false);
}

// ---- F arithmetic --------------------------------------------------------------------

#define AORM_DETAIL_ARITHMETIC(OP, NAME)                                                   \
  template <detail::expression E, class U>                                                 \
    requires detail::number<detail::base_t<typename E::value_type>> &&                     \
             detail::accepts_value<typename E::value_type, U>                              \
  Expr<typename E::model_type, typename E::value_type> operator OP(const E& e, const U& u) { \
    return Expr<typename E::model_type, typename E::value_type>(                           \
        detail::sql::binary(detail::sql::Kind::arith, detail::sql::Op::NAME, e.node(),     \
                            detail::sql::param(detail::bind<typename E::value_type>(u)))); \
  }                                                                                        \
  template <class U, detail::expression E>                                                 \
    requires(!detail::expression<U>) &&                                                    \
            detail::number<detail::base_t<typename E::value_type>> &&                      \
            detail::accepts_value<typename E::value_type, U>                               \
  Expr<typename E::model_type, typename E::value_type> operator OP(const U& u, const E& e) { \
    return Expr<typename E::model_type, typename E::value_type>(                           \
        detail::sql::binary(detail::sql::Kind::arith, detail::sql::Op::NAME,               \
                            detail::sql::param(detail::bind<typename E::value_type>(u)),   \
                            e.node()));                                                    \
  }                                                                                        \
  template <detail::expression E1, detail::expression E2>                                  \
    requires detail::compatible_expressions<E1, E2> &&                                     \
             detail::number<detail::base_t<typename E1::value_type>>                       \
  Expr<typename E1::model_type, typename E1::value_type> operator OP(const E1& a,          \
                                                                     const E2& b) {        \
    return Expr<typename E1::model_type, typename E1::value_type>(detail::sql::binary(     \
        detail::sql::Kind::arith, detail::sql::Op::NAME, a.node(), b.node()));             \
  }

AORM_DETAIL_ARITHMETIC(+, add)
AORM_DETAIL_ARITHMETIC(-, sub)
AORM_DETAIL_ARITHMETIC(*, mul)
AORM_DETAIL_ARITHMETIC(/, div)
#undef AORM_DETAIL_ARITHMETIC

// ---- aggregates ----------------------------------------------------------------------

/// An aggregate over rows of M whose result reads as R.
/// It compares like a column (`aorm::Count(Author::f.articles) > 2`: HAVING) and orders
/// (`.desc()`), for filtering and ordering on an annotation.
template <class M, class R>
class Aggregate {
 public:
  using model_type = M;
  using result_type = R;
  using value_type = R;
  explicit Aggregate(detail::NodePtr node) noexcept : node_(std::move(node)) {}
  const detail::NodePtr& node() const noexcept { return node_; }
  OrderBy<M> asc() const { return {node_, false}; }
  OrderBy<M> desc() const { return {node_, true}; }

 private:
  detail::NodePtr node_;
};

/// Count(col, {.distinct = true}). Trivially destructible (see TOOLCHAIN.md, g++ bug 2).
struct CountOptions {
  bool distinct = false;
};
/// StdDev/Variance(col, {.sample = true}): sample instead of population statistics.
struct StatOptions {
  bool sample = false;
};

namespace detail {
template <class V>
struct sum_result {
  using B = base_t<column_value_t<base_t<V>>>;
  using type = std::optional<std::conditional_t<std::floating_point<B>, double,
                                                std::conditional_t<std::integral<B>, std::int64_t, B>>>;
};
template <class V>
using min_max_result = std::optional<base_t<column_value_t<base_t<V>>>>;
template <class V>
using avg_result =
    std::optional<std::conditional_t<std::same_as<base_t<V>, Decimal>, Decimal, double>>;
template <class E>
concept numeric_expression =
    expression<E> && (number<base_t<column_value_t<base_t<typename E::value_type>>>> ||
                      std::same_as<base_t<typename E::value_type>, Decimal>);

template <class R, class E>
Aggregate<typename E::model_type, R> make_aggregate(sql::Op fn, const E& e, NodePtr filter, bool flag) {
  return Aggregate<typename E::model_type, R>(sql::aggregate(fn, e.node(), std::move(filter), flag));
}
}  // namespace detail

/// COUNT(col) of non-NULL values; 0 for no rows.
template <detail::expression E>
Aggregate<typename E::model_type, std::int64_t> Count(const E& e, CountOptions o = {}) {
  return detail::make_aggregate<std::int64_t>(detail::sql::Op::count, e, nullptr, o.distinct);
}
/// COUNT(col) FILTER (WHERE filter).
template <detail::expression E>
Aggregate<typename E::model_type, std::int64_t> Count(const E& e, const Predicate<typename E::model_type>& filter,
                                                      CountOptions o = {}) {
  return detail::make_aggregate<std::int64_t>(detail::sql::Op::count, e, filter.node(), o.distinct);
}

#define AORM_DETAIL_AGGREGATE(NAME, OP, CONSTRAINT, RESULT)                                \
  template <CONSTRAINT E>                                                                  \
  Aggregate<typename E::model_type, RESULT> NAME(const E& e) {                             \
    return detail::make_aggregate<RESULT>(detail::sql::Op::OP, e, nullptr, false);         \
  }                                                                                        \
  template <CONSTRAINT E>                                                                  \
  Aggregate<typename E::model_type, RESULT> NAME(                                          \
      const E& e, const Predicate<typename E::model_type>& filter) {                       \
    return detail::make_aggregate<RESULT>(detail::sql::Op::OP, e, filter.node(), false);   \
  }

/// SUM: std::optional<int64_t> for integers, std::optional<double> for doubles; nullopt
/// for no rows.
AORM_DETAIL_AGGREGATE(Sum, sum, detail::numeric_expression,
                      typename detail::sum_result<typename E::value_type>::type)
/// AVG: std::optional<double> (std::optional<Decimal> for decimals).
AORM_DETAIL_AGGREGATE(Avg, avg, detail::numeric_expression, detail::avg_result<typename E::value_type>)
/// MIN / MAX: std::optional of the column's type.
AORM_DETAIL_AGGREGATE(Min, min, detail::expression, detail::min_max_result<typename E::value_type>)
AORM_DETAIL_AGGREGATE(Max, max, detail::expression, detail::min_max_result<typename E::value_type>)
#undef AORM_DETAIL_AGGREGATE

/// Population (or, with {.sample = true}, sample) standard deviation / variance.
template <detail::numeric_expression E>
Aggregate<typename E::model_type, std::optional<double>> StdDev(const E& e, StatOptions o = {}) {
  return detail::make_aggregate<std::optional<double>>(detail::sql::Op::stddev, e, nullptr, o.sample);
}
template <detail::numeric_expression E>
Aggregate<typename E::model_type, std::optional<double>> Variance(const E& e, StatOptions o = {}) {
  return detail::make_aggregate<std::optional<double>>(detail::sql::Op::variance, e, nullptr, o.sample);
}

}  // namespace aorm
