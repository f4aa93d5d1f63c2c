// storage: Store, the process-wide SQLite storage: one writer connection on a dedicated
// writer thread (group commit) plus a pool of reader connections, and a completion thread
// that runs the `done` of the writes that ask for it off the writer thread. Depends on
// common only. Write, WriteSync, Read, Migrate and Close may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "streamstack/common/status.h"
#include "streamstack/common/thread_annotations.h"
#include "streamstack/storage/database.h"
#include "streamstack/storage/migration.h"

namespace streamstack::storage {

struct StoreOptions {
  // The SQLite file (created if missing; its -wal and -shm files live beside it).
  std::string path;
  // Nothing touches disk: ONE ":memory:" connection serves the writer and every Read,
  // which are then serialised with the writer's groups through a mutex. `path` is ignored.
  bool in_memory = false;
  // Reader connections in the pool (file mode). A Read waits while all are leased.
  int readers = 4;
  // At most this many queued jobs share one transaction, so a group's latency is bounded.
  int max_group_size = 256;
  std::chrono::milliseconds busy_timeout{5000};
  int cache_size_kib = 16 * 1024;  // per connection
  // File mode: the WAL is folded back into the database file by a checkpointer thread on
  // its own connection, at most this long after a commit, instead of by the writer inside
  // a commit (SQLite's autocheckpoint), whose fsyncs stalled every queued write for
  // milliseconds (PutItem over HTTP, 8 clients: p99 5.4 ms -> 3.4 ms). 0: SQLite's own
  // autocheckpoint on the writer.
  std::chrono::milliseconds checkpoint_interval{100};
  // The checkpointer's bound on the WAL. SQLite starts the WAL over only when a write
  // transaction begins with every frame copied back. Under writes that never pause each
  // checkpoint overlaps the next commits, that moment never comes, and the WAL would grow
  // without end (about 120 MB/s under PutItem at full speed). Past this many frames (4 KiB
  // pages) the checkpointer catches up with the commits made during its checkpoint, then has
  // the writer copy the short rest itself after its next group, where no commit overlaps it:
  // the next write transaction starts the WAL over. That checkpoint's fsyncs wait behind the
  // load's own I/O and stall the writer 10-25 ms, so the bound is large: at 64 MiB such
  // stalls came twice a second under PutItem at full speed and put its p99 at 15-22 ms
  // (4-5 ms unbounded); at 1 GiB, one in 8 s, p99 5-7 ms. Only with a checkpointer; 0: no
  // bound.
  int wal_pages_before_restart = 262144;
};

// What a write job sees: the writer connection, inside the group's transaction and the
// job's own savepoint. Only valid during the job's WriteFn call.
class WriteContext {
 public:
  Database& db() { return db_; }
  // Runs `fn` on the writer thread after the group's COMMIT succeeded and before any job of
  // the group gets its `done` (publish high-water marks, wake pollers). Dropped if this job
  // fails or the COMMIT fails. Must not block, must not throw.
  void OnCommit(std::function<void()> fn) { on_commit_.push_back(std::move(fn)); }

 private:
  friend class Store;
  WriteContext(Database& db, std::vector<std::function<void()>>& on_commit)
      : db_(db), on_commit_(on_commit) {}
  Database& db_;
  std::vector<std::function<void()>>& on_commit_;
};

// Thread safety: every public method may be called from any thread, concurrently.
//
// Durability contract: a job's done(Ok) is called only after its COMMIT returned; with WAL
// + synchronous=NORMAL that survives a killed process (kill -9). (A power loss may take back
// the last commits; file mode only: in-memory stores keep nothing.)
class Store {
 public:
  // A write job. Its Status decides its own fate: not ok rolls back only this job's
  // savepoint; the other jobs of the group still commit. Runs on the writer thread; must not
  // call WriteSync (that would wait on itself: it returns kInternalFailure). A Read inside a
  // job reads through the writer connection and sees the job's uncommitted changes.
  // An exception escaping a job is caught and fails that job with kInternalFailure.
  using WriteFn = std::function<Status(WriteContext&)>;
  // Receives the job's Status: Ok only after COMMIT; the job's own error; or
  // kInternalFailure if BEGIN/RELEASE/COMMIT failed or the store is closed. Called exactly
  // once per Write, on the thread DoneOn names -- or on the caller's thread, at once, when
  // the store is closed. Must not throw. On the writer thread it must not block (it delays
  // every later write); on the completion thread it delays the `done`s queued after it.
  using DoneFn = std::function<void(Status)>;

  // Where a Write's `done` runs once its group committed (or failed).
  enum class DoneOn {
    // On the writer thread, right after the group: for a `done` that only sets a flag or
    // hands the Status on (WriteSync, startup, tests).
    kWriterThread,
    // On the store's completion thread, in submission order: for a `done` that does work
    // (encodes a response, replies). The writer hands a group's `done`s over in one step,
    // after every OnCommit of the group ran, so the writer thread only writes.
    kCompletionThread,
  };

  // Opens the writer (creating the file, switching it to WAL), then the readers, then starts
  // the writer thread. kInternalFailure when a connection cannot be opened. Schemas are not
  // created here: each module calls Migrate() at startup.
  [[nodiscard]] static Result<std::unique_ptr<Store>> Open(StoreOptions options);
  ~Store();  // Close(). Must not run on the writer thread (not in a job or a done).
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Queues a job for the writer thread (group commit). See WriteFn, DoneFn and DoneOn.
  void Write(WriteFn fn, DoneFn done, DoneOn done_on = DoneOn::kWriterThread);

  // Write() and wait for its done. For control-plane calls, startup and tests.
  [[nodiscard]] Status WriteSync(WriteFn fn);

  // Runs Migrate(db, module, migrations) as a write job and waits. This is how modules
  // create their schema at startup (call it before serving). One job per module, so a
  // failing module's migrations do not undo another's.
  [[nodiscard]] Status Migrate(std::string_view module, std::span<const Migration> migrations);

  // Runs fn(Database&) on the caller's thread with a reader connection leased from the pool
  // (waiting while all are in use) and returns its result. The connection is in autocommit
  // mode: each statement sees the latest commit; wrap several SELECTs in a
  // Transaction(db, Kind::kDeferred) for one snapshot. Statements left mid-iteration and an
  // open transaction are ended when the lease returns. Reader connections are read-only.
  // After Close(): fn is not called; if fn returns Status or Result<T> the result is
  // kInternalFailure "store is closed", otherwise the process aborts (a programming error).
  template <typename F>
  auto Read(F&& fn) -> std::invoke_result_t<F&, Database&> {
    using R = std::invoke_result_t<F&, Database&>;
    Lease lease(*this);
    if (lease.db() == nullptr) {
      if constexpr (std::is_constructible_v<R, Status>) {
        return R(ClosedError());
      } else {
        AbortReadAfterClose();
      }
    }
    return fn(*lease.db());
  }

  // Stops accepting writes, drains the queue (every submitted job gets its done), joins the
  // writer thread and then the completion thread, waits for leased readers, checkpoints the
  // WAL (PRAGMA wal_checkpoint(TRUNCATE)) and closes every connection. Idempotent: later
  // calls return the first call's Status. Not callable from the writer or the completion
  // thread (a job or a done): that returns kInternalFailure.
  [[nodiscard]] Status Close();

  // Counters for tests and /metrics.
  struct Stats {
    std::int64_t jobs = 0;    // jobs run (ok or not)
    std::int64_t groups = 0;  // transactions committed or attempted
    std::int64_t max_group = 0;
    std::int64_t checkpoints = 0;  // WAL checkpoints the checkpointer finished (file mode)
    // Checkpoints the writer ran to let the WAL start over (see wal_pages_before_restart).
    std::int64_t writer_checkpoints = 0;
    // Commits the checkpointer was told of, and how many of them the last finished checkpoint
    // covers (it began after they had committed). A checkpoint that merely overlaps a commit
    // does not cover it: a caller waits for its own commit to be covered, not for a count.
    std::int64_t wal_commits = 0;
    std::int64_t checkpointed_commits = 0;
  };
  [[nodiscard]] Stats GetStats() const;

 private:
  struct Job {
    WriteFn fn;
    DoneFn done;
    DoneOn done_on = DoneOn::kWriterThread;
  };
  // A `done` with its Status, waiting for the completion thread.
  struct Completion {
    DoneFn done;
    Status status;
  };

  // RAII lease of a reader connection (or, in memory, of the one connection + its mutex).
  class Lease {
   public:
    explicit Lease(Store& store) : store_(store), db_(store.AcquireReader(&pooled_)) {}
    ~Lease() {
      if (db_ != nullptr) store_.ReleaseReader(db_, pooled_);
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Database* db() const { return db_; }

   private:
    Store& store_;
    bool pooled_ = false;
    Database* db_;
  };

  explicit Store(StoreOptions options);
  // Null when closed. *pooled is false for the writer connection handed to a job's own Read.
  Database* AcquireReader(bool* pooled);
  void ReleaseReader(Database* db, bool pooled);
  static Status ClosedError();
  [[noreturn]] static void AbortReadAfterClose();

  void WriterLoop();
  void RunGroup(std::vector<Job>& jobs);
  // Writer thread: hands `completions` (emptied) to the completion thread in one step.
  void HandOff(std::vector<Completion>& completions);
  void CompletionLoop();
  void StopCompletions();
  void CheckpointerLoop();
  void NoteCommitForCheckpoint();
  void StopCheckpointer();
  void CheckpointForWalRestart();

  // Constant after Open.
  const StoreOptions options_;
  std::unique_ptr<Database> writer_;
  std::vector<std::unique_ptr<Database>> readers_;  // empty in memory
  std::thread writer_thread_;
  std::thread::id writer_thread_id_;
  std::thread completion_thread_;
  std::thread::id completion_thread_id_;
  std::vector<Completion> handoff_;  // writer thread only: reused for every group

  // The write queue.
  mutable Mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Job> queue_ GUARDED_BY(queue_mu_);
  bool stopping_ GUARDED_BY(queue_mu_) = false;
  Stats stats_ GUARDED_BY(queue_mu_);

  // The reader pool.
  Mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<Database*> free_readers_ GUARDED_BY(pool_mu_);
  int leased_ GUARDED_BY(pool_mu_) = 0;
  bool pool_closed_ GUARDED_BY(pool_mu_) = false;

  // In memory: held by the writer for a whole group and by each Read. A plain std::mutex:
  // it is taken only in memory mode, a condition the analysis cannot follow.
  std::mutex memory_mu_;

  // The checkpointer (file mode): its own connection, woken after commits.
  std::unique_ptr<Database> checkpointer_db_;
  std::thread checkpointer_thread_;
  mutable Mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool wal_dirty_ GUARDED_BY(checkpoint_mu_) = false;
  std::int64_t wal_commits_ GUARDED_BY(checkpoint_mu_) = 0;
  std::int64_t checkpointed_commits_ GUARDED_BY(checkpoint_mu_) = 0;
  bool checkpointer_stopping_ GUARDED_BY(checkpoint_mu_) = false;
  // Set by the checkpointer past wal_pages_before_restart; the writer checkpoints after its
  // next group and clears it.
  std::atomic<bool> wal_restart_wanted_{false};

  // The completion thread's queue.
  Mutex completion_mu_;
  std::condition_variable completion_cv_;
  std::vector<Completion> completions_ GUARDED_BY(completion_mu_);
  bool completion_stopping_ GUARDED_BY(completion_mu_) = false;

  // Serialises Close().
  Mutex close_mu_;
  bool closed_ GUARDED_BY(close_mu_) = false;
  Status close_status_ GUARDED_BY(close_mu_);
};

}  // namespace streamstack::storage
