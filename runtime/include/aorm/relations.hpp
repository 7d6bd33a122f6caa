// aorm/relations.hpp — relation members of model structs (API.md §5).
//
// ForeignKey holds the referenced id (and, once select_related, prefetch_related or aload()
// loaded it, the object). ManyToMany and RelatedSet are related managers: `all()` is a
// QuerySet, `aadd`/`aremove`/`aset`/`aclear`/`acreate` change the relation, and once
// prefetch_related filled them they iterate without I/O (NotLoaded before).
//
// A set member cannot find its owner by itself: generated code binds it (the owner's
// primary key and which relation it is) whenever an object is read, inserted or saved,
// through ModelTraits<Owner>::bind. The managers' methods are defined in detail/query/related.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "aorm/detail/sql/compiler.hpp"
#include "aorm/errors.hpp"
#include "aorm/meta.hpp"
#include "aorm/task.hpp"
#include "aorm/types.hpp"
#include "aorm/value.hpp"

namespace aorm {

/// Tag for a nullable foreign key: `aorm::ForeignKey<Author, aorm::nullable>`.
struct nullable {};

template <class T, class Row>
class QuerySet;
/// aorm::through_defaults(...): values for the through model's own columns (query_options.hpp).
template <class M>
struct ThroughDefaults;

namespace detail {
/// Raises NotLoaded: "<what> is not loaded: <fix>".
[[noreturn]] void throw_not_loaded(std::string_view what, std::string_view fix);

/// Binds the relation sets of `obj` to its primary key (generated ModelTraits<T>::bind;
/// models without relation sets have none).
template <class T>
void bind_relations(T& obj) noexcept {
  if constexpr (requires { ModelTraits<T>::bind(obj); }) ModelTraits<T>::bind(obj);
}

/// A result row of a select_related query: the row itself, plus where the joined target
/// columns of each foreign key column start, so that reading the key also loads its object.
/// Lives only during one RowSink call, like the row it wraps.
class JoinedRow final : public RowReader {
 public:
  /// `offsets`: (result index of a key column, result index of its target's first column).
  JoinedRow(const RowReader& row, const std::vector<std::pair<int, int>>& offsets) noexcept
      : row_(row), offsets_(offsets) {}
  /// Where the target columns of the key at result index `i` start, or -1.
  int joined_at(int i) const noexcept {
    for (const auto& [key, at] : offsets_)
      if (key == i) return at;
    return -1;
  }
  /// The offsets: (key result index, target start) for foreign keys, and
  /// (sql::reverse_join_key(pk result index, slot), target start) for reverse one-to-ones.
  const std::vector<std::pair<int, int>>& offsets() const noexcept { return offsets_; }
  /// Makes reading the key at result index `key` append the address of the object it
  /// loads to `out` (prefetch_related hands those objects to the path's next level).
  void collect_loaded(int key, std::vector<void*>* out) noexcept {
    collect_key_ = key;
    collected_ = out;
  }
  /// Records `obj` when `key` is the collected key.
  void loaded(int key, void* obj) const {
    if (collected_ && key == collect_key_) collected_->push_back(obj);
  }
  int column_count() const noexcept override { return row_.column_count(); }
  bool is_null(int i) const noexcept override { return row_.is_null(i); }
  std::int64_t get_int64(int i) const noexcept override { return row_.get_int64(i); }
  double get_double(int i) const noexcept override { return row_.get_double(i); }
  std::string_view get_text(int i) const noexcept override { return row_.get_text(i); }
  std::span<const std::byte> get_blob(int i) const noexcept override { return row_.get_blob(i); }

 private:
  const RowReader& row_;
  const std::vector<std::pair<int, int>>& offsets_;
  int collect_key_ = -1;
  std::vector<void*>* collected_ = nullptr;
};
}  // namespace detail

/// A foreign key member: the id of the referenced `T` row, plus the `T` object itself once
/// something has loaded it. `T` may be incomplete where the member is declared (models
/// refer to each other in cycles): the object is held through a pointer.
///
/// Converts implicitly from an id and from a `T` (which also counts as loaded), so
/// `Article{.author = ada}` and `Article{.author = ada.id}` both work. Copies are deep:
/// a copied Article owns its own copy of the loaded Author.
template <class T, class Null = void>
class ForeignKey {
 public:
  static constexpr bool is_nullable = std::is_same_v<Null, nullable>;
  using target_type = T;
  /// `std::int64_t`, or `std::optional<std::int64_t>` for a nullable key.
  using id_type = std::conditional_t<is_nullable, std::optional<std::int64_t>, std::int64_t>;

  ForeignKey() = default;
  ForeignKey(std::int64_t id) noexcept : id_(id) {}  // NOLINT: implicit by design
  ForeignKey(std::nullopt_t) noexcept
    requires is_nullable
  {}
  ForeignKey(const std::optional<std::int64_t>& id) noexcept  // NOLINT
    requires is_nullable
      : id_(id) {}
  ForeignKey(const T& obj)  // NOLINT: implicit by design
      : id_(ModelTraits<T>::pk(obj)), obj_(std::make_shared<T>(obj)) {}

  ForeignKey(const ForeignKey& o) : id_(o.id_), obj_(o.obj_ ? std::make_shared<T>(*o.obj_) : nullptr) {}
  ForeignKey(ForeignKey&&) noexcept = default;
  ForeignKey& operator=(const ForeignKey& o) {
    if (this != &o) *this = ForeignKey(o);
    return *this;
  }
  ForeignKey& operator=(ForeignKey&&) noexcept = default;
  ~ForeignKey() = default;

  /// The referenced row's primary key (0 / nullopt when unset).
  const id_type& id() const noexcept { return id_; }
  /// True when the referenced object is held (select_related, aload, or built from a T).
  bool loaded() const noexcept { return obj_ != nullptr; }

  /// The loaded object; raises NotLoaded naming the model and the fix when not loaded.
  T* operator->() const {
    if (!obj_) not_loaded();
    return obj_.get();
  }
  T& operator*() const { return *operator->(); }

  /// Replaces the held object (the loading code uses this; the id follows the object).
  void set_loaded(T obj) {
    id_ = ModelTraits<T>::pk(obj);
    obj_ = std::make_shared<T>(std::move(obj));
  }
  /// Sets the id; drops a held object that has another id.
  void set_id(id_type id) {
    if (obj_ && !(id_ == id)) obj_.reset();
    id_ = std::move(id);
  }

  /// Loads the referenced object (one query) and returns it; later `->` needs no query.
  /// The key must outlive the task. Raises Error for a null key, T::DoesNotExist when the
  /// row is gone.
  Task<T&> aload();

  /// Keys are equal when they reference the same row.
  friend bool operator==(const ForeignKey& a, const ForeignKey& b) noexcept { return a.id_ == b.id_; }

 private:
  [[noreturn]] void not_loaded() const {
    std::string what{ModelTraits<T>::meta().name};
    if constexpr (is_nullable) {
      what += id_ ? " (id " + std::to_string(*id_) + ")" : std::string(" (null key)");
    } else {
      what += " (id " + std::to_string(id_) + ")";
    }
    detail::throw_not_loaded(what, "add select_related(<the foreign key field>) to the query that fetched this row");
  }

  id_type id_{};
  std::shared_ptr<T> obj_;
};

template <class T, class N>
Value to_value(const ForeignKey<T, N>& fk) {
  if constexpr (ForeignKey<T, N>::is_nullable) {
    if (!fk.id()) return nullptr;
    return *fk.id();
  } else {
    return fk.id();
  }
}

namespace detail {
/// The reverse one-to-one objects of `obj` that a select_related row holds: `pk_index` is
/// the result index of obj's primary key. Defined below.
template <class T>
void read_reverse_joined(T& obj, const JoinedRow& row, int pk_index);
}  // namespace detail

/// Reads the key; in a select_related row (detail::JoinedRow) also the referenced object.
template <class T, class N>
void read_value(const RowReader& r, int i, ForeignKey<T, N>& out) {
  if (const auto* joined = dynamic_cast<const detail::JoinedRow*>(&r)) {
    const int at = joined->joined_at(i);
    if (at >= 0 && !r.is_null(i)) {
      T obj{};
      const int n = static_cast<int>(ModelTraits<T>::meta().columns.size());
      for (int k = 0; k < n; ++k) ModelTraits<T>::read(obj, k, r, at + k);
      detail::bind_relations(obj);
      detail::read_reverse_joined(obj, *joined, at + ModelTraits<T>::meta().pk);
      out.set_loaded(std::move(obj));
      joined->loaded(i, &*out);
      return;
    }
  }
  typename ForeignKey<T, N>::id_type id{};
  read_value(r, i, id);
  out.set_id(std::move(id));
}

/// A container of related objects that is filled by prefetching; iterating it before then
/// raises NotLoaded. Base of ManyToMany and RelatedSet. The objects are held through a
/// pointer (T may be incomplete where the member is declared); copies are deep.
template <class T>
class LoadedSet {
 public:
  using value_type = T;
  using const_iterator = typename std::vector<T>::const_iterator;

  LoadedSet() = default;
  LoadedSet(const LoadedSet& o)
      : items_(o.items_ ? std::make_shared<std::vector<T>>(*o.items_) : nullptr),
        owner_(o.owner_), relation_(o.relation_), reverse_(o.reverse_) {}
  LoadedSet(LoadedSet&&) noexcept = default;
  LoadedSet& operator=(const LoadedSet& o) {
    if (this != &o) *this = LoadedSet(o);
    return *this;
  }
  LoadedSet& operator=(LoadedSet&&) noexcept = default;
  ~LoadedSet() = default;

  bool loaded() const noexcept { return items_ != nullptr; }
  const_iterator begin() const { return items().begin(); }
  const_iterator end() const { return items().end(); }
  std::size_t size() const { return items().size(); }
  bool empty() const { return items().empty(); }
  /// The prefetched objects; raises NotLoaded when nothing filled them.
  const std::vector<T>& items() const {
    if (!items_) {
      detail::throw_not_loaded(std::string("the related ") + std::string(ModelTraits<T>::meta().name) + " set",
                               "prefetch it with prefetch_related(...) on the query that fetched its owner");
    }
    return *items_;
  }
  /// Fills the set (the prefetching code uses this).
  void set_loaded(std::vector<T> items) { items_ = std::make_shared<std::vector<T>>(std::move(items)); }
  /// The prefetched objects, for the prefetching code to fill their own relations.
  std::vector<T>& loaded_items() noexcept { return *items_; }

  /// Ties the set to its owner (generated code): the owner's primary key, and `relation`:
  /// the key column of T (RelatedSet) or the many_to_many index (ManyToMany; `reverse`
  /// when it is T's many_to_many seen from its target).
  void bind(std::int64_t owner, int relation, bool reverse = false) noexcept {
    owner_ = owner;
    relation_ = relation;
    reverse_ = reverse;
  }
  std::int64_t owner_key() const noexcept { return owner_; }
  int relation() const noexcept { return relation_; }
  bool reverse() const noexcept { return reverse_; }

 protected:
  /// The owner's key; raises Error when the owner is unsaved (or the set unbound).
  std::int64_t require_owner() const;

 private:
  std::shared_ptr<std::vector<T>> items_;
  std::int64_t owner_ = 0;
  int relation_ = -1;
  bool reverse_ = false;
};

/// A many_to_many member of `Owner` to `T` (`aorm::ManyToMany<Article, Tag> tags;`), or the
/// reverse side on the target (`aorm::ManyToMany<Tag, Article> articles;`). Django's
/// many-related manager: adding a linked object again is a no-op, aset() diffs. Objects may
/// be given as T or as primary keys. Each task needs the set to stay alive until awaited.
///
/// With a `through` model, a new link is a row of that model: its own columns get their
/// model defaults (auto_now_add stamped), or the values of an aorm::through_defaults(...)
/// argument, Django's `through_defaults`:
///   co_await group.members.aadd(ada, aorm::through_defaults(Membership::f.role = "admin"));
template <class Owner, class T>
class ManyToMany : public LoadedSet<T> {
 public:
  using owner_type = Owner;
  /// The linked objects, as a QuerySet (`co_await article.tags.all().acount()`).
  QuerySet<T, T> all() const;
  /// Links the objects (T or ids); at most one aorm::through_defaults(...) among them.
  template <class... A>
  Task<void> aadd(const A&... objs) const;
  template <class... A>
  Task<void> aremove(const A&... objs) const;
  /// Links exactly these objects: removes the links to others, adds the missing ones.
  template <class R>
  Task<void> aset(const R& objs) const;
  template <class R, class M>
  Task<void> aset(const R& objs, const ThroughDefaults<M>& through) const;
  Task<void> aclear() const;
  /// Creates a T and links it.
  Task<T> acreate(T obj) const;
  template <class M>
  Task<T> acreate(T obj, const ThroughDefaults<M>& through) const;
};

/// A reverse foreign key member (`aorm::RelatedSet<Comment> comments;`): the T rows whose
/// key references the owner. Django's reverse related manager: aadd() points the objects'
/// key at the owner (an UPDATE; T objects given as lvalues are updated too); aremove(),
/// aclear() and the removing half of aset() need a nullable key (they set it NULL).
template <class T>
class RelatedSet : public LoadedSet<T> {
 public:
  QuerySet<T, T> all() const;
  template <class... A>
  Task<void> aadd(A&&... objs) const;
  template <class... A>
  Task<void> aremove(A&&... objs) const;
  template <class R>
  Task<void> aset(const R& objs) const;
  Task<void> aclear() const;
  /// Creates a T whose key references the owner.
  Task<T> acreate(T obj) const;
};

namespace detail {
/// What reading a select_related row needs of a RelatedObject<T> without knowing T.
class RelatedObjectSlot {
 public:
  /// Sets the object from the target columns starting at result index `at` (none when
  /// they are NULL: no row references the owner).
  virtual void read_joined(const JoinedRow& row, int at) = 0;

 protected:
  RelatedObjectSlot() = default;
  RelatedObjectSlot(const RelatedObjectSlot&) = default;
  RelatedObjectSlot& operator=(const RelatedObjectSlot&) = default;
  ~RelatedObjectSlot() = default;
};
}  // namespace detail

/// The reverse side of a one_to_one (`aorm::RelatedObject<Profile> profile;` on User, from
/// Profile.user): the one T row whose key references the owner, or none. Django's
/// `user.profile`, typed: it is known once select_related(User::f.profile) (one query, LEFT
/// JOIN), prefetch_related(User::f.profile) or `co_await user.profile.aload()` loaded it;
/// before that `->`, `*` and get() raise NotLoaded naming the fix. When no row references
/// the owner, `->` and `*` raise T::DoesNotExist ("User has no profile."), get() gives null.
/// The object is held through a pointer (T may be incomplete here); copies are deep.
template <class T>
class RelatedObject final : public detail::RelatedObjectSlot {
 public:
  using value_type = T;

  RelatedObject() = default;
  RelatedObject(const RelatedObject& o)
      : detail::RelatedObjectSlot(o), obj_(o.obj_ ? std::make_shared<T>(*o.obj_) : nullptr),
        loaded_(o.loaded_), owner_(o.owner_), key_(o.key_) {}
  RelatedObject(RelatedObject&&) noexcept = default;
  RelatedObject& operator=(const RelatedObject& o) {
    if (this != &o) *this = RelatedObject(o);
    return *this;
  }
  RelatedObject& operator=(RelatedObject&&) noexcept = default;
  ~RelatedObject() = default;

  /// True once something loaded it (whether or not a row references the owner).
  bool loaded() const noexcept { return loaded_; }
  /// The related object, or null when no row references the owner; NotLoaded when not loaded.
  T* get() const {
    if (!loaded_) not_loaded();
    return obj_.get();
  }
  /// The related object; NotLoaded when not loaded, T::DoesNotExist when there is none.
  T* operator->() const {
    T* obj = get();
    if (!obj) throw typename T::DoesNotExist(missing_message());
    return obj;
  }
  T& operator*() const { return *operator->(); }

  /// Loads the related object (one query) and returns it; later `->` needs no query. The
  /// member must outlive the task. Raises T::DoesNotExist when no row references the owner
  /// (and remembers that), Error when the owner is unsaved.
  Task<T&> aload();

  /// Sets the object, or that there is none (the loading code uses this).
  void set_loaded(std::optional<T> obj) {
    obj_ = obj ? std::make_shared<T>(std::move(*obj)) : nullptr;
    loaded_ = true;
  }
  void read_joined(const detail::JoinedRow& row, int at) override {
    const ModelMeta& m = ModelTraits<T>::meta();
    if (row.is_null(at + m.pk)) {
      set_loaded(std::nullopt);
      return;
    }
    T obj{};
    const int n = static_cast<int>(m.columns.size());
    for (int k = 0; k < n; ++k) ModelTraits<T>::read(obj, k, row, at + k);
    detail::bind_relations(obj);
    detail::read_reverse_joined(obj, row, at + m.pk);
    set_loaded(std::move(obj));
  }

  /// Ties the member to its owner (generated code): the owner's primary key and T's key
  /// column that references it.
  void bind(std::int64_t owner, int key_column) noexcept {
    owner_ = owner;
    key_ = key_column;
  }
  std::int64_t owner_key() const noexcept { return owner_; }
  int relation() const noexcept { return key_; }

 private:
  const ColumnMeta* key_meta() const {
    return key_ >= 0 ? &ModelTraits<T>::meta().columns[static_cast<std::size_t>(key_)] : nullptr;
  }
  // Django's RelatedObjectDoesNotExist message: "User has no profile."
  std::string missing_message() const {
    const ColumnMeta* key = key_meta();
    if (!key || !key->target) return std::string(ModelTraits<T>::meta().name) + " matching query does not exist.";
    return std::string(key->target().name) + " has no " + std::string(key->related_name) + ".";
  }
  [[noreturn]] void not_loaded() const {
    const ColumnMeta* key = key_meta();
    std::string what = "the related " + std::string(ModelTraits<T>::meta().name);
    if (key && key->target) what += " of " + std::string(key->target().name) + " " + std::to_string(owner_);
    detail::throw_not_loaded(what, "add select_related(<the one-to-one field>) to the query that fetched its owner, "
                                   "or co_await <member>.aload()");
  }

  std::shared_ptr<T> obj_;
  bool loaded_ = false;
  std::int64_t owner_ = 0;
  int key_ = -1;
};

namespace detail {
template <class T>
void read_reverse_joined(T& obj, const JoinedRow& row, int pk_index) {
  if constexpr (requires { ModelTraits<T>::related_set(obj, 0); }) {
    for (const auto& [key, at] : row.offsets()) {
      if (key >= 0 || sql::reverse_join_pk_index(key) != pk_index) continue;
      // related_set gives the address of the member, a RelatedObject<X> for this slot.
      auto* slot = static_cast<RelatedObjectSlot*>(ModelTraits<T>::related_set(obj, sql::reverse_join_slot(key)));
      if (slot) slot->read_joined(row, at);
    }
  }
}
}  // namespace detail

}  // namespace aorm
