// A transaction body written as a plain lambda: atomic() needs a coroutine returning a Task.
// expect: error: static assertion failed.*aorm::atomic\(\) takes a coroutine that returns aorm::Task: write the lambda as \[&\]\(\) -> aorm::Task<void>
#include "blog/models.hpp"

aorm::Task<void> transfer() {
  co_await aorm::atomic([&]() { blog::Article::objects.all(); });
}
