// A choices field compared with a string known only at run time (a literal is checked at
// compile time; a runtime string must be converted).
// expect: error: overload resolution selected deleted operator '==': aorm: .*convert it with aorm::from_string<Enum>\(text\)
#include "blog/models.hpp"
using blog::Article;

auto with_status(std::string_view s) { return Article::objects.filter(Article::f.status == s); }
