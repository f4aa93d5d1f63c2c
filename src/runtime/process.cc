#include "runtime/process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <span>
#include <utility>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "streamstack/common/thread_annotations.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)  // linux/close_range.h, Linux 5.11
#endif

#if defined(__SANITIZE_THREAD__)
// glibc's public alias of sigaction, which ThreadSanitizer does not intercept (see
// SetSignalAction).
extern "C" int __sigaction(int sig, const struct sigaction* act, struct sigaction* old);
#endif

namespace streamstack::runtime {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr char kDefaultPath[] = "/usr/local/bin:/usr/bin:/bin";
constexpr std::size_t kReadChunkBytes = 64 * 1024;
// Reads smaller than this are followed by kReadPause before the next one (see ReadAvailable).
constexpr std::size_t kPacedReadBytes = 16 * 1024;
constexpr std::chrono::microseconds kReadPause{500};
constexpr std::chrono::milliseconds kExitPollInterval{50};  // the fallback without pidfd

std::atomic<bool> force_polling{false};

Status Internal(std::string what, int err) {
  return {AwsError::kInternalFailure, std::move(what) + ": " + std::strerror(err)};
}

// errno's text as Go (and so AWS's runtime) prints it: "permission denied".
std::string GoErrnoText(int err) {
  std::string text = std::strerror(err);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z')
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Moves a descriptor of ours above 0-2 (possible when StreamStack's own stdio is closed), so
// the program's dup2 onto 0-2 never overwrites a source it still needs.
int AboveStdio(int fd) {
  if (fd < 0 || fd > 2) return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  int saved = errno;
  ::close(fd);
  errno = saved;
  return moved;
}

Status MakePipe(UniqueFd& read_end, UniqueFd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Internal("pipe2", errno);
  read_end.reset(AboveStdio(fds[0]));
  write_end.reset(AboveStdio(fds[1]));
  if (read_end.get() < 0 || write_end.get() < 0) return Internal("fcntl", errno);
  return Status::Ok();
}

// waitpid(2), again after EINTR. Async-signal-safe.
pid_t WaitPid(pid_t pid, int* wstatus) {
  while (true) {
    pid_t got = ::waitpid(pid, wstatus, 0);
    if (got >= 0 || errno != EINTR) return got;
  }
}

// What the supervisor or the program reports through the status pipe when it fails before
// or at exec.
enum class ChildStage : int { kSetpgid = 1, kPdeathsig, kDup, kChdir, kExec, kFork };
struct ChildReport {
  ChildStage stage;
  int err;
};

// Everything the supervisor and the program need, prepared before fork: after it only
// async-signal-safe calls (no allocation, no locks; StreamStack is multi-threaded).
struct ChildSetup {
  const char* program;
  char* const* argv;
  char* const* envp;
  const char* cwd;  // null: ours
  int stdin_fd;
  int stdout_fd;
  int stderr_fd;
  int status_fd;
  pid_t parent;  // StreamStack
  int max_fd;    // for the descriptor loops where close_range is missing
};

// What ends a supervisor's sandbox: PR_SET_PDEATHSIG sends it when StreamStack, or the thread
// that spawned it, is gone; StreamStack sends it to kill a program that may have left the
// group (setsid), which killpg would miss. Catchable, unlike SIGKILL, so the supervisor can
// take the program and its group along. Signals to the group do not reach the supervisor.
constexpr int kEndSandboxSignal = SIGTERM;
constexpr char kSupervisorName[] = "ss-supervisor";  // its comm, for ps and pgrep

// What the supervisor answers for: the group (its own pid) and the program, 0 until started.
// Set in the supervisor only, while its signals are blocked.
volatile sig_atomic_t supervised_group = 0;
volatile sig_atomic_t supervised_program = 0;

void EndSupervisedSandbox(int) {
  const int saved = errno;
  ::kill(-static_cast<pid_t>(supervised_group), SIGKILL);
  if (supervised_program > 0) ::kill(static_cast<pid_t>(supervised_program), SIGKILL);
  errno = saved;
}

void Report(const ChildSetup& setup, ChildStage stage, int err) {
  const ChildReport report{stage, err};
  // A single write of a few bytes to a pipe is atomic; nothing to do if it fails.
  [[maybe_unused]] ssize_t n = ::write(setup.status_fd, &report, sizeof report);
}

[[noreturn]] void ChildFail(const ChildSetup& setup, ChildStage stage, int err) {
  Report(setup, stage, err);
  ::_exit(127);
}

// sigaction for the supervisor, a forked copy of a multi-threaded StreamStack. Under
// ThreadSanitizer, sigaction installs a wrapper that runs the handler only when the thread
// next enters the sanitizer's runtime, which never happens in such a child (the runtime stops
// itself after a multi-threaded fork): the supervisor's handler would never run. The kernel's
// action must be ours, so the sanitizer's build calls glibc past its interceptor.
int SetSignalAction(int sig, const struct sigaction& action) {
#if defined(__SANITIZE_THREAD__)
  return ::__sigaction(sig, &action, nullptr);
#else
  return ::sigaction(sig, &action, nullptr);
#endif
}

void ResetSignalDispositions() {
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) SetSignalAction(sig, default_action);
}

// The program, started by the supervisor in the group: stdio on our pipes, then exec. Runs in
// the supervisor's memory until exec (see StartProgram): system calls only.
[[noreturn]] void RunProgram(const ChildSetup& setup, pid_t supervisor) {
  // Default dispositions (an ignored SIGPIPE of ours would survive exec; the supervisor's
  // handler would not, but is reset all the same) while every signal is still blocked (the
  // parent blocked them around fork); unblocked just before exec.
  ResetSignalDispositions();
  // Should the supervisor alone be killed, the program follows it (and StreamStack, still
  // alive, kills the rest of the group when it reaps the supervisor).
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) ChildFail(setup, ChildStage::kPdeathsig, errno);
  if (::getppid() != supervisor) ::_exit(127);

  if (::dup2(setup.stdin_fd, 0) < 0 || ::dup2(setup.stdout_fd, 1) < 0 ||
      ::dup2(setup.stderr_fd, 2) < 0) {
    ChildFail(setup, ChildStage::kDup, errno);
  }
  // Every other descriptor (sockets, SQLite files, other sandboxes' pipes, whether or not
  // their owner set O_CLOEXEC) closes at exec; the status pipe too, which is how the
  // parent learns that exec succeeded.
  bool marked = false;
#ifdef SYS_close_range
  marked = ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0;
#endif
  if (!marked) {
    for (int fd = 3; fd < setup.max_fd; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  if (setup.cwd != nullptr && ::chdir(setup.cwd) != 0) {
    ChildFail(setup, ChildStage::kChdir, errno);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(setup.program, setup.argv, setup.envp);
  ChildFail(setup, ChildStage::kExec, errno);
}

struct ProgramStart {
  const ChildSetup* setup;
  pid_t supervisor;
};

int ProgramMain(void* arg) {
  const auto* start = static_cast<const ProgramStart*>(arg);
  RunProgram(*start->setup, start->supervisor);
}

// Starts the program as posix_spawn does: clone(CLONE_VM | CLONE_VFORK) on a stack of its own,
// the supervisor suspended until the program's exec (or its end). A fork would copy the page
// tables of all of StreamStack's memory a second time (the supervisor's fork did already):
// milliseconds per 100 MB on every cold start. Sound because the supervisor has one thread,
// suspended meanwhile, and the program only makes system calls before exec. Returns the
// program's pid, or -1 with errno.
pid_t StartProgram(const ChildSetup& setup, pid_t supervisor) {
  constexpr std::size_t kGuardBytes = 64 * 1024;  // a multiple of every page size
  constexpr std::size_t kStackBytes = 256 * 1024;
  void* const mapping = ::mmap(nullptr, kGuardBytes + kStackBytes, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (mapping == MAP_FAILED) return -1;
  ::mprotect(mapping, kGuardBytes, PROT_NONE);  // an overflow faults instead of corrupting
  ProgramStart start{&setup, supervisor};
  char* const top = static_cast<char*>(mapping) + kGuardBytes + kStackBytes;
  const pid_t program = ::clone(ProgramMain, top, CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
  const int err = errno;
  ::munmap(mapping, kGuardBytes + kStackBytes);
  errno = err;
  return program;
}

// Moves the supervisor from the group it leads into a group of its own, so that signals to
// the sandbox's group reach the program and what it starts but not the supervisor. A group
// can only be joined, not created, under another id, so a momentary child creates one: the
// supervisor joins it while that child is a zombie (a member still), then reaps it. vfork:
// no copy of StreamStack's page tables for a child that makes one system call.
// Returns 0 or the errno of the failure.
int LeaveGroup() {
  const pid_t anchor = ::vfork();
  if (anchor == 0) {
    ::setpgid(0, 0);
    ::_exit(0);
  }
  if (anchor < 0) return errno;
  // Made the group's leader from this side too, as shells do: the join must not depend on
  // the child having run first. vfork promises it, but sanitizer runtimes turn vfork into
  // fork (ThreadSanitizer does), and then the join could come first and fail with EPERM. A
  // second setpgid of the same group is a no-op, and a zombie child may still be moved.
  ::setpgid(anchor, anchor);
  const int err = ::setpgid(0, anchor) == 0 ? 0 : errno;
  WaitPid(anchor, nullptr);
  return err;
}

// After it, the supervisor holds no descriptor: not our pipes (end of file is the group's
// business alone), not the status pipe (exec's success is the program's), not StreamStack's
// sockets.
void CloseAllDescriptors(int max_fd) {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, 0U, ~0U, 0U) == 0) return;
#endif
  for (int fd = 0; fd < max_fd; ++fd) ::close(fd);
}

// Ends the supervisor with the program's wait status: the same exit code, or death by the
// same signal, so that StreamStack's ExitStatus is the program's.
[[noreturn]] void EndAs(int wstatus) {
  if (WIFSIGNALED(wstatus)) {
    const int sig = WTERMSIG(wstatus);
    // No core dump of this copy of StreamStack for a SIGSEGV or SIGABRT of the program.
    ::prctl(PR_SET_DUMPABLE, 0);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    SetSignalAction(sig, default_action);
    sigset_t just;
    sigemptyset(&just);
    sigaddset(&just, sig);
    ::sigprocmask(SIG_UNBLOCK, &just, nullptr);
    // Delivered before kill returns (unblocked, one thread); a signal that killed the
    // program kills by default.
    ::kill(::getpid(), sig);
    ::_exit(128 + sig);
  }
  ::_exit(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 127);
}

// StreamStack's child: a forked copy that never execs (see Process in process.h).
[[noreturn]] void RunSupervisor(const ChildSetup& setup) {
  const pid_t self = ::getpid();
  ::prctl(PR_SET_NAME, kSupervisorName);
  // Every signal is still blocked (the parent blocked them around fork): our handlers go
  // before any can run; the one the supervisor needs is installed before the death signal
  // can be asked for.
  ResetSignalDispositions();
  supervised_group = self;
  struct sigaction on_end {};
  on_end.sa_handler = EndSupervisedSandbox;
  sigfillset(&on_end.sa_mask);
  on_end.sa_flags = SA_RESTART;
  SetSignalAction(kEndSandboxSignal, on_end);

  if (::setpgid(0, 0) != 0) ChildFail(setup, ChildStage::kSetpgid, errno);
  if (::prctl(PR_SET_PDEATHSIG, kEndSandboxSignal) != 0) {
    ChildFail(setup, ChildStage::kPdeathsig, errno);
  }
  // StreamStack may have died before prctl: then nothing tells us later, and nobody waits.
  // No program exists yet to leave behind.
  if (::getppid() != setup.parent) ::_exit(127);

  const pid_t program = StartProgram(setup, self);
  if (program < 0) ChildFail(setup, ChildStage::kFork, errno);
  supervised_program = program;
  if (const int err = LeaveGroup(); err != 0) {
    // Still in the group, so not killpg: StreamStack kills the rest when it reaps us.
    ::kill(program, SIGKILL);
    WaitPid(program, nullptr);
    ChildFail(setup, ChildStage::kSetpgid, err);
  }
  CloseAllDescriptors(setup.max_fd);
  // A kEndSandboxSignal that arrived since prctl is delivered now.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  // The program's end, without reaping it yet: until the handler is off, the pid it kills
  // must stay the program's.
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(program), &info, WEXITED | WNOWAIT) != 0 &&
         errno == EINTR) {
  }
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);
  int wstatus = 0;
  const pid_t reaped = WaitPid(program, &wstatus);
  // What the program left in its group dies with it. The group id is our pid, so it cannot
  // have been reused.
  ::kill(-self, SIGKILL);
  if (reaped != program) ::_exit(127);  // not ours to reap: cannot happen
  EndAs(wstatus);
}

// Go's exec.LookPath against the program's PATH: the first regular file we may execute.
std::optional<std::string> LookPath(const std::string& name, const std::vector<std::string>& env,
                                    const std::filesystem::path& cwd) {
  std::string_view path_list = kDefaultPath;
  for (const std::string& entry : env) {
    if (entry.starts_with("PATH=")) {
      path_list = std::string_view(entry).substr(5);
      break;  // getenv's choice when PATH appears twice
    }
  }
  std::size_t start = 0;
  while (start <= path_list.size()) {
    std::size_t end = path_list.find(':', start);
    if (end == std::string_view::npos) end = path_list.size();
    std::string_view dir = path_list.substr(start, end - start);
    start = end + 1;
    const std::filesystem::path candidate =
        std::filesystem::path(dir.empty() ? "." : std::string(dir)) / name;
    const std::filesystem::path on_disk =
        candidate.is_relative() && !cwd.empty() ? cwd / candidate : candidate;
    struct stat st {};
    if (::stat(on_disk.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(on_disk.c_str(), X_OK) == 0) {
      return candidate.string();  // a relative one is resolved by exec, after chdir(cwd)
    }
  }
  return std::nullopt;
}

ExitStatus FromWaitStatus(int wstatus) {
  ExitStatus status;
  if (WIFSIGNALED(wstatus)) {
    status.signal = WTERMSIG(wstatus);
  } else if (WIFEXITED(wstatus)) {
    status.code = WEXITSTATUS(wstatus);
  } else {
    status.code = -1;
  }
  return status;
}

// Kills the sandbox of a supervisor that has not been reaped: the group, and through the
// supervisor the program too, should it have left the group. The supervisor ends as soon as
// it has reaped the program. Not SIGKILL for the supervisor: its program would be left for
// init to reap, and where StreamStack is init (PID 1 of a container, which reaps no
// strangers) it would stay a zombie. SIGCONT: a stopped supervisor would not end.
void KillSandbox(pid_t pid) {
  ::killpg(pid, SIGKILL);
  ::kill(pid, kEndSandboxSignal);
  ::kill(pid, SIGCONT);
}

// KillSandbox, then reaps the supervisor.
void KillAndReap(pid_t pid) {
  KillSandbox(pid);
  WaitPid(pid, nullptr);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// ExitStatus

std::string ExitStatus::ToString() const {
  if (signal == 0) return "exit status " + std::to_string(code);
  // Go's names (syscall.Signal.String), which AWS prints.
  switch (signal) {
    case SIGHUP:
      return "signal: hangup";
    case SIGINT:
      return "signal: interrupt";
    case SIGQUIT:
      return "signal: quit";
    case SIGILL:
      return "signal: illegal instruction";
    case SIGTRAP:
      return "signal: trace/breakpoint trap";
    case SIGABRT:
      return "signal: aborted";
    case SIGBUS:
      return "signal: bus error";
    case SIGFPE:
      return "signal: floating point exception";
    case SIGKILL:
      return "signal: killed";
    case SIGUSR1:
      return "signal: user defined signal 1";
    case SIGSEGV:
      return "signal: segmentation fault";
    case SIGUSR2:
      return "signal: user defined signal 2";
    case SIGPIPE:
      return "signal: broken pipe";
    case SIGALRM:
      return "signal: alarm clock";
    case SIGTERM:
      return "signal: terminated";
    case SIGXCPU:
      return "signal: CPU time limit exceeded";
    case SIGXFSZ:
      return "signal: file size limit exceeded";
    case SIGSYS:
      return "signal: bad system call";
    default:
      return "signal: signal " + std::to_string(signal);
  }
}

// ---------------------------------------------------------------------------------------
// State: what the asynchronous operations share with the handle.

struct Process::State : std::enable_shared_from_this<State> {
  struct Reader {
    explicit Reader(const asio::strand<asio::any_io_executor>& strand)
        : pipe(strand), pace(strand) {}
    asio::posix::stream_descriptor pipe;
    asio::steady_timer pace;  // the pause before reading again after a small read
    std::array<char, kReadChunkBytes> buffer;
    std::string partial;  // the line read so far
    bool open = true;
  };

  State(pid_t supervisor, asio::strand<asio::any_io_executor> executor,
        OutputCallback line_callback, ExitCallback exit_callback)
      : pid(supervisor),
        strand(std::move(executor)),
        on_line(std::move(line_callback)),
        on_exit(std::move(exit_callback)),
        readers{Reader(strand), Reader(strand)},
        pidfd(strand),
        timer(strand) {}

  // Constant after Spawn.
  const pid_t pid;  // the supervisor's, which is the group id
  const asio::strand<asio::any_io_executor> strand;
  const OutputCallback on_line;
  const ExitCallback on_exit;

  // Used on the strand only.
  std::array<Reader, 2> readers;  // stdout, stderr
  asio::posix::stream_descriptor pidfd;
  asio::steady_timer timer;  // exit polling without pidfd, then the output drain
  bool exited = false;       // reaped by exit detection; status in exit_status
  ExitStatus exit_status;
  bool drain_expired = false;
  bool finished = false;  // on_exit delivered
  bool stopped = false;   // the handle is gone and Shutdown ran

  // Reaping the supervisor vs signalling the group (any thread).
  Mutex reap_mu;
  bool reaped GUARDED_BY(reap_mu) = false;

  // Held while a callback runs; recursive so a callback may destroy the Process.
  RecursiveMutex callback_mu;
  bool closed GUARDED_BY(callback_mu) = false;  // no callback starts any more

  enum class Reap { kNotYet, kReaped, kAlreadyReaped };

  // Reaps the supervisor if it has exited. Any thread.
  Reap TryReap(ExitStatus* status) {
    MutexLock lock(reap_mu);
    if (reaped) return Reap::kAlreadyReaped;
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      if (errno == EINTR) return Reap::kNotYet;
      // ECHILD: reaped behind our back (someone's waitpid(-1), SIGCHLD ignored).
      spdlog::warn("runtime: supervisor {} was reaped elsewhere: {}", pid, std::strerror(errno));
      reaped = true;
      *status = ExitStatus{-1, 0};
      return Reap::kReaped;
    }
    if (info.si_pid == 0) return Reap::kNotYet;
    // The supervisor is a zombie, so its pid, the group's id, cannot be reused yet: kill
    // what is left in the group now (the supervisor did, unless it was killed), then reap.
    ::killpg(pid, SIGKILL);
    int wstatus = 0;
    *status = WaitPid(pid, &wstatus) == pid ? FromWaitStatus(wstatus) : ExitStatus{-1, 0};
    reaped = true;
    return Reap::kReaped;
  }

  // Kills the group and reaps the supervisor unless exit detection did. Any thread; blocks.
  void KillAndReapNow() {
    MutexLock lock(reap_mu);
    if (reaped) return;
    KillAndReap(pid);
    reaped = true;
  }

  void Kill() {
    MutexLock lock(reap_mu);
    if (!reaped) KillSandbox(pid);
  }

  Status Signal(int signal) {
    MutexLock lock(reap_mu);
    if (reaped) return Status::Ok();
    // ESRCH: the group is empty, the supervisor is reporting the program's exit.
    if (::killpg(pid, signal) != 0 && errno != ESRCH) {
      return Internal("kill process group " + std::to_string(pid), errno);
    }
    return Status::Ok();
  }

  // --- On the strand.

  void Start() {
    if (stopped) return;
    StartRead(0);
    StartRead(1);
    if (pidfd.is_open()) {
      WaitForExit();
    } else {
      PollForExit();
    }
  }

  // Output is read by this code, never by an asio read operation: asio's async_read_some
  // takes the bytes from the pipe before its completion handler runs, so bytes could sit
  // in a queued handler while an invocation ends and miss that invocation's log. Here the
  // pipe is read to EAGAIN, and only then is readiness awaited (asio's epoll is
  // edge-triggered, so a wait armed over unread bytes would not wake).
  void StartRead(std::size_t i) { ReadAvailable(i); }

  enum class ReadResult { kData, kEmpty, kEnd };

  // One non-blocking read into `chunk`; kEnd at end of file or on an error.
  ReadResult ReadOnce(std::size_t i, std::span<char> chunk, std::size_t* n) {
    error_code ec;
    *n = readers[i].pipe.read_some(asio::buffer(chunk.data(), chunk.size()), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return ReadResult::kEmpty;
    if (ec == asio::error::interrupted) return ReadResult::kEmpty;
    if (ec) return ReadResult::kEnd;
    return ReadResult::kData;
  }

  void ReadAvailable(std::size_t i) {
    Reader& reader = readers[i];
    if (stopped || !reader.open) return;
    std::size_t n = 0;
    switch (ReadOnce(i, reader.buffer, &n)) {
      case ReadResult::kEmpty:
        if (drain_expired) return CloseAndMaybeFinish(i);
        return AwaitReadable(i);
      case ReadResult::kEnd:
        return CloseAndMaybeFinish(i);
      case ReadResult::kData:
        break;
    }
    Consume(i, std::string_view(reader.buffer.data(), n));
    if (drain_expired) return CloseAndMaybeFinish(i);  // no more waiting for it
    if (n >= kPacedReadBytes) {
      // More is probably there: read again after what else is queued on the strand.
      asio::post(strand, [self = shared_from_this(), i] { self->ReadAvailable(i); });
      return;
    }
    // A small read: the program writes a line at a time. Reading each line as it comes
    // costs both sides a wake-up per line (a function printing in a loop ran 2x slower to
    // the pipe than to /dev/null); a short pause lets lines gather into one read. The first
    // line after a quiet spell is still read at once, and DrainAvailable reads what is
    // pending when an invocation ends.
    reader.pace.expires_after(kReadPause);
    reader.pace.async_wait([self = shared_from_this(), i](const error_code& wait_ec) {
      if (wait_ec || self->stopped) return;
      self->ReadAvailable(i);
    });
  }

  void AwaitReadable(std::size_t i) {
    readers[i].pipe.async_wait(asio::posix::stream_descriptor::wait_read,
                               [self = shared_from_this(), i](const error_code& ec) {
                                 if (self->stopped || !self->readers[i].open) return;
                                 // Cancelled: the drain after the exit ran out of time.
                                 if (ec) return self->CloseAndMaybeFinish(i);
                                 self->ReadAvailable(i);
                               });
  }

  void CloseAndMaybeFinish(std::size_t i) {
    CloseReader(i);
    MaybeFinish();
  }

  // Reads what the pipes hold right now and delivers it, without waiting. Called on the
  // executor's only thread, so no strand handler runs meanwhile, and no bytes are held
  // anywhere but in the pipe (see StartRead): after this, the caller has all the output
  // the program wrote before the call.
  void DrainAvailable() {
    if (stopped) return;
    for (std::size_t i = 0; i < readers.size(); ++i) {
      std::array<char, kReadChunkBytes> chunk;
      std::size_t n = 0;
      // End of file or an error is left to the reader's own read, which closes it.
      while (readers[i].open && ReadOnce(i, chunk, &n) == ReadResult::kData) {
        Consume(i, std::string_view(chunk.data(), n));
      }
    }
  }

  // Splits what was read into lines of at most kMaxLineBytes.
  void Consume(std::size_t i, std::string_view data) {
    Reader& reader = readers[i];
    while (!data.empty()) {
      const std::size_t room = kMaxLineBytes - reader.partial.size();
      const std::size_t newline = data.find('\n');
      if (newline != std::string_view::npos && newline <= room) {
        EmitLine(i, data.substr(0, newline));
        data.remove_prefix(newline + 1);
      } else if (data.size() <= room) {
        reader.partial.append(data);
        return;
      } else {
        EmitLine(i, data.substr(0, room));  // the line is too long: deliver a piece
        data.remove_prefix(room);
      }
    }
  }

  // Delivers partial + tail as one line.
  void EmitLine(std::size_t i, std::string_view tail) {
    Reader& reader = readers[i];
    if (reader.partial.empty()) {
      DeliverLine(i, tail);
      return;
    }
    reader.partial.append(tail);
    std::string line = std::move(reader.partial);
    reader.partial.clear();
    DeliverLine(i, line);
  }

  void DeliverLine(std::size_t i, std::string_view line) {
    if (!on_line) return;
    RecursiveMutexLock lock(callback_mu);
    if (closed) return;
    on_line(i == 0 ? OutputStream::kStdout : OutputStream::kStderr, line);
  }

  void CloseReader(std::size_t i) {
    Reader& reader = readers[i];
    if (!reader.open) return;
    if (!reader.partial.empty()) EmitLine(i, {});  // a final line without '\n'
    reader.open = false;
    reader.pace.cancel();
    error_code ignored;
    reader.pipe.close(ignored);
  }

  void WaitForExit() {
    pidfd.async_wait(asio::posix::stream_descriptor::wait_read,
                     [self = shared_from_this()](const error_code& ec) {
                       if (self->stopped || ec == asio::error::operation_aborted) return;
                       if (ec) {
                         spdlog::warn("runtime: waiting on pidfd of {}: {}; polling instead",
                                      self->pid, ec.message());
                         self->PollForExit();
                         return;
                       }
                       self->CheckExit(/*poll=*/false);
                     });
  }

  void PollForExit() {
    timer.expires_after(kExitPollInterval);
    timer.async_wait([self = shared_from_this()](const error_code& ec) {
      if (self->stopped || ec) return;
      self->CheckExit(/*poll=*/true);
    });
  }

  void CheckExit(bool poll) {
    ExitStatus status;
    switch (TryReap(&status)) {
      case Reap::kNotYet:
        if (poll) {
          PollForExit();
        } else {
          WaitForExit();
        }
        return;
      case Reap::kAlreadyReaped:  // by the destructor: Shutdown is on its way
        return;
      case Reap::kReaped:
        break;
    }
    exited = true;
    exit_status = status;
    error_code ignored;
    pidfd.close(ignored);
    if (readers[0].open || readers[1].open) {
      // The group is dead, so the pipes reach end of file at once unless a process that
      // left the group holds them: give those a bounded time.
      timer.expires_after(kOutputDrainTimeout);
      timer.async_wait([self = shared_from_this()](const error_code& ec) {
        if (self->stopped || ec) return;
        self->drain_expired = true;
        for (Reader& reader : self->readers) {
          error_code ignored_cancel;
          if (reader.open) reader.pipe.cancel(ignored_cancel);  // AwaitReadable closes it
        }
      });
    }
    MaybeFinish();
  }

  void MaybeFinish() {
    if (!exited || finished || readers[0].open || readers[1].open) return;
    finished = true;
    timer.cancel();
    if (!on_exit) return;
    RecursiveMutexLock lock(callback_mu);
    if (closed) return;
    on_exit(exit_status);
  }

  // After the handle is gone: cancel everything; pending handlers see `stopped`.
  void Shutdown() {
    stopped = true;
    error_code ignored;
    for (Reader& reader : readers) reader.pipe.close(ignored);
    pidfd.close(ignored);
    timer.cancel();
  }
};

// ---------------------------------------------------------------------------------------
// Process

Process::Process(std::shared_ptr<State> state) : state_(std::move(state)) {}

Process::~Process() {
  {
    RecursiveMutexLock lock(state_->callback_mu);
    state_->closed = true;
  }
  state_->KillAndReapNow();
  asio::post(state_->strand, [state = state_] { state->Shutdown(); });
}

pid_t Process::pid() const { return state_->pid; }

Status Process::Signal(int signal) { return state_->Signal(signal); }

void Process::Kill() { state_->Kill(); }

void Process::DrainAvailableOutput() { state_->DrainAvailable(); }

void Process::TEST_ForcePollingExitDetection(bool on) { force_polling = on; }

Result<std::unique_ptr<Process>> Process::Spawn(const asio::any_io_executor& executor,
                                                ProcessSpec spec, OutputCallback on_line,
                                                ExitCallback on_exit) {
  if (spec.argv.empty()) {
    return Status(AwsError::kInvalidParameterValue, "fork/exec: no program given (empty argv)");
  }
  // Everything the supervisor and the program need is built now: they may not allocate.
  std::string program = spec.argv[0];
  if (program.find('/') == std::string::npos) {
    std::optional<std::string> found =
        program.empty() ? std::nullopt : LookPath(program, spec.env, spec.cwd);
    if (!found) {
      return Status(AwsError::kInvalidParameterValue,
                    "exec: \"" + program + "\": executable file not found in $PATH");
    }
    program = std::move(*found);
  }
  std::vector<char*> argv;
  for (std::string& arg : spec.argv) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& entry : spec.env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const std::string cwd = spec.cwd.string();

  UniqueFd stdout_read, stdout_write, stderr_read, stderr_write, status_read, status_write;
  STREAMSTACK_RETURN_IF_ERROR(MakePipe(stdout_read, stdout_write));
  STREAMSTACK_RETURN_IF_ERROR(MakePipe(stderr_read, stderr_write));
  STREAMSTACK_RETURN_IF_ERROR(MakePipe(status_read, status_write));
  UniqueFd dev_null(AboveStdio(::open("/dev/null", O_RDONLY | O_CLOEXEC)));
  if (dev_null.get() < 0) return Internal("open /dev/null", errno);

  rlimit limit{};
  int max_fd = 1 << 20;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      limit.rlim_cur < static_cast<rlim_t>(max_fd)) {
    max_fd = static_cast<int>(limit.rlim_cur);
  }
  const ChildSetup setup{program.c_str(),    argv.data(),
                         envp.data(),        cwd.empty() ? nullptr : cwd.c_str(),
                         dev_null.get(),     stdout_write.get(),
                         stderr_write.get(), status_write.get(),
                         ::getpid(),         max_fd};

  // Block every signal around fork, so no handler of ours runs in the supervisor before it
  // has reset them; the parent's mask is restored right after.
  sigset_t all, previous;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  const pid_t pid = ::fork();
  if (pid == 0) RunSupervisor(setup);
  const int fork_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (pid < 0) return Internal("fork", fork_errno);

  // Our copies of the child's ends close here, and the supervisor closes its own, so end of
  // file on the status pipe means exec succeeded.
  stdout_write.reset();
  stderr_write.reset();
  status_write.reset();
  dev_null.reset();
  ChildReport report{};
  ssize_t got;
  do {
    got = ::read(status_read.get(), &report, sizeof report);
  } while (got < 0 && errno == EINTR);
  if (got != 0) {
    const int read_errno = errno;
    KillAndReap(pid);  // the supervisor ends at once after a report; reap it either way
    if (got != static_cast<ssize_t>(sizeof report)) {
      return Internal("reading the exec status of " + program, got < 0 ? read_errno : EIO);
    }
    switch (report.stage) {
      case ChildStage::kExec:
        return Status(AwsError::kInvalidParameterValue,
                      "fork/exec " + program + ": " + GoErrnoText(report.err));
      case ChildStage::kChdir:
        return Status(AwsError::kInvalidParameterValue,
                      "chdir " + cwd + ": " + GoErrnoText(report.err));
      case ChildStage::kSetpgid:
        return Internal("fork/exec " + program + ": setpgid", report.err);
      case ChildStage::kPdeathsig:
        return Internal("fork/exec " + program + ": prctl(PR_SET_PDEATHSIG)", report.err);
      case ChildStage::kDup:
        return Internal("fork/exec " + program + ": dup2", report.err);
      case ChildStage::kFork:
        return Internal("fork/exec " + program + ": fork", report.err);
    }
    return Internal("fork/exec " + program, report.err);
  }

  // Exit detection: a pidfd (readable once the supervisor exits, just after the program)
  // where the kernel has them.
  UniqueFd pidfd;
  if (!force_polling) {
    pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (pidfd.get() < 0) {
      spdlog::debug("runtime: pidfd_open: {}; polling for exits", std::strerror(errno));
    }
  }
  auto state = std::make_shared<State>(pid, asio::make_strand(executor), std::move(on_line),
                                       std::move(on_exit));
  // Each descriptor is released to asio only once it took it.
  error_code ec;
  state->readers[0].pipe.assign(stdout_read.get(), ec);
  if (!ec) {
    stdout_read.release();
    state->readers[1].pipe.assign(stderr_read.get(), ec);
  }
  // Reads never block the executor's thread: they stop at EAGAIN (see State::StartRead).
  if (!ec) state->readers[0].pipe.non_blocking(true, ec);
  if (!ec) state->readers[1].pipe.non_blocking(true, ec);
  if (!ec) {
    stderr_read.release();
    if (pidfd.get() >= 0) state->pidfd.assign(pidfd.get(), ec);
    if (!ec) pidfd.release();
  }
  if (ec) {
    KillAndReap(pid);
    return Status(AwsError::kInternalFailure,
                  "registering the pipes of " + program + ": " + ec.message());
  }
  asio::post(state->strand, [state] { state->Start(); });
  return std::unique_ptr<Process>(new Process(std::move(state)));
}

}  // namespace streamstack::runtime
