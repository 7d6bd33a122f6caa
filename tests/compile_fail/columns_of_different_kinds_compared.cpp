// Two columns of different kinds compared (F('views') < F('title')).
// expect: error: overload resolution selected deleted operator '<': aorm: these two expressions cannot be compared or combined
#include "blog/models.hpp"
using blog::Article;

auto odd = Article::f.views < Article::f.title;
