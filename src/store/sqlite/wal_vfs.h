#pragma once
// A VFS over SQLite's default one that coalesces the writes of a WAL file.
//
// SQLite appends each WAL frame with two writes, a 24-byte header and the page, so a commit of
// N pages costs 2N pwrite(2) calls, and since a frame is 24 bytes longer than a page every page
// write straddles two page-cache folios. On the single writer thread that was about 12 % of the
// gate's CPU. This VFS gathers consecutive WAL writes in a buffer and writes them with one call
// per 124 KiB when it sees the end of the commit (the page after a frame header whose commit field is set),
// and before anything that must see the file as written: a read, a sync, a truncate, a size
// query, a file control, a close, a write that does not continue the buffer, or 4 MiB buffered.
//
// Ordering: SQLite writes all of a commit's frames before it publishes them in the wal-index, so
// the frames are in the file before another connection can look for them; COMMIT returns after
// that, so the store's WAL fdatasync (sqlite_store.cc) still covers every acknowledged commit.
// An error from the deferred write is returned by the call that flushed it (the commit frame's
// page write, usually), so SQLite fails that transaction as it would for a failed page write.
// Other files (the database, its shared memory) pass straight through.

namespace steward::store {

// The VFS's name, registering it (once, not as the default) over the default VFS. nullptr when
// SQLite has no default VFS (then callers open with the default).
const char* WalCoalescingVfs();

}  // namespace steward::store
