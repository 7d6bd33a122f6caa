// aorm/relations.hpp — relation members of model structs (API.md §5).
//
// This issue ships the minimal pieces the single-model API needs: ForeignKey holds the
// referenced id (and, once something loads it, the object); ManyToMany and RelatedSet are
// default-constructible containers that are iterable once filled and throw NotLoaded
// before. Loading (select_related, prefetch_related, aload) comes with the relations issue.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "aorm/errors.hpp"
#include "aorm/meta.hpp"
#include "aorm/types.hpp"
#include "aorm/value.hpp"

namespace aorm {

/// Tag for a nullable foreign key: `aorm::ForeignKey<Author, aorm::nullable>`.
struct nullable {};

namespace detail {
/// Raises NotLoaded: "<what> is not loaded: <fix>".
[[noreturn]] void throw_not_loaded(std::string_view what, std::string_view fix);

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
  int column_count() const noexcept override { return row_.column_count(); }
  bool is_null(int i) const noexcept override { return row_.is_null(i); }
  std::int64_t get_int64(int i) const noexcept override { return row_.get_int64(i); }
  double get_double(int i) const noexcept override { return row_.get_double(i); }
  std::string_view get_text(int i) const noexcept override { return row_.get_text(i); }
  std::span<const std::byte> get_blob(int i) const noexcept override { return row_.get_blob(i); }

 private:
  const RowReader& row_;
  const std::vector<std::pair<int, int>>& offsets_;
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

/// Reads the key; in a select_related row (detail::JoinedRow) also the referenced object.
template <class T, class N>
void read_value(const RowReader& r, int i, ForeignKey<T, N>& out) {
  if (const auto* joined = dynamic_cast<const detail::JoinedRow*>(&r)) {
    const int at = joined->joined_at(i);
    if (at >= 0 && !r.is_null(i)) {
      T obj{};
      const int n = static_cast<int>(ModelTraits<T>::meta().columns.size());
      for (int k = 0; k < n; ++k) ModelTraits<T>::read(obj, k, r, at + k);
      out.set_loaded(std::move(obj));
      return;
    }
  }
  typename ForeignKey<T, N>::id_type id{};
  read_value(r, i, id);
  out.set_id(std::move(id));
}

/// A container of related objects that is filled by prefetching; iterating it before then
/// raises NotLoaded. Base of ManyToMany and RelatedSet.
template <class T>
class LoadedSet {
 public:
  using value_type = T;
  using const_iterator = typename std::vector<T>::const_iterator;

  bool loaded() const noexcept { return loaded_; }
  const_iterator begin() const { return items().begin(); }
  const_iterator end() const { return items().end(); }
  std::size_t size() const { return items().size(); }
  bool empty() const { return items().empty(); }
  /// The prefetched objects; raises NotLoaded when nothing filled them.
  const std::vector<T>& items() const {
    if (!loaded_) {
      detail::throw_not_loaded(std::string("the related ") + std::string(ModelTraits<T>::meta().name) + " set",
                               "prefetch it with prefetch_related(...) on the query that fetched its owner");
    }
    return items_;
  }
  /// Fills the set (the prefetching code uses this).
  void set_loaded(std::vector<T> items) {
    items_ = std::move(items);
    loaded_ = true;
  }

 private:
  std::vector<T> items_;
  bool loaded_ = false;
};

/// A many_to_many member of `Owner` to `T` (`aorm::ManyToMany<Article, Tag> tags;`).
template <class Owner, class T>
class ManyToMany : public LoadedSet<T> {
 public:
  using owner_type = Owner;
};

/// A reverse foreign key member (`aorm::RelatedSet<Comment> comments;`).
template <class T>
class RelatedSet : public LoadedSet<T> {};

}  // namespace aorm
