// A number column compared with a string (API.md §3's own example).
// expect: error: overload resolution selected deleted operator '>': aorm: this value's type does not match the field's
#include "blog/models.hpp"
using blog::Article;

auto popular = Article::f.views > "100";
