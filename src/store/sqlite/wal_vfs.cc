#include "store/sqlite/wal_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

namespace steward::store {
namespace {

constexpr int kFrameHeaderBytes = 24;
constexpr size_t kMaxBuffered = size_t{4} << 20;
// The unix VFS writes at most 0x1ffff bytes per call (it masks the length: a write of exactly
// 128 KiB would write nothing and report a full disk), so a flush is cut into pieces this long.
constexpr size_t kMaxWrite = 0x1f000;

// Our file object. The default VFS's file object follows it in the same allocation (xOpen is
// given szOsFile bytes: ours plus the default's).
struct File {
  sqlite3_file base;  // base.pMethods == &kMethods once open
  sqlite3_file* real;
  std::string* pending;  // WAL files only: bytes not yet written, starting at pending_offset
  sqlite3_int64 pending_offset;
  bool commit_header;  // the last write was the header of a commit frame
};

sqlite3_vfs* g_default = nullptr;
sqlite3_vfs g_vfs;

File* Of(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
const sqlite3_io_methods* Real(File* f) { return f->real->pMethods; }

// Writes what is pending. The buffer is emptied whatever the outcome: a failed write fails the
// transaction that owned it, and SQLite writes a failed transaction's frames again if it retries.
int Flush(File* f) {
  if (!f->pending || f->pending->empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  const std::string& p = *f->pending;
  for (size_t done = 0; done < p.size() && rc == SQLITE_OK;) {
    size_t n = std::min(kMaxWrite, p.size() - done);
    rc = Real(f)->xWrite(f->real, p.data() + done, static_cast<int>(n),
                         f->pending_offset + static_cast<sqlite3_int64>(done));
    done += n;
  }
  f->pending->clear();
  f->commit_header = false;
  return rc;
}

int Close(sqlite3_file* file) {
  File* f = Of(file);
  int flushed = Flush(f);
  int rc = Real(f)->xClose(f->real);
  delete f->pending;
  f->pending = nullptr;
  return flushed != SQLITE_OK ? flushed : rc;
}

int Read(sqlite3_file* file, void* out, int n, sqlite3_int64 offset) {
  File* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f)->xRead(f->real, out, n, offset);
}

int Write(sqlite3_file* file, const void* data, int n, sqlite3_int64 offset) {
  File* f = Of(file);
  if (!f->pending) return Real(f)->xWrite(f->real, data, n, offset);
  std::string& p = *f->pending;
  // The write after a commit frame's header is its page: with it the commit is complete, and it
  // is written at once whatever else happens here (Flush below resets commit_header).
  const bool completes_commit = f->commit_header;
  if (!p.empty() && offset != f->pending_offset + static_cast<sqlite3_int64>(p.size())) {
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  if (p.empty()) f->pending_offset = offset;
  p.append(static_cast<const char*>(data), static_cast<size_t>(n));
  if (completes_commit) return Flush(f);
  // A frame header; bytes 4..7 (the database size after a commit) are non-zero on a commit frame.
  if (n == kFrameHeaderBytes) {
    const unsigned char* h = static_cast<const unsigned char*>(data);
    f->commit_header = (h[4] | h[5] | h[6] | h[7]) != 0;
  }
  if (p.size() >= kMaxBuffered) return Flush(f);
  return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  File* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f)->xTruncate(f->real, size);
}

int Sync(sqlite3_file* file, int flags) {
  File* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f)->xSync(f->real, flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  File* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f)->xFileSize(f->real, size);
}

int Lock(sqlite3_file* file, int level) { return Real(Of(file))->xLock(Of(file)->real, level); }
int Unlock(sqlite3_file* file, int level) {
  return Real(Of(file))->xUnlock(Of(file)->real, level);
}
int CheckReservedLock(sqlite3_file* file, int* out) {
  return Real(Of(file))->xCheckReservedLock(Of(file)->real, out);
}

int FileControl(sqlite3_file* file, int op, void* arg) {
  File* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f)->xFileControl(f->real, op, arg);
}

int SectorSize(sqlite3_file* file) { return Real(Of(file))->xSectorSize(Of(file)->real); }
int DeviceCharacteristics(sqlite3_file* file) {
  return Real(Of(file))->xDeviceCharacteristics(Of(file)->real);
}

int ShmMap(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
  return Real(Of(file))->xShmMap(Of(file)->real, page, size, extend, out);
}
int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  return Real(Of(file))->xShmLock(Of(file)->real, offset, n, flags);
}
void ShmBarrier(sqlite3_file* file) { Real(Of(file))->xShmBarrier(Of(file)->real); }
int ShmUnmap(sqlite3_file* file, int remove) {
  return Real(Of(file))->xShmUnmap(Of(file)->real, remove);
}
int Fetch(sqlite3_file* file, sqlite3_int64 offset, int n, void** out) {
  File* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f)->xFetch(f->real, offset, n, out);
}
int Unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  return Real(Of(file))->xUnfetch(Of(file)->real, offset, page);
}

// Every method of version 3; Open() refuses a default VFS whose files lack them.
const sqlite3_io_methods kMethods = {
    3,       Close,     Read,     Write,  Truncate, Sync,     FileSize, Lock,
    Unlock,  CheckReservedLock,   FileControl,      SectorSize,         DeviceCharacteristics,
    ShmMap,  ShmLock,   ShmBarrier,       ShmUnmap, Fetch,    Unfetch,
};

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  File* f = Of(file);
  f->base.pMethods = nullptr;
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->pending = nullptr;
  f->pending_offset = 0;
  f->commit_header = false;
  int rc = g_default->xOpen(g_default, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  if (!f->real->pMethods || f->real->pMethods->iVersion < 3) {
    // Not expected of the unix VFS; refuse rather than forward methods that do not exist.
    if (f->real->pMethods) f->real->pMethods->xClose(f->real);
    return SQLITE_CANTOPEN;
  }
  if (flags & SQLITE_OPEN_WAL) {
    f->pending = new (std::nothrow) std::string();
    if (!f->pending) {
      f->real->pMethods->xClose(f->real);
      return SQLITE_NOMEM;
    }
  }
  f->base.pMethods = &kMethods;
  return SQLITE_OK;
}

// The rest is the default VFS's.
int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_default->xDelete(g_default, name, sync_dir);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_default->xAccess(g_default, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_default->xFullPathname(g_default, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return g_default->xDlOpen(g_default, name); }
void DlError(sqlite3_vfs*, int n, char* out) { g_default->xDlError(g_default, n, out); }
void (*DlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_default->xDlSym(g_default, handle, symbol);
}
void DlClose(sqlite3_vfs*, void* handle) { g_default->xDlClose(g_default, handle); }
int Randomness(sqlite3_vfs*, int n, char* out) { return g_default->xRandomness(g_default, n, out); }
int Sleep(sqlite3_vfs*, int micros) { return g_default->xSleep(g_default, micros); }
int CurrentTime(sqlite3_vfs*, double* out) { return g_default->xCurrentTime(g_default, out); }
int GetLastError(sqlite3_vfs*, int n, char* out) {
  return g_default->xGetLastError ? g_default->xGetLastError(g_default, n, out) : 0;
}
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  if (g_default->iVersion >= 2 && g_default->xCurrentTimeInt64) {
    return g_default->xCurrentTimeInt64(g_default, out);
  }
  double days = 0;
  int rc = g_default->xCurrentTime(g_default, &days);
  *out = static_cast<sqlite3_int64>(days * 86400000.0);
  return rc;
}

}  // namespace

const char* WalCoalescingVfs() {
  static std::once_flag once;
  static bool registered = false;
  std::call_once(once, [] {
    g_default = sqlite3_vfs_find(nullptr);
    if (!g_default) return;
    std::memset(&g_vfs, 0, sizeof(g_vfs));
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(File)) + g_default->szOsFile;
    g_vfs.mxPathname = g_default->mxPathname;
    g_vfs.zName = "steward-wal";
    g_vfs.xOpen = Open;
    g_vfs.xDelete = Delete;
    g_vfs.xAccess = Access;
    g_vfs.xFullPathname = FullPathname;
    g_vfs.xDlOpen = DlOpen;
    g_vfs.xDlError = DlError;
    g_vfs.xDlSym = DlSym;
    g_vfs.xDlClose = DlClose;
    g_vfs.xRandomness = Randomness;
    g_vfs.xSleep = Sleep;
    g_vfs.xCurrentTime = CurrentTime;
    g_vfs.xGetLastError = GetLastError;
    g_vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    registered = sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0) == SQLITE_OK;
  });
  return registered ? g_vfs.zName : nullptr;
}

}  // namespace steward::store
