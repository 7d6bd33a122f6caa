// temp_db.hpp — a fresh SQLite file per test, removed with its side files afterwards.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>

#include <unistd.h>

namespace aorm_test {

/// A database path in the system temp folder, unique per instance; the destructor removes
/// the file and its -wal/-shm/-journal companions.
class TempDbFile {
 public:
  TempDbFile() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("aorm-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".db");
    remove_all();
  }
  ~TempDbFile() { remove_all(); }
  TempDbFile(const TempDbFile&) = delete;
  TempDbFile& operator=(const TempDbFile&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  std::string url() const { return "sqlite:" + path_.string(); }

 private:
  void remove_all() {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
      std::filesystem::remove(path_.string() + suffix, ignored);
  }
  std::filesystem::path path_;
};

}  // namespace aorm_test
