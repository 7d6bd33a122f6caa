// select_related over a reverse foreign key: the one line says to use prefetch_related.
// expect: error: call to deleted member function 'select_related': aorm: select_related\(\) joins .* prefetch_related\(\)
#include "blog/models.hpp"
using blog::Author;

aorm::Task<std::size_t> authors() {
  co_return (co_await Author::objects.select_related(Author::f.articles).alist()).size();
}
