// A text column compared with a number.
// expect: error: overload resolution selected deleted operator '==': aorm: this value's type does not match the field's
#include "blog/models.hpp"
using blog::Article;

aorm::Task<std::int64_t> count() { co_return co_await Article::objects.filter(Article::f.title == 3).acount(); }
