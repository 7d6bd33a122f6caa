// The model registry (detail/registry.hpp).
#include "aorm/detail/registry.hpp"

#include <algorithm>
#include <mutex>

namespace aorm::detail {
namespace {

struct Registry {
  std::mutex mutex;
  std::vector<const ModelMeta*> models;
  std::vector<std::pair<const ModelMeta*, DefaultWriter>> defaults;
};

Registry& registry() {
  static Registry r;  // function-local: usable from other translation units' static init
  return r;
}

}  // namespace

bool register_app(const App& app) noexcept {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  for (const ModelMeta* m : app.models)
    if (m && std::find(r.models.begin(), r.models.end(), m) == r.models.end()) r.models.push_back(m);
  return true;
}

std::vector<const ModelMeta*> registered_models() {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  return r.models;
}

bool register_defaults(const ModelMeta& m, DefaultWriter writer) noexcept {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  for (auto& [meta, w] : r.defaults)
    if (meta == &m) {
      w = writer;
      return true;
    }
  r.defaults.emplace_back(&m, writer);
  return true;
}

DefaultWriter defaults_of(const ModelMeta& m) noexcept {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  for (const auto& [meta, w] : r.defaults)
    if (meta == &m) return w;
  return nullptr;
}

}  // namespace aorm::detail
