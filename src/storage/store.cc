#include "streamstack/storage/store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <future>
#include <string>
#include <utility>

namespace streamstack::storage {
namespace {

// The store whose write job is running on this thread (the writer thread, during a job).
thread_local const Store* tls_job_store = nullptr;

Status Internal(std::string message) { return {AwsError::kInternalFailure, std::move(message)}; }

}  // namespace

Store::Store(StoreOptions options) : options_(std::move(options)) {}

Store::~Store() { (void)Close(); }

Result<std::unique_ptr<Store>> Store::Open(StoreOptions options) {
  if (options.max_group_size < 1) options.max_group_size = 1;
  if (options.readers < 1) options.readers = 1;
  if (!options.in_memory && options.path.empty()) {
    return Status(AwsError::kInternalFailure, "store: no path given and not in memory");
  }
  std::unique_ptr<Store> store(new Store(std::move(options)));
  const StoreOptions& o = store->options_;
  OpenOptions writer_options;
  writer_options.busy_timeout = o.busy_timeout;
  writer_options.cache_size_kib = o.cache_size_kib;
  auto writer = Database::Open(o.in_memory ? ":memory:" : o.path, writer_options);
  if (!writer.ok()) return std::move(writer).take_status();
  store->writer_ = std::move(writer).value();

  if (!o.in_memory) {
    // Readers open after the writer, which created the file and its WAL.
    OpenOptions reader_options = writer_options;
    reader_options.read_only = true;
    for (int i = 0; i < o.readers; ++i) {
      auto reader = Database::Open(o.path, reader_options);
      if (!reader.ok()) return std::move(reader).take_status();
      MutexLock lock(store->pool_mu_);  // no other thread yet; the analysis wants it held
      store->free_readers_.push_back(reader->get());
      store->readers_.push_back(std::move(reader).value());
    }
  }
  if (!o.in_memory && o.checkpoint_interval.count() > 0) {
    // The checkpointer, not the writer, folds the WAL back (see checkpoint_interval).
    STREAMSTACK_RETURN_IF_ERROR(store->writer_->Execute("PRAGMA wal_autocheckpoint=0"));
    auto checkpointer = Database::Open(o.path, writer_options);
    if (!checkpointer.ok()) return std::move(checkpointer).take_status();
    store->checkpointer_db_ = std::move(checkpointer).value();
    store->checkpointer_thread_ = std::thread([s = store.get()] { s->CheckpointerLoop(); });
  }
  store->completion_thread_ = std::thread([s = store.get()] { s->CompletionLoop(); });
  store->completion_thread_id_ = store->completion_thread_.get_id();
  store->writer_thread_ = std::thread([s = store.get()] { s->WriterLoop(); });
  store->writer_thread_id_ = store->writer_thread_.get_id();
  return store;
}

void Store::Write(WriteFn fn, DoneFn done, DoneOn done_on) {
  {
    MutexLock lock(queue_mu_);
    if (!stopping_) {
      queue_.push_back(Job{std::move(fn), std::move(done), done_on});
      queue_cv_.notify_one();
      return;
    }
  }
  if (done) done(ClosedError());
}

Status Store::WriteSync(WriteFn fn) {
  if (std::this_thread::get_id() == writer_thread_id_) {
    return Internal("store: WriteSync on the writer thread would wait on itself");
  }
  std::promise<Status> promise;
  std::future<Status> result = promise.get_future();
  Write(std::move(fn), [&promise](Status status) { promise.set_value(std::move(status)); });
  return result.get();
}

Status Store::Migrate(std::string_view module, std::span<const Migration> migrations) {
  return WriteSync([module, migrations](WriteContext& ctx) {
    return storage::Migrate(ctx.db(), module, migrations);
  });
}

Status Store::ClosedError() { return Internal("store is closed"); }

void Store::AbortReadAfterClose() {
  std::fputs("streamstack::storage::Store::Read called after Close()\n", stderr);
  std::abort();
}

Store::Stats Store::GetStats() const {
  Stats stats;
  {
    MutexLock lock(queue_mu_);
    stats = stats_;
  }
  MutexLock lock(checkpoint_mu_);
  stats.wal_commits = wal_commits_;
  stats.checkpointed_commits = checkpointed_commits_;
  return stats;
}

// ---------------------------------------------------------------------------------------
// Readers

Database* Store::AcquireReader(bool* pooled) {
  *pooled = false;
  if (tls_job_store == this) return writer_.get();  // a Read inside one of our write jobs
  Database* db = nullptr;
  {
    MutexLock lock(pool_mu_);
    if (options_.in_memory) {
      if (pool_closed_) return nullptr;
      db = writer_.get();
    } else {
      lock.Wait(pool_cv_,
                [this]() REQUIRES(pool_mu_) { return pool_closed_ || !free_readers_.empty(); });
      if (pool_closed_) return nullptr;
      db = free_readers_.back();
      free_readers_.pop_back();
    }
    ++leased_;
  }
  if (options_.in_memory) memory_mu_.lock();  // unlocked by ReleaseReader on this thread
  *pooled = true;
  return db;
}

void Store::ReleaseReader(Database* db, bool pooled) {
  if (!pooled) return;
  // Leave nothing open: a statement mid-iteration or a transaction would pin an old
  // snapshot for the next borrower (and, in memory, would run into the writer's BEGIN).
  db->ResetActiveStatements();
  if (db->InTransaction()) (void)db->Execute("ROLLBACK");
  if (options_.in_memory) memory_mu_.unlock();
  {
    MutexLock lock(pool_mu_);
    if (!options_.in_memory) free_readers_.push_back(db);
    --leased_;
  }
  pool_cv_.notify_all();
}

// ---------------------------------------------------------------------------------------
// Writer

void Store::WriterLoop() {
  std::vector<Job> group;
  while (true) {
    {
      MutexLock lock(queue_mu_);
      lock.Wait(queue_cv_, [this]() REQUIRES(queue_mu_) { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every job drained
      const std::size_t n =
          std::min(queue_.size(), static_cast<std::size_t>(options_.max_group_size));
      group.clear();
      for (std::size_t i = 0; i < n; ++i) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stats_.jobs += static_cast<std::int64_t>(n);
      ++stats_.groups;
      stats_.max_group = std::max<std::int64_t>(stats_.max_group, static_cast<std::int64_t>(n));
    }
    RunGroup(group);
  }
}

void Store::RunGroup(std::vector<Job>& jobs) {
  Database& db = *writer_;
  std::vector<Status> statuses(jobs.size());
  std::vector<std::vector<std::function<void()>>> on_commit(jobs.size());
  {
    std::unique_lock<std::mutex> memory_lock;
    if (options_.in_memory) memory_lock = std::unique_lock(memory_mu_);

    auto transaction = std::make_unique<Transaction>(db, Transaction::Kind::kImmediate);
    Status begun = transaction->Begin();
    std::size_t first_in_transaction = 0;  // jobs before it were lost with an earlier one
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      if (!begun.ok()) {
        statuses[i] = Internal("store: cannot begin a write transaction: " + begun.message());
        continue;
      }
      Status status;
      {
        Savepoint savepoint(db);
        status = savepoint.Begin();
        if (status.ok()) {
          WriteContext ctx(db, on_commit[i]);
          tls_job_store = this;
          try {
            status = jobs[i].fn ? jobs[i].fn(ctx) : Status::Ok();
          } catch (const std::exception& e) {
            status = Internal(std::string("store: write job threw: ") + e.what());
          } catch (...) {
            status = Internal("store: write job threw");
          }
          tls_job_store = nullptr;
          db.ResetActiveStatements();  // a job may leave a SELECT mid-iteration
          if (status.ok()) status = savepoint.Release();
        }
        // A failed job: the savepoint's destructor rolls back this job alone.
      }
      if (!status.ok()) on_commit[i].clear();
      statuses[i] = std::move(status);
      if (!db.InTransaction()) {
        // SQLite rolled back the whole transaction itself (I/O error, disk full, or a job
        // that ran ROLLBACK): the earlier jobs of this transaction are gone too. Fail them
        // and go on with the rest in a new transaction.
        for (std::size_t j = first_in_transaction; j <= i; ++j) {
          if (statuses[j].ok()) {
            statuses[j] = Internal("store: the write transaction was rolled back");
          }
          on_commit[j].clear();
        }
        first_in_transaction = i + 1;
        transaction = std::make_unique<Transaction>(db, Transaction::Kind::kImmediate);
        begun = i + 1 < jobs.size() ? transaction->Begin() : Status::Ok();
      }
    }
    if (begun.ok() && transaction->is_open()) {
      Status committed = transaction->Commit();
      if (!committed.ok()) {
        for (std::size_t j = first_in_transaction; j < jobs.size(); ++j) {
          if (statuses[j].ok())
            statuses[j] = Internal("store: COMMIT failed: " + committed.message());
          on_commit[j].clear();
        }
      }
    }
  }
  NoteCommitForCheckpoint();
  const bool restart_wal = wal_restart_wanted_.load(std::memory_order_relaxed);
  // Every OnCommit of the group before any done: when a caller hears Ok, everything the
  // group published is visible.
  for (auto& callbacks : on_commit) {
    for (auto& callback : callbacks) callback();
  }
  // The completion thread's share first, so it starts while the writer runs its own share.
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i].done && jobs[i].done_on == DoneOn::kCompletionThread) {
      handoff_.push_back(Completion{std::move(jobs[i].done), std::move(statuses[i])});
    }
  }
  if (!handoff_.empty()) HandOff(handoff_);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i].done && jobs[i].done_on == DoneOn::kWriterThread) {
      jobs[i].done(std::move(statuses[i]));
    }
  }
  jobs.clear();  // release captured state before waiting for the next group
  // After the group's dones, so only the jobs queued meanwhile wait for it.
  if (restart_wal) CheckpointForWalRestart();
}

// ---------------------------------------------------------------------------------------
// Completion thread

void Store::HandOff(std::vector<Completion>& completions) {
  {
    MutexLock lock(completion_mu_);
    if (completions_.empty()) {
      completions_.swap(completions);  // the common case: no copy, capacities trade places
    } else {
      for (Completion& c : completions) completions_.push_back(std::move(c));
      completions.clear();
    }
  }
  completion_cv_.notify_one();
}

void Store::CompletionLoop() {
  std::vector<Completion> running;
  MutexLock lock(completion_mu_);
  for (;;) {
    lock.Wait(completion_cv_, [this]() REQUIRES(completion_mu_) {
      return completion_stopping_ || !completions_.empty();
    });
    if (completions_.empty()) return;  // stopping, and every done ran
    running.swap(completions_);
    lock.Unlock();
    for (Completion& c : running) c.done(std::move(c.status));
    running.clear();  // release captured state before waiting again
    lock.Lock();
  }
}

void Store::StopCompletions() {
  {
    MutexLock lock(completion_mu_);
    completion_stopping_ = true;
  }
  completion_cv_.notify_all();
  if (completion_thread_.joinable()) completion_thread_.join();
}

// ---------------------------------------------------------------------------------------
// Checkpointer

void Store::NoteCommitForCheckpoint() {
  if (!checkpointer_thread_.joinable()) return;
  {
    MutexLock lock(checkpoint_mu_);
    ++wal_commits_;
    if (wal_dirty_) return;
    wal_dirty_ = true;
  }
  checkpoint_cv_.notify_one();
}

// Catching up with the writer (see wal_pages_before_restart): at most this many checkpoints
// in a row, until one finds at most this many frames added since the last (512 KiB).
constexpr int kCatchUpRounds = 8;
constexpr int kWriterCheckpointFrames = 128;

void Store::CheckpointerLoop() {
  MutexLock lock(checkpoint_mu_);
  for (;;) {
    lock.Wait(checkpoint_cv_,
              [this]() REQUIRES(checkpoint_mu_) { return checkpointer_stopping_ || wal_dirty_; });
    if (checkpointer_stopping_) return;
    // Let the commits of the next moment join this checkpoint.
    if (lock.WaitFor(checkpoint_cv_, options_.checkpoint_interval,
                     [this]() REQUIRES(checkpoint_mu_) { return checkpointer_stopping_; })) {
      return;
    }
    wal_dirty_ = false;
    const std::int64_t covering = wal_commits_;  // every commit so far is in the WAL
    lock.Unlock();
    // PASSIVE: copies what no reader still needs and never blocks the writer; the writer
    // starts the WAL over once everything was copied back.
    Result<WalCheckpoint> done = checkpointer_db_->Checkpoint(CheckpointMode::kPassive);
    if (done.ok() && !done->busy && options_.wal_pages_before_restart > 0 &&
        done->wal_frames >= options_.wal_pages_before_restart) {
      // Writes went on throughout, or the WAL would have started over. Copy what they added
      // meanwhile, again until that is little, so the writer's share is mostly its fsyncs.
      int rounds = 0;
      for (int previous = done->wal_frames; rounds < kCatchUpRounds; ++rounds) {
        done = checkpointer_db_->Checkpoint(CheckpointMode::kPassive);
        if (!done.ok() || done->busy) break;
        const int added = done->wal_frames - previous;
        previous = done->wal_frames;
        if (added <= kWriterCheckpointFrames) break;
      }
      wal_restart_wanted_.store(true, std::memory_order_relaxed);
    }
    if (!done.ok()) spdlog::warn("store: WAL checkpoint failed: {}", done.status().message());
    {
      MutexLock stats_lock(queue_mu_);
      ++stats_.checkpoints;
    }
    lock.Lock();
    checkpointed_commits_ = covering;
  }
}

// The writer's share of bounding the WAL (see StoreOptions::wal_pages_before_restart): no
// commit can overlap this checkpoint, so it copies the last frames back, and the next write
// transaction starts the WAL over (unless a reader still reads an older snapshot from it).
void Store::CheckpointForWalRestart() {
  Result<WalCheckpoint> done = writer_->Checkpoint(CheckpointMode::kPassive);
  if (!done.ok()) {
    spdlog::warn("store: WAL checkpoint on the writer failed: {}", done.status().message());
  } else if (done->busy) {
    return;  // the checkpointer is copying: after the next group
  }
  wal_restart_wanted_.store(false, std::memory_order_relaxed);
  MutexLock lock(queue_mu_);
  ++stats_.writer_checkpoints;
}

void Store::StopCheckpointer() {
  {
    MutexLock lock(checkpoint_mu_);
    checkpointer_stopping_ = true;
  }
  checkpoint_cv_.notify_all();
  if (checkpointer_thread_.joinable()) checkpointer_thread_.join();
  checkpointer_db_.reset();
}

// ---------------------------------------------------------------------------------------
// Close

Status Store::Close() {
  if (std::this_thread::get_id() == writer_thread_id_) {
    return Internal("store: Close on the writer thread would wait on itself");
  }
  if (std::this_thread::get_id() == completion_thread_id_) {
    return Internal("store: Close on the completion thread would wait on itself");
  }
  MutexLock close_lock(close_mu_);
  if (closed_) return close_status_;
  closed_ = true;
  {
    MutexLock lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  StopCompletions();  // after the writer: every done it handed over runs
  StopCheckpointer();
  {
    MutexLock lock(pool_mu_);
    pool_closed_ = true;
    pool_cv_.notify_all();
    lock.Wait(pool_cv_, [this]() REQUIRES(pool_mu_) { return leased_ == 0; });
    free_readers_.clear();
  }
  readers_.clear();
  if (writer_ != nullptr && !options_.in_memory) {
    // Fold the WAL back into the file and truncate it: a closed store is one file.
    close_status_ = writer_->Execute("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  writer_.reset();
  return close_status_;
}

}  // namespace streamstack::storage
