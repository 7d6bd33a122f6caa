// aorm/detail/query/instance.hpp — the instance methods generated code forwards to:
// `asave()` → detail::save, `adelete()` → detail::remove, `arefresh_from_db()` →
// detail::refresh (each contract on its function).
#pragma once

#include <string>

#include "aorm/queryset.hpp"

namespace aorm::detail {

/// Model.save() (generated `asave()`): INSERT when the pk is 0, else UPDATE (INSERT when
/// no row has that pk). Runs on the "default" database. `obj` must outlive the task.
template <class T>
Task<void> save(T& obj) {
  co_await save_on(obj, database("default"));
}

/// Model.delete() (generated `adelete()`): deletes the row and its many-to-many links and
/// resets the pk to 0. Raises Error for an unsaved object.
template <class T>
Task<DeleteResult> remove(T& obj) {
  const ModelMeta& m = ModelTraits<T>::meta();
  if (ModelTraits<T>::pk(obj) == 0)
    throw_usage(std::string(m.name) + " object can't be deleted because its " +
                std::string(m.columns[static_cast<std::size_t>(m.pk)].name) + " attribute is set to None.");
  DeleteResult r = co_await Manager<T>().filter(Predicate<T>(sql::equals(sql::column(m.pk), ModelTraits<T>::pk(obj)))).adelete();
  ModelTraits<T>::pk(obj) = 0;
  co_return r;
}

/// Model.refresh_from_db() (generated `arefresh_from_db()`): reloads every column;
/// T::DoesNotExist when the row is gone.
template <class T>
Task<void> refresh(T& obj) {
  const ModelMeta& m = ModelTraits<T>::meta();
  obj = co_await Manager<T>().aget(Predicate<T>(sql::equals(sql::column(m.pk), ModelTraits<T>::pk(obj))));
}

}  // namespace aorm::detail
