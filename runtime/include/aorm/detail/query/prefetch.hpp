// aorm/detail/query/prefetch.hpp — prefetch_related(): aorm::Prefetch(field, queryset), the
// PrefetchSpec of each argument, and what one level's loader gets and gives back
// (PrefetchCall); detail::prefetch (runtime/src/query/prefetch.cpp) runs the levels. The
// loaders themselves are in prefetch_loaders.hpp.
//
// Contract: every typed relation step carries its loader; prefetch() raises Error for a
// step without one, runs one query per level, and loads a level shared by several specs once.
#pragma once

#include <memory>
#include <type_traits>
#include <vector>

#include "aorm/database.hpp"
#include "aorm/detail/query/state.hpp"
#include "aorm/expr.hpp"
#include "aorm/meta.hpp"
#include "aorm/task.hpp"

namespace aorm {

namespace detail {

/// A model's row functions with the type erased, for prefetch levels whose owner type the
/// typed code at hand does not know.
struct ModelOps {
  void (*read)(void* obj, int column, const RowReader& row, int index);
  void (*write)(const void* obj, int column, std::vector<Value>& out);
  const ModelMeta& (*meta)() noexcept;
};
template <class T>
inline constexpr ModelOps model_ops{
    [](void* obj, int column, const RowReader& row, int index) {
      ModelTraits<T>::read(*static_cast<T*>(obj), column, row, index);
    },
    [](const void* obj, int column, std::vector<Value>& out) {
      ModelTraits<T>::write(*static_cast<const T*>(obj), column, out);
    },
    &ModelTraits<T>::meta,
};

/// The objects of one prefetch level.
struct PrefetchLevel {
  std::vector<void*> objs;
  const ModelOps* ops = nullptr;
};
/// What a level's loader gets and gives back.
struct PrefetchCall {
  PrefetchLevel owners;
  const sql::Step* step = nullptr;
  Database db;
  StatePtr custom;  // null: every row of the level's model
  PrefetchLevel out;
};

/// Runs the prefetches of `s` over `objs` (of model `ops`), one query per level; a level
/// shared by several specs (articles, articles->tags) loads once.
Task<void> prefetch(const QueryState& s, Database db, PrefetchLevel roots);

}  // namespace detail

/// prefetch_related(aorm::Prefetch(Article::f.tags, Tag::objects.filter(...))): prefetch a
/// relation with a chosen queryset (filter, order, select_related, its own prefetches) for
/// the related rows, like Django's Prefetch.
template <class F>
class Prefetch {
 public:
  template <class X>
  Prefetch(const F& field, const QuerySet<X, X>& qs)
      : field(field), queryset(std::make_shared<detail::QueryState>(qs.state())) {}
  F field;
  detail::StatePtr queryset;
};

namespace detail {

template <class A>
inline constexpr bool is_prefetch_v = false;
template <class F>
inline constexpr bool is_prefetch_v<Prefetch<F>> = true;

template <class T, class N>
Task<void> load_forward(PrefetchCall& call);
/// The second template argument of a ForeignKey type.
template <class FK>
struct fk_null;
template <class X, class N>
struct fk_null<ForeignKey<X, N>> {
  using type = N;
};
template <class FK>
using nullptr_t_or = typename fk_null<FK>::type;

/// The PrefetchSpec of one prefetch_related() argument of a QuerySet over T.
template <class T, class A>
PrefetchSpec prefetch_spec(const A& a) {
  if constexpr (is_prefetch_v<A>) {
    PrefetchSpec spec = prefetch_spec<T>(a.field);
    spec.custom = a.queryset;
    return spec;
  } else {
    static_assert(std::is_same_v<typename A::model_type, T>,
                  "prefetch_related() takes relation fields of the queryset's model (or aorm::Prefetch of one)");
    if constexpr (requires { a.target_path(); }) {
      return {a.target_path(), nullptr};
    } else {
      static_assert(is_foreign_key_v<typename A::value_type>,
                    "prefetch_related() takes many_to_many, reverse and foreign key fields");
      using FK = typename A::value_type;
      sql::Step step;
      step.kind = sql::StepKind::forward;
      step.from = model_at<T>(a.path());
      step.to = &ModelTraits<typename FK::target_type>::meta();
      step.column = a.column();
      step.nullable = FK::is_nullable;
      step.loader = &load_forward<typename FK::target_type, nullptr_t_or<FK>>;
      return {sql::extend(a.path(), step), nullptr};
    }
  }
}

}  // namespace detail

}  // namespace aorm
