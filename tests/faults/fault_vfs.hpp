// fault_vfs.hpp — a sqlite3 VFS shim over the default VFS that injects faults: writes fail
// with SQLITE_FULL once a byte budget is spent (a full disk), and main database files open
// read-only (what the unix VFS does when the file is not writable).
//
// The backend opens plain paths (no `file:` URI, so no `?vfs=`): the shim is registered as
// the default VFS for the lifetime of a FaultVfs, and every connection opened meanwhile
// goes through it. Close those connections before the FaultVfs is destroyed.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <limits>

namespace faults {

class FaultVfs {
 public:
  FaultVfs();
  ~FaultVfs();
  FaultVfs(const FaultVfs&) = delete;
  FaultVfs& operator=(const FaultVfs&) = delete;

  /// From now on, writes succeed until `bytes` more bytes were written, then fail with
  /// SQLITE_FULL (a write that would cross the budget fails whole).
  void fail_writes_after(std::int64_t bytes) noexcept { budget_.store(bytes); }
  /// Writes never fail (the default).
  void unlimited() noexcept { budget_.store(std::numeric_limits<std::int64_t>::max()); }
  /// Main database files opened from now on are opened read-only.
  void open_read_only(bool on) noexcept { read_only_.store(on); }
  /// How many writes failed so far.
  int failed_writes() const noexcept { return failed_.load(); }

 private:
  struct File;
  static int x_open(sqlite3_vfs*, sqlite3_filename, sqlite3_file*, int, int*);
  static int x_write(sqlite3_file*, const void*, int, sqlite3_int64);

  sqlite3_vfs vfs_{};
  sqlite3_vfs* real_ = nullptr;
  std::atomic<std::int64_t> budget_{std::numeric_limits<std::int64_t>::max()};
  std::atomic<bool> read_only_{false};
  std::atomic<int> failed_{0};
};

}  // namespace faults
