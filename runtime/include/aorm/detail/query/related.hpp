// aorm/detail/query/related.hpp — the related managers' member definitions (ManyToMany,
// RelatedSet, RelatedObject, ForeignKey::aload; declared in relations.hpp) and the
// non-template link and key statements they run (runtime/src/query/related.cpp).
//
// Contract: the managers need their owner's primary key (Error otherwise); link changes
// (aadd, aset) read the existing links and write only the difference, in one transaction.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "aorm/queryset.hpp"
#include "aorm/relations.hpp"

namespace aorm {

namespace detail {

Database default_database();
/// The link rows of a many_to_many relation from one owner: `near` is the owner's column.
struct LinkSide {
  const ManyToManyMeta* link = nullptr;
  bool reverse = false;  // the owner is the link's target side
};
/// aorm::through_defaults(...) with its model erased: `model` null when none was given.
struct ThroughValues {
  const ModelMeta* model = nullptr;
  std::vector<std::pair<int, NodePtr>> sets;
};
/// Adds the missing links to `targets`. A link of a `through` model is a row of that model:
/// its other columns get `through`'s values, else their defaults (Error when `through`
/// names another model or a value that is not a constant).
Task<void> link_add(LinkSide side, std::int64_t owner, std::vector<std::int64_t> targets, ThroughValues through);
/// Removes the links to `targets` (every link of the owner when nullopt).
Task<void> link_remove(LinkSide side, std::int64_t owner, std::optional<std::vector<std::int64_t>> targets);
/// Links exactly `targets`: removes the others, adds the missing ones (as link_add).
Task<void> link_set(LinkSide side, std::int64_t owner, std::vector<std::int64_t> targets, ThroughValues through);
/// UPDATE m SET key = value WHERE pk IN pks [AND key = only_if] (pks empty: no pk condition).
Task<void> set_key(const ModelMeta& m, std::vector<Value> pks, bool all, int key, Value value,
                   std::optional<Value> only_if);
/// Points `pks` at `owner` and, when `nullable`, every other row of the owner at NULL.
Task<void> set_related(const ModelMeta& m, int key, std::int64_t owner, std::vector<Value> pks, bool nullable);

template <class M>
ThroughValues through_values(const ThroughDefaults<M>& d) {
  return {&ModelTraits<M>::meta(), d.sets};
}

/// A primary key from an object or an id.
template <class T, class A>
std::int64_t key_of(const A& a) {
  if constexpr (std::integral<std::remove_cvref_t<A>>) {
    return static_cast<std::int64_t>(a);
  } else {
    static_assert(std::is_same_v<std::remove_cvref_t<A>, T>, "pass related objects or their primary keys");
    if (ModelTraits<T>::pk(a) == 0) throw_usage(std::string(ModelTraits<T>::meta().name) +
                                                " instance isn't saved. Save the object first.");
    return ModelTraits<T>::pk(a);
  }
}

template <class Owner, class T>
LinkSide link_side(const ManyToMany<Owner, T>& set) {
  const ModelMeta& m = set.reverse() ? ModelTraits<T>::meta() : ModelTraits<Owner>::meta();
  return {&m.many_to_many[static_cast<std::size_t>(set.relation())], set.reverse()};
}

template <class T>
Task<T> create_and_link(T obj, LinkSide side, std::int64_t owner, ThroughValues through) {
  T created = co_await Manager<T>().acreate(std::move(obj));
  std::vector<std::int64_t> key{ModelTraits<T>::pk(created)};  // named: g++ 12, braced lists in co_await
  co_await link_add(side, owner, std::move(key), std::move(through));
  co_return created;
}

/// Sorts one aadd() argument: a related object or key into `keys`, through_defaults into
/// `through`.
template <class T, class A>
void link_argument(const A& a, std::vector<std::int64_t>& keys, ThroughValues& through) {
  if constexpr (std::is_same_v<A, T> || std::integral<A>) {
    keys.push_back(key_of<T>(a));
  } else {
    through = through_values(a);
  }
}

}  // namespace detail

template <class T>
std::int64_t LoadedSet<T>::require_owner() const {
  if (owner_ == 0 || relation_ < 0)
    detail::throw_usage("the object that owns this related set needs a primary key value (save it) before the relationship can be used");
  return owner_;
}

template <class Owner, class T>
QuerySet<T, T> ManyToMany<Owner, T>::all() const {
  const std::int64_t owner = this->require_owner();
  detail::sql::Step back;
  back.kind = this->reverse() ? detail::sql::StepKind::m2m : detail::sql::StepKind::m2m_reverse;
  back.from = &ModelTraits<T>::meta();
  back.to = &ModelTraits<Owner>::meta();
  back.m2m = this->relation();
  return Manager<T>().filter(Predicate<T>(detail::sql::equals(detail::sql::column(back.to->pk, detail::sql::extend(nullptr, back)), owner)));
}
template <class Owner, class T>
template <class... A>
Task<void> ManyToMany<Owner, T>::aadd(const A&... objs) const {
  static_assert((0 + ... + (std::integral<A> || std::is_same_v<A, T> ? 0 : 1)) <= 1,
                "aadd() takes related objects or keys and at most one aorm::through_defaults(...)");
  std::vector<std::int64_t> keys;
  detail::ThroughValues through;
  (detail::link_argument<T>(objs, keys, through), ...);
  return detail::link_add(detail::link_side(*this), this->require_owner(), std::move(keys), std::move(through));
}
template <class Owner, class T>
template <class... A>
Task<void> ManyToMany<Owner, T>::aremove(const A&... objs) const {
  return detail::link_remove(detail::link_side(*this), this->require_owner(),
                             std::vector<std::int64_t>{detail::key_of<T>(objs)...});
}
template <class Owner, class T>
template <class R>
Task<void> ManyToMany<Owner, T>::aset(const R& objs) const {
  std::vector<std::int64_t> keys;
  for (const auto& o : objs) keys.push_back(detail::key_of<T>(o));
  return detail::link_set(detail::link_side(*this), this->require_owner(), std::move(keys), {});
}
template <class Owner, class T>
template <class R, class M>
Task<void> ManyToMany<Owner, T>::aset(const R& objs, const ThroughDefaults<M>& through) const {
  std::vector<std::int64_t> keys;
  for (const auto& o : objs) keys.push_back(detail::key_of<T>(o));
  return detail::link_set(detail::link_side(*this), this->require_owner(), std::move(keys),
                          detail::through_values(through));
}
template <class Owner, class T>
Task<void> ManyToMany<Owner, T>::aclear() const {
  return detail::link_remove(detail::link_side(*this), this->require_owner(), std::nullopt);
}
template <class Owner, class T>
Task<T> ManyToMany<Owner, T>::acreate(T obj) const {
  return detail::create_and_link(std::move(obj), detail::link_side(*this), this->require_owner(), {});
}
template <class Owner, class T>
template <class M>
Task<T> ManyToMany<Owner, T>::acreate(T obj, const ThroughDefaults<M>& through) const {
  return detail::create_and_link(std::move(obj), detail::link_side(*this), this->require_owner(),
                                 detail::through_values(through));
}

template <class T>
QuerySet<T, T> RelatedSet<T>::all() const {
  const std::int64_t owner = this->require_owner();
  return Manager<T>().filter(Predicate<T>(detail::sql::equals(detail::sql::column(this->relation()), owner)));
}
template <class T>
template <class... A>
Task<void> RelatedSet<T>::aadd(A&&... objs) const {
  const std::int64_t owner = this->require_owner();
  const int key = this->relation();
  auto one = [&](auto&& o) {
    using O = std::remove_cvref_t<decltype(o)>;
    const std::int64_t pk = detail::key_of<T>(o);
    if constexpr (std::is_same_v<O, T> && !std::is_const_v<std::remove_reference_t<decltype(o)>>)
      detail::assign(o, key, Value(owner));  // the caller's object follows the row
    return Value(pk);
  };
  return detail::set_key(ModelTraits<T>::meta(), {one(objs)...}, false, key, Value(owner), std::nullopt);
}
template <class T>
template <class... A>
Task<void> RelatedSet<T>::aremove(A&&... objs) const {
  const std::int64_t owner = this->require_owner();
  const int key = this->relation();
  if (!ModelTraits<T>::meta().columns[static_cast<std::size_t>(key)].nullable)
    detail::throw_usage("aremove() needs a nullable foreign key (the rows cannot exist without their owner)");
  auto one = [&](auto&& o) {
    using O = std::remove_cvref_t<decltype(o)>;
    const std::int64_t pk = detail::key_of<T>(o);
    if constexpr (std::is_same_v<O, T> && !std::is_const_v<std::remove_reference_t<decltype(o)>>)
      detail::assign(o, key, Value(nullptr));
    return Value(pk);
  };
  return detail::set_key(ModelTraits<T>::meta(), {one(objs)...}, false, key, Value(nullptr), Value(owner));
}
template <class T>
template <class R>
Task<void> RelatedSet<T>::aset(const R& objs) const {
  std::vector<Value> pks;
  for (const auto& o : objs) pks.emplace_back(detail::key_of<T>(o));
  const int key = this->relation();
  return detail::set_related(ModelTraits<T>::meta(), key, this->require_owner(), std::move(pks),
                             ModelTraits<T>::meta().columns[static_cast<std::size_t>(key)].nullable);
}
template <class T>
Task<void> RelatedSet<T>::aclear() const {
  const int key = this->relation();
  if (!ModelTraits<T>::meta().columns[static_cast<std::size_t>(key)].nullable)
    detail::throw_usage("aclear() needs a nullable foreign key (the rows cannot exist without their owner)");
  return detail::set_key(ModelTraits<T>::meta(), {}, true, key, Value(nullptr), Value(this->require_owner()));
}
template <class T>
Task<T> RelatedSet<T>::acreate(T obj) const {
  detail::assign(obj, this->relation(), Value(this->require_owner()));
  return Manager<T>().acreate(std::move(obj));
}

template <class T>
Task<T&> RelatedObject<T>::aload() {
  if (owner_ == 0 || key_ < 0)
    detail::throw_usage("the object that owns this related object needs a primary key value (save it) before the relationship can be used");
  std::vector<T> rows = co_await Manager<T>()
                            .filter(Predicate<T>(detail::sql::equals(detail::sql::column(key_), owner_)))
                            .alist();
  if (rows.empty()) {
    set_loaded(std::nullopt);
    throw typename T::DoesNotExist(missing_message());
  }
  set_loaded(std::move(rows.front()));
  co_return *obj_;
}

template <class T, class N>
Task<T&> ForeignKey<T, N>::aload() {
  std::int64_t id = 0;
  if constexpr (is_nullable) {
    if (!id_) detail::throw_usage("aload() on a null foreign key to " + std::string(ModelTraits<T>::meta().name));
    id = *id_;
  } else {
    id = id_;
  }
  const ModelMeta& m = ModelTraits<T>::meta();
  T obj = co_await Manager<T>().aget(Predicate<T>(detail::sql::equals(detail::sql::column(m.pk), id)));
  set_loaded(std::move(obj));
  co_return *obj_;
}

}  // namespace aorm
