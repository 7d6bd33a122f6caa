#include "diag/diagnostics.hpp"

#include <algorithm>
#include <numeric>

namespace aormc::diag {

void Diagnostics::error(Location where, std::string message, std::vector<Note> notes) {
  for (const Diagnostic& d : errors_) {
    if (d.where.line == where.line && d.where.column == where.column && d.message == message)
      return;  // the same problem found twice (e.g. by two checks sharing a cause)
  }
  errors_.push_back({std::move(where), std::move(message), std::move(notes)});
}

namespace {

std::string render_location(const Location& where) {
  if (where.line <= 0) return where.file;
  return where.file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
}

}  // namespace

std::string Diagnostics::render() const {
  // Sorted by position; equal positions keep the order they were reported in. (Not
  // std::stable_sort: libstdc++ 12's uses get_temporary_buffer, deprecated in C++20.)
  std::vector<std::size_t> order(errors_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Location& x = errors_[a].where;
    const Location& y = errors_[b].where;
    if (x.line != y.line) return x.line < y.line;
    if (x.column != y.column) return x.column < y.column;
    return a < b;
  });
  std::vector<const Diagnostic*> sorted;
  for (std::size_t i : order) sorted.push_back(&errors_[i]);
  std::string out;
  for (const Diagnostic* d : sorted) {
    out += render_location(d->where) + ": error: " + d->message + "\n";
    for (const Note& n : d->notes) out += render_location(n.where) + ": note: " + n.message + "\n";
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

namespace {

template <class Range>
std::string closest(std::string_view word, const Range& candidates) {
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::string_view best;
  std::size_t best_distance = limit + 1;
  for (std::string_view c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (best.empty()) return "";
  return " (did you mean '" + std::string(best) + "'?)";
}

}  // namespace

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  return closest(word, candidates);
}

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
  return closest(word, candidates);
}

}  // namespace aormc::diag
