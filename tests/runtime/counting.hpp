// A value type that counts its constructions, copies, moves and destructions, so tests
// can prove that a value travels through the runtime by moves only and dies exactly once.
#pragma once

struct Counts {
  int constructed = 0;  // every constructor, including copies and moves
  int copied = 0;
  int moved = 0;
  int destroyed = 0;
  int alive() const { return constructed - destroyed; }
};

class Counted {
 public:
  Counted(Counts& counts, int value) : counts_(&counts), value_(value) { ++counts_->constructed; }
  Counted(const Counted& other) : counts_(other.counts_), value_(other.value_) {
    ++counts_->constructed;
    ++counts_->copied;
  }
  Counted(Counted&& other) noexcept : counts_(other.counts_), value_(other.value_) {
    ++counts_->constructed;
    ++counts_->moved;
  }
  Counted& operator=(const Counted&) = delete;
  Counted& operator=(Counted&&) = delete;
  ~Counted() { ++counts_->destroyed; }
  int value() const { return value_; }

 private:
  Counts* counts_;
  int value_;
};
