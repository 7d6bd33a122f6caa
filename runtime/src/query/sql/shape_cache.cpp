// The compiled-SQL cache (compiler.hpp, "compiled-SQL cache"): compile() caches the text per
// query shape. A ShapeKey walk of the query writes everything the text depends on into a
// byte string and lists the value nodes (param, pattern, in) in walk order; on a miss the
// Writer records, for each parameter it binds, which of those nodes (and which
// transformation) it came from — the shape's Slots — and a later query of the same key
// rebuilds its parameters from the Slots alone.
#include "query/sql/writer.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace aorm::detail::sql {

namespace {

// Writes the shape of a query into `key` and lists its value nodes (see the file comment).
// Two queries with equal keys make the Writer write the same text and bind the same slots.
// Every field of Query, Join, OrderTerm, ForUpdate and Node that the Writer reads must be
// written here; the size checks below trip when one of them gains a field.
#if defined(__GLIBCXX__) && defined(__x86_64__)
static_assert(sizeof(Join) == 32, "a new sql::Join field: add it to ShapeKey::query (or say why not)");
static_assert(sizeof(Query) == 248, "a new sql::Query field: add it to ShapeKey::query (or say why not)");
static_assert(sizeof(Node) == 144, "a new sql::Node field: add it to ShapeKey::node (or say why not)");
#endif
class ShapeKey {
 public:
  static constexpr std::size_t max_nodes = 64;  // beyond: not cached (the dedup is quadratic)

  std::vector<const Node*> nodes;
  bool ok = true;

  void reset() {
    size_ = 0;
    nodes.clear();
    ok = true;
  }
  std::string_view key() const noexcept { return {buf_.get(), size_}; }

  void query(Form form, const Query& q, Dialect d) {
    put(static_cast<std::uint8_t>(form));
    put(static_cast<std::uint8_t>(d));
    put(q.meta);
    node(q.where);
    put(static_cast<std::uint8_t>((q.order_set ? 1 : 0) | (q.distinct ? 2 : 0) | (q.offset != 0 ? 4 : 0) |
                                  (q.limit ? 8 : 0)));
    if (q.order_set) {
      put(static_cast<std::uint32_t>(q.order.size()));
      for (const OrderTerm& t : q.order) {
        node(t.expr);
        put(t.desc);
      }
    }
    put(static_cast<std::uint32_t>(q.columns.size()));
    for (int c : q.columns) put(c);
    list(q.projection);
    list(q.annotations);
    put(static_cast<std::uint32_t>(q.joins.size()));
    for (const Join& j : q.joins) {
      put(j.column);
      put(j.target);
      put(j.nullable);
      put(j.parent);
      put(j.reverse);
      put(j.slot);
    }
    list(q.extra);
    put(static_cast<std::uint8_t>((q.for_update.enabled ? 1 : 0) | (q.for_update.nowait ? 2 : 0) |
                                  (q.for_update.skip_locked ? 4 : 0)));
    put(static_cast<std::uint32_t>(q.for_update.of.size()));
    for (int c : q.for_update.of) put(c);
  }

 private:
  // A plain buffer: std::string::append's out-of-line call per field cost more than the rest.
  template <class X>
  void put(const X& x) {
    if (size_ + sizeof x > capacity_) grow();
    std::memcpy(buf_.get() + size_, &x, sizeof x);
    size_ += sizeof x;
  }
  void grow() {
    capacity_ = capacity_ ? capacity_ * 2 : 512;
    auto bigger = std::make_unique<char[]>(capacity_);
    if (size_) std::memcpy(bigger.get(), buf_.get(), size_);
    buf_ = std::move(bigger);
  }

  void list(const std::vector<NodePtr>& ns) {
    put(static_cast<std::uint32_t>(ns.size()));
    for (const NodePtr& n : ns) node(n);
  }

  // A value node: its ordinal, or a reference to where the same node appeared before (a
  // tree sharing one node in two places binds one value twice; another tree of that
  // shape must share it too).
  void value_node(const Node& n) {
    const auto it = std::find(nodes.begin(), nodes.end(), &n);
    if (it != nodes.end()) {
      put('R');
      put(static_cast<std::uint32_t>(it - nodes.begin()));
      return;
    }
    if (nodes.size() >= max_nodes) ok = false;
    nodes.push_back(&n);
    put('N');
  }

  void node(const NodePtr& np) {
    if (!np) {
      put('0');
      return;
    }
    const Node& n = *np;
    put(static_cast<std::uint8_t>(n.kind));
    put(static_cast<std::uint8_t>(n.op));
    put(n.flag);
    put(n.column);
    put(n.path);
    switch (n.kind) {
      case Kind::param:
        value_node(n);
        put(static_cast<std::uint8_t>(n.value.index()));  // NULL-ness and type
        break;
      case Kind::pattern: {
        value_node(n);
        put(static_cast<std::uint8_t>(n.value.index()));
        const std::string* s = std::get_if<std::string>(&n.value);
        put(s && s->find('\0') != std::string::npos);  // SQLite compares those as bytes
        break;
      }
      case Kind::in:
        value_node(n);
        if (array_in(n)) put('A');
        else put(static_cast<std::uint32_t>(n.values.size()));
        break;
      case Kind::in_query:
        put(n.query->meta);
        node(n.query->where);
        break;
      default: break;
    }
    node(n.a);
    node(n.b);
    node(n.c);
  }

  std::unique_ptr<char[]> buf_;
  std::size_t size_ = 0, capacity_ = 0;
};

// The value of parameter `s` for a query whose value nodes are `nodes`.
Value slot_value(const Slot& s, const std::vector<const Node*>& nodes, const Query& q, Dialect d) {
  switch (s.kind) {
    case Slot::limit: return *q.limit;
    case Slot::offset: return q.offset;
    default: break;
  }
  const Node& n = *nodes[s.node];
  switch (s.kind) {
    case Slot::value: return n.value;
    case Slot::element: return n.values[s.index];
    case Slot::array: return ops(d).array_param(n.values);
    case Slot::like:
      return ops(d).like_pattern(std::get<std::string>(n.value), (s.index & 1) != 0, (s.index & 2) != 0);
    case Slot::regex_icase: return "(?i)" + std::get<std::string>(n.value);
    default: throw std::logic_error("aorm: unknown parameter slot");
  }
}

struct Cache {
  static constexpr std::size_t capacity = 1024;  // shapes; a full cache starts over
  // Looked up by string_view (the ShapeKey's buffer) without making a string. The key is
  // binary and short (~100 bytes for a point query): a multiply-xorshift over 8-byte words
  // costs about half of std::hash's (perf: this runs once per query).
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      constexpr std::uint64_t mul = 0x9E3779B97F4A7C15ull;
      std::uint64_t h = s.size() * mul;
      const auto mix = [&](std::uint64_t w) {
        h = (h ^ w) * mul;
        h ^= h >> 29;
      };
      std::size_t i = 0;
      for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        mix(w);
      }
      if (i < s.size()) {
        std::uint64_t w = 0;
        std::memcpy(&w, s.data() + i, s.size() - i);
        mix(w);
      }
      return static_cast<std::size_t>(h);
    }
  };
  std::unordered_map<std::string, std::shared_ptr<const Shape>, Hash, std::equal_to<>> shapes;
  ShapeKey scratch;
  CacheStats stats;
};

Cache& cache() {
  thread_local Cache c;
  return c;
}

std::shared_ptr<Shape> make_shape(Form form, const Query& q) {
  auto shape = std::make_shared<Shape>();
  if (form == Form::select) {
    shape->columns = q.selected_columns();
    shape->joined = q.join_offsets();
  }
  return shape;
}

}  // namespace

Compiled compile(Form form, const Query& q, Dialect d) {
  Cache& c = cache();
  ShapeKey& k = c.scratch;
  k.reset();
  k.query(form, q, d);
  if (k.ok) {
    if (const auto it = c.shapes.find(k.key()); it != c.shapes.end()) {
      ++c.stats.hits;
      Compiled out{{it->second->sql, {}, it->second->sql_hash}, it->second};
      out.statement.params.reserve(it->second->slots.size());
      for (const Slot& s : it->second->slots) out.statement.params.push_back(slot_value(s, k.nodes, q, d));
      return out;
    }
  }
  Writer w(*q.meta, d);
  if (k.ok) w.record(&k.nodes);
  write(w, form, q);
  std::shared_ptr<Shape> shape = make_shape(form, q);
  bool cached = k.ok && w.cacheable();
  if (cached) {
    shape->sql = std::string(w.text());
    shape->sql_hash = std::hash<std::string_view>{}(shape->sql);
    shape->slots = std::move(w).take_slots();
    // The layout must give back exactly what the Writer bound; else do not keep it.
    cached = shape->slots.size() == w.params().size();
    for (std::size_t i = 0; cached && i < shape->slots.size(); ++i)
      cached = slot_value(shape->slots[i], k.nodes, q, d) == w.params()[i];
  }
  Compiled out{std::move(w).finish(), nullptr};
  if (cached) {
    out.statement.sql_hash = shape->sql_hash;
    ++c.stats.misses;
    if (c.shapes.size() >= Cache::capacity) c.shapes.clear();
    c.shapes.emplace(std::string(k.key()), shape);
  } else {
    ++c.stats.uncacheable;
    shape->slots.clear();
  }
  out.shape = std::move(shape);
  return out;
}

CacheStats cache_stats() noexcept {
  const Cache& c = cache();
  CacheStats s = c.stats;
  s.entries = c.shapes.size();
  return s;
}

void clear_cache() noexcept { cache().shapes.clear(); }

}  // namespace aorm::detail::sql
