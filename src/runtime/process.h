// runtime: Process, the program of one sandbox (node, python3 or the zip's bootstrap) in its
// own process group under a supervisor of ours, its stdout and stderr as lines, its exit.
// Private to the runtime module; Linux only (pidfd, PR_SET_PDEATHSIG, close_range).
// pid(), Signal() and Kill() may be called from any thread; Spawn and the destructor as
// documented on them; callbacks run on the executor given to Spawn.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "streamstack/common/status.h"

namespace streamstack::runtime {

struct ProcessSpec {
  // The program and its arguments; argv[0] is passed to the program unchanged. A program
  // containing '/' is a path (a relative one is taken from `cwd`); otherwise it is looked
  // up, before the fork, in the PATH of `env` (or "/usr/local/bin:/usr/bin:/bin" when `env`
  // has none; relative PATH entries are taken from `cwd`): the first regular file we may
  // execute wins, as Go's exec.LookPath does (AWS's runtime is Go).
  std::vector<std::string> argv;
  // The child's whole environment, "KEY=VALUE" each: nothing of ours is inherited.
  std::vector<std::string> env;
  // The child's working directory; empty: ours.
  std::filesystem::path cwd;
};

enum class OutputStream { kStdout, kStderr };

// How the process ended: an exit code, or the signal that killed it.
struct ExitStatus {
  int code = 0;    // exit(code), when signal == 0; -1 when unknown (someone else reaped it)
  int signal = 0;  // the signal that killed it, or 0

  // AWS's words after "Runtime exited with error: ": "exit status 3", "signal: killed".
  std::string ToString() const;
  bool operator==(const ExitStatus&) const = default;
};

// One program and its process group (the sandbox: the program and everything it starts that
// does not leave the group).
//
// Shape: StreamStack's child is a supervisor, a forked copy of StreamStack that execs
// nothing. It creates the group (its pid is the group id), starts the program in it, then
// leaves the group for one of its own, so the group holds the function's processes only and
// signals sent to it never reach the supervisor. The supervisor ends as the program ends:
// when the program exits it kills the rest of the group, reaps the program and ends with
// the same exit code or by the same signal, so its wait status is the program's.
// It exists because PR_SET_PDEATHSIG reaches only a direct child: when StreamStack dies, the
// supervisor is told (SIGTERM by PR_SET_PDEATHSIG) and kills the program and the whole group,
// the program's own children (a subprocess, a child_process, curl under a shell bootstrap)
// included. A SIGTERM from anyone else ends the sandbox the same way.
//
// Lifetime: the group is killed (SIGKILL) and the supervisor reaped
// - when the program exits (leftovers of the group are killed first, as AWS resets a
//   sandbox whose runtime exited), then on_exit is called;
// - when the Process is destroyed (then on_exit is not called);
// - when the thread that called Spawn exits (PR_SET_PDEATHSIG: the kernel ties it to the
//   forking *thread*), and when StreamStack dies, even by kill -9 (the program and every
//   process of its group end within milliseconds).
// No path leaves a zombie of ours: the supervisor is reaped by whichever of exit detection
// and the destructor comes first, and reaps the program before it ends (so StreamStack as
// PID 1 of a container, which reaps no strangers, is left none); what the program started
// is reaped by init. The group id is the supervisor's pid, signalled only while the
// supervisor is not yet reaped, so a recycled pid is never signalled.
//
// Requirements on the rest of StreamStack: nothing else reaps children (no waitpid(-1), no
// SIGCHLD set to SIG_IGN); exit detection needs no SIGCHLD handler. Each supervisor is a
// copy-on-write image of StreamStack's memory as it was at Spawn, so it holds on to the
// pages StreamStack has changed since (at most StreamStack's size at Spawn; usually far
// less).
class Process {
 public:
  // A line of output without its '\n'. Called on the executor, in order per stream; a
  // final unterminated line is delivered at end of file; a line longer than kMaxLineBytes
  // is delivered in pieces of kMaxLineBytes (bytes, not characters).
  using OutputCallback = std::function<void(OutputStream stream, std::string_view line)>;
  // Called once, on the executor, after the child was reaped and after every line of its
  // output (both pipes at end of file, or kOutputDrainTimeout after the exit when a process
  // that left the group still holds them).
  using ExitCallback = std::function<void(const ExitStatus& status)>;

  // CloudWatch Logs' largest event is 256 KiB.
  static constexpr std::size_t kMaxLineBytes = 256 * 1024;
  static constexpr std::chrono::milliseconds kOutputDrainTimeout{1000};

  // Starts spec.argv in a new process group, under a supervisor (see above), with stdin
  // from /dev/null and stdout/stderr on pipes of ours; every other descriptor of StreamStack
  // is closed at exec (the supervisor closes all of its own, so only the group holds the
  // pipes); signal dispositions and mask are reset to defaults. Returns when the exec
  // succeeded.
  //
  // Call it from a thread that outlives the child: a thread running the executor's
  // io_context, or one that lives as long as it (see PR_SET_PDEATHSIG above). Callbacks
  // may start before Spawn returns when another thread runs the executor; calling Spawn
  // from a handler of a strand that is the executor avoids that. Callbacks of one Process
  // never run concurrently (an internal strand over `executor`). Either callback may be
  // empty. The destructor must run before the executor's io_context is destroyed.
  //
  // Errors (no child is left behind by any of them):
  // - kInvalidParameterValue: the program cannot be started, in Go's words as AWS reports
  //   them: empty argv; `exec: "node": executable file not found in $PATH`;
  //   "fork/exec /var/task/bootstrap: permission denied" (also "no such file or directory",
  //   which includes a missing #! interpreter, and "exec format error");
  //   "chdir /x: no such file or directory".
  // - kInternalFailure: our own resources (pipe, fork, pidfd, the supervisor's setup).
  [[nodiscard]] static Result<std::unique_ptr<Process>> Spawn(
      const boost::asio::any_io_executor& executor, ProcessSpec spec, OutputCallback on_line,
      ExitCallback on_exit);

  // Kills as Kill() does and reaps the supervisor before returning (blocking for as long as
  // the kernel takes to end the program, and the supervisor to follow it). May be called
  // from any thread, also from inside one of this Process's callbacks. After it returns no
  // callback starts; one running on another thread is waited for (so do not destroy a
  // Process while holding a lock its callbacks take).
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // The sandbox's process group id, which is the pid of its supervisor (StreamStack's child
  // and the program's parent), not the program's own pid. Signal the group, not this pid:
  // the supervisor is not in the group and does not pass signals on.
  pid_t pid() const;

  // Sends `signal` to the whole process group: the program and what it started, not the
  // supervisor (which ends as the program ends). Ok also when the supervisor was already
  // reaped, or the group is already empty because the program's exit is being reported
  // (nothing is sent then); kInternalFailure when kill(2) fails otherwise (an invalid
  // signal).
  Status Signal(int signal);
  // Signal(SIGKILL), and the program too should it have left the group (setsid): the
  // program ends by SIGKILL ("signal: killed") unless it ended otherwise first.
  void Kill();

  // Delivers, before returning, the lines the process has already written to its pipes
  // (an invocation's last lines, written just before its response was posted). Call it on
  // the thread that runs the executor, when that is the executor's only thread.
  void DrainAvailableOutput();

  // Tests: detect exits by polling waitid(WNOWAIT) on a timer, the fallback used where
  // pidfd_open(2) is unavailable (Linux < 5.3, old seccomp profiles). Affects later Spawns.
  static void TEST_ForcePollingExitDetection(bool on);

 private:
  struct State;
  explicit Process(std::shared_ptr<State> state);

  // Shared with the pending asynchronous operations, which may outlive this handle.
  std::shared_ptr<State> state_;
};

}  // namespace streamstack::runtime
