// The expression-node factories (detail/sql/node.hpp), with constant folding.
#include "aorm/detail/sql/node.hpp"

#include <array>
#include <deque>
#include <mutex>
#include <utility>

#include "aorm/task.hpp"

namespace aorm::detail::sql {
namespace {

std::shared_ptr<Node> make(Kind kind, Op op = Op::none) {
  auto n = make_pooled<Node>();  // perf: a query makes and drops several
  n->kind = kind;
  n->op = op;
  return n;
}

bool is_constant(const NodePtr& n, bool v) noexcept {
  return n && n->kind == Kind::constant && n->flag == v;
}

}  // namespace

NodePtr column(int index, const Path* path) {
  // The model's own first columns are made once and shared (nodes are immutable): every
  // `Article::f.id == x` would otherwise allocate and free one.
  static constexpr int shared = 64;
  static const std::array<NodePtr, shared> own = [] {
    std::array<NodePtr, shared> out;
    for (int i = 0; i < shared; ++i) {
      auto n = make(Kind::column);
      n->column = i;
      out[static_cast<std::size_t>(i)] = std::move(n);
    }
    return out;
  }();
  if (!path && index >= 0 && index < shared) return own[static_cast<std::size_t>(index)];
  auto n = make(Kind::column);
  n->column = index;
  n->path = path;
  return n;
}

NodePtr scope(NodePtr a, int id) {
  if (!a || a->kind == Kind::constant) return a;
  auto n = make(Kind::scope);
  n->a = std::move(a);
  n->column = id;
  return n;
}

const Path* extend(const Path* parent, const Step& step) {
  static std::mutex mutex;
  static std::deque<Path> paths;  // never shrinks: Field constants point into it
  const std::lock_guard lock(mutex);
  for (Path& p : paths) {
    Step& s = p.step;
    if (p.parent == parent && s.kind == step.kind && s.from == step.from && s.to == step.to &&
        s.column == step.column && s.m2m == step.m2m) {
      if (!s.loader && step.loader) {  // made by a relation field after an untyped use
        s.loader = step.loader;
        s.slot = step.slot;
      }
      return &p;
    }
  }
  Path p;
  p.parent = parent;
  p.step = step;
  p.multi = (parent && parent->multi) || step.kind != StepKind::forward;
  p.depth = parent ? parent->depth + 1 : 1;
  paths.push_back(p);
  return &paths.back();
}

bool has_path(const NodePtr& n, bool multi_only) noexcept {
  if (!n) return false;
  if (n->kind == Kind::column) return n->path && (!multi_only || n->path->multi);
  if (n->kind == Kind::in_query) return has_path(n->a, multi_only);
  return has_path(n->a, multi_only) || has_path(n->b, multi_only) || has_path(n->c, multi_only);
}

bool has_aggregate(const NodePtr& n) noexcept {
  if (!n) return false;
  if (n->kind == Kind::aggregate || n->kind == Kind::count_all) return true;
  if (n->kind == Kind::in_query) return false;
  return has_aggregate(n->a) || has_aggregate(n->b) || has_aggregate(n->c);
}

NodePtr param(Value v) {
  auto n = make(Kind::param);
  n->value = std::move(v);
  return n;
}

NodePtr constant(bool v) {
  auto n = make(Kind::constant);
  n->flag = v;
  return n;
}

NodePtr binary(Kind kind, Op op, NodePtr a, NodePtr b) {
  auto n = make(kind, op);
  n->a = std::move(a);
  n->b = std::move(b);
  return n;
}

NodePtr equals(NodePtr column, Value value) {
  return binary(Kind::compare, Op::eq, std::move(column), param(std::move(value)));
}

NodePtr pattern(Op op, NodePtr a, Value v) {
  auto n = make(Kind::pattern, op);
  n->a = std::move(a);
  n->value = std::move(v);
  return n;
}

NodePtr in(NodePtr a, std::vector<Value> values) {
  if (values.empty()) return constant(false);
  auto n = make(Kind::in);
  n->a = std::move(a);
  n->values = std::move(values);
  return n;
}

NodePtr range(NodePtr a, NodePtr lo, NodePtr hi) {
  auto n = make(Kind::range);
  n->a = std::move(a);
  n->b = std::move(lo);
  n->c = std::move(hi);
  return n;
}

NodePtr isnull(NodePtr a, bool is_null) {
  auto n = make(Kind::isnull);
  n->a = std::move(a);
  n->flag = is_null;
  return n;
}

NodePtr extract(Op part, NodePtr a) {
  auto n = make(Kind::extract, part);
  n->a = std::move(a);
  return n;
}

NodePtr and_(NodePtr a, NodePtr b) {
  if (!a || is_constant(a, true)) return b;
  if (!b || is_constant(b, true)) return a;
  if (is_constant(a, false)) return a;
  if (is_constant(b, false)) return b;
  return binary(Kind::and_, Op::none, std::move(a), std::move(b));
}

NodePtr or_(NodePtr a, NodePtr b) {
  if (!a || !b) return nullptr;  // "every row" OR x is every row
  if (is_constant(a, true) || is_constant(b, false)) return a;
  if (is_constant(b, true) || is_constant(a, false)) return b;
  return binary(Kind::or_, Op::none, std::move(a), std::move(b));
}

NodePtr not_(NodePtr a) {
  if (!a) return constant(false);
  if (a->kind == Kind::constant) return constant(!a->flag);
  auto n = make(Kind::not_);
  n->a = std::move(a);
  return n;
}

NodePtr aggregate(Op fn, NodePtr arg, NodePtr filter, bool flag) {
  auto n = make(Kind::aggregate, fn);
  n->a = std::move(arg);
  n->b = std::move(filter);
  n->flag = flag;
  return n;
}

NodePtr count_all() { return make(Kind::count_all, Op::count); }

NodePtr random() { return make(Kind::random); }

bool is_false(const NodePtr& n) noexcept { return is_constant(n, false); }

bool as_column_equals(const NodePtr& n, int& column, Value& value) {
  if (!n || n->kind != Kind::compare || n->op != Op::eq) return false;
  if (!n->a || n->a->kind != Kind::column || n->a->path || !n->b || n->b->kind != Kind::param) return false;
  column = n->a->column;
  value = n->b->value;
  return true;
}

}  // namespace aorm::detail::sql
