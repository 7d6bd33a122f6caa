// aupdate() with a value of the wrong type for the column.
// expect: error: overload resolution selected deleted operator '=': aorm: this value's type does not match the field's
#include "blog/models.hpp"
using blog::Article;

aorm::Task<std::int64_t> reset() { co_return co_await Article::objects.all().aupdate(Article::f.views = "0"); }
