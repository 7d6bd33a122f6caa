#include "fault_vfs.hpp"

#include <cstddef>
#include <stdexcept>

namespace faults {

// The shim's file: the real VFS's file follows it in the same allocation (szOsFile covers
// both), so no memory is allocated per open.
struct FaultVfs::File {
  sqlite3_file base;
  sqlite3_file* real;
  FaultVfs* owner;
};

namespace {

using File = sqlite3_file;

sqlite3_file* real_of(sqlite3_file* f);

// Forwarders: every method but xWrite passes straight through to the real file.
int x_close(File* f) {
  sqlite3_file* r = real_of(f);
  return r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
}
int x_read(File* f, void* buf, int n, sqlite3_int64 off) { return real_of(f)->pMethods->xRead(real_of(f), buf, n, off); }
int x_truncate(File* f, sqlite3_int64 size) { return real_of(f)->pMethods->xTruncate(real_of(f), size); }
int x_sync(File* f, int flags) { return real_of(f)->pMethods->xSync(real_of(f), flags); }
int x_file_size(File* f, sqlite3_int64* size) { return real_of(f)->pMethods->xFileSize(real_of(f), size); }
int x_lock(File* f, int l) { return real_of(f)->pMethods->xLock(real_of(f), l); }
int x_unlock(File* f, int l) { return real_of(f)->pMethods->xUnlock(real_of(f), l); }
int x_check_reserved_lock(File* f, int* out) { return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out); }
int x_file_control(File* f, int op, void* arg) { return real_of(f)->pMethods->xFileControl(real_of(f), op, arg); }
int x_sector_size(File* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int x_device_characteristics(File* f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); }
int x_shm_map(File* f, int page, int size, int extend, void volatile** out) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->iVersion >= 2 ? r->pMethods->xShmMap(r, page, size, extend, out) : SQLITE_IOERR;
}
int x_shm_lock(File* f, int offset, int n, int flags) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->iVersion >= 2 ? r->pMethods->xShmLock(r, offset, n, flags) : SQLITE_IOERR;
}
void x_shm_barrier(File* f) {
  sqlite3_file* r = real_of(f);
  if (r->pMethods->iVersion >= 2) r->pMethods->xShmBarrier(r);
}
int x_shm_unmap(File* f, int del) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->iVersion >= 2 ? r->pMethods->xShmUnmap(r, del) : SQLITE_OK;
}
int x_fetch(File* f, sqlite3_int64 off, int n, void** out) {
  sqlite3_file* r = real_of(f);
  if (r->pMethods->iVersion >= 3) return r->pMethods->xFetch(r, off, n, out);
  *out = nullptr;
  return SQLITE_OK;
}
int x_unfetch(File* f, sqlite3_int64 off, void* p) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->iVersion >= 3 ? r->pMethods->xUnfetch(r, off, p) : SQLITE_OK;
}

}  // namespace

int FaultVfs::x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  auto* file = reinterpret_cast<File*>(f);
  FaultVfs* self = file->owner;
  // Spend the budget atomically: a write that does not fit fails whole, as a full disk's.
  std::int64_t left = self->budget_.load();
  while (true) {
    if (left < n) {
      ++self->failed_;
      return SQLITE_FULL;
    }
    if (self->budget_.compare_exchange_weak(left, left - n)) break;
  }
  return file->real->pMethods->xWrite(file->real, buf, n, off);
}

namespace {
const sqlite3_io_methods kMethods = {
    3,        x_close,      x_read,       nullptr /* set in x_open's table copy */,
    x_truncate, x_sync,     x_file_size,  x_lock,
    x_unlock, x_check_reserved_lock, x_file_control, x_sector_size,
    x_device_characteristics, x_shm_map, x_shm_lock, x_shm_barrier,
    x_shm_unmap, x_fetch,   x_unfetch};
sqlite3_io_methods g_methods;  // kMethods with xWrite filled in

sqlite3_file* real_of(sqlite3_file* f) {
  // The File layout: sqlite3_file base, then the pointer to the real file.
  return *reinterpret_cast<sqlite3_file**>(reinterpret_cast<char*>(f) + sizeof(sqlite3_file));
}
}  // namespace

int FaultVfs::x_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* self = static_cast<FaultVfs*>(vfs->pAppData);
  auto* file = reinterpret_cast<File*>(f);
  file->base.pMethods = nullptr;
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  file->owner = self;
  if (self->read_only_.load() && (flags & SQLITE_OPEN_MAIN_DB))
    flags = (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_READONLY;
  const int rc = self->real_->xOpen(self->real_, name, file->real, flags, out_flags);
  // pMethods set means SQLite calls xClose even when the open failed (the real file says).
  if (file->real->pMethods) file->base.pMethods = &g_methods;
  return rc;
}

FaultVfs::FaultVfs() {
  static_assert(offsetof(File, real) == sizeof(sqlite3_file));
  real_ = sqlite3_vfs_find(nullptr);
  if (!real_) throw std::runtime_error("no default sqlite3 VFS");
  g_methods = kMethods;
  g_methods.xWrite = &FaultVfs::x_write;
  vfs_ = *real_;  // every other method (xDelete, xAccess, xRandomness, ...) is the real one's
  vfs_.iVersion = real_->iVersion;
  vfs_.szOsFile = static_cast<int>(sizeof(File)) + real_->szOsFile;
  vfs_.zName = "aorm-fault";
  vfs_.pNext = nullptr;
  vfs_.pAppData = this;
  vfs_.xOpen = &FaultVfs::x_open;
  // The real VFS's other methods receive our sqlite3_vfs*; the unix VFS reads only its
  // own fields through it (pAppData unused by xDelete/xAccess/xFullPathname), and those
  // fields are copied. xOpen (which does use pAppData) is ours.
  if (sqlite3_vfs_register(&vfs_, 1) != SQLITE_OK) throw std::runtime_error("cannot register the fault VFS");
}

FaultVfs::~FaultVfs() {
  sqlite3_vfs_unregister(&vfs_);
  sqlite3_vfs_register(real_, 1);
}

}  // namespace faults
