// prefetch_related()'s driver (detail/query/prefetch.hpp): one loader call per level.
#include "aorm/detail/query/prefetch.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "aorm/errors.hpp"

namespace aorm::detail {

Task<void> prefetch(const QueryState& s, Database db, PrefetchLevel roots) {
  std::vector<std::pair<const sql::Path*, PrefetchLevel>> done;  // levels loaded by this call
  for (const PrefetchSpec& spec : s.prefetch) {
    std::vector<const sql::Path*> chain;
    for (const sql::Path* p = spec.path; p; p = p->parent) chain.push_back(p);
    std::reverse(chain.begin(), chain.end());
    PrefetchLevel level = roots;
    for (std::size_t i = 0; i < chain.size(); ++i) {
      const sql::Path* p = chain[i];
      const bool last = i + 1 == chain.size();
      const auto found = std::find_if(done.begin(), done.end(), [&](const auto& d) { return d.first == p; });
      if (found != done.end() && !(last && spec.custom)) {
        level = found->second;
        continue;
      }
      // Every typed relation field gives its step a loader; a step without one was made by
      // something else (a hand-built path).
      if (!p->step.loader) throw_usage("prefetch_related(): this relation path cannot be prefetched");
      PrefetchCall call{std::move(level), &p->step, db, last ? spec.custom : nullptr, {}};
      co_await p->step.loader(call);
      level = call.out;
      done.emplace_back(p, std::move(call.out));
    }
  }
}


}  // namespace aorm::detail
