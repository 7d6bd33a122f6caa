// A query whose Task is dropped: it never runs. A warning by default; -Werror=unused-result
// makes it an error (docs/runtime.md).
// flags: -Werror=unused-result
// expect: error: ignoring return value .*nodiscard.*an aorm::Task does nothing until it is awaited: co_await it, or hand it to aorm::run, aorm::gather or aorm::spawn
#include "blog/models.hpp"
using blog::Article;

aorm::Task<void> bump(std::int64_t id) {
  Article::objects.filter(Article::f.pk == id).aupdate(Article::f.views = Article::f.views + 1);
  co_return;
}
