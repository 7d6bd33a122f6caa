// A choices field compared with a number instead of its enumerator or choice name.
// expect: error: overload resolution selected deleted operator '!=': aorm: this value's type does not match the field's
#include "blog/models.hpp"
using blog::Article;

auto not_draft = Article::f.status != 0;
