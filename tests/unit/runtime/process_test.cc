#include "runtime/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "support/temp_dir.h"

namespace streamstack::runtime {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr char kPath[] = "PATH=/usr/local/bin:/usr/bin:/bin";

// True once `pid` has ended: no such process, or a zombie its (new) parent has not reaped.
bool Ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  const std::size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] == 'Z' ||
         line[paren + 2] == 'X';
}

// Ended(pid), waiting up to 5 s for the kernel to finish killing it.
bool EventuallyEnded(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!Ended(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// Runs `keeper` in a forked process, a stand-in for init: a subreaper, so what is orphaned
// below it is reparented to it and it can wait for it. Returns the keeper's exit code, 0 when
// it passed (gtest is out of reach in there); -1 when it could not run, 128 + the signal when
// it was killed.
int RunKeeper(const std::function<int()>& keeper) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::alarm(20);  // a child that never dies fails the test instead of hanging it
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) ::_exit(10);
    ::_exit(keeper());
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void WriteExecutable(const fs::path& path, const std::string& content, fs::perms mode) {
  std::ofstream(path, std::ios::binary) << content;
  fs::permissions(path, mode);
}

class ProcessTest : public ::testing::Test {
 protected:
  void TearDown() override {
    process_.reset();
    // Whatever the test did, no child of ours is left: neither running nor a zombie.
    errno = 0;
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
  }

  Status Start(std::vector<std::string> argv, std::vector<std::string> env = {kPath},
               fs::path cwd = {}) {
    auto process = Process::Spawn(
        io_.get_executor(), ProcessSpec{std::move(argv), std::move(env), std::move(cwd)},
        [this](OutputStream stream, std::string_view line) {
          (stream == OutputStream::kStdout ? out_ : err_).emplace_back(line);
        },
        [this](const ExitStatus& status) {
          ++exits_;
          exit_ = status;
          out_at_exit_ = out_.size();
          err_at_exit_ = err_.size();
        });
    if (!process.ok()) return process.status();
    process_ = std::move(process).value();
    return Status::Ok();
  }

  Status Sh(const std::string& script, std::vector<std::string> env = {kPath}, fs::path cwd = {}) {
    return Start({"/bin/sh", "-c", script}, std::move(env), std::move(cwd));
  }

  // Runs the io_context until `done` holds; false after 10 s.
  bool RunUntil(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.restart();
      io_.run_one_for(50ms);
    }
    return true;
  }
  bool RunUntilExit() {
    return RunUntil([this] { return exit_.has_value(); });
  }
  // Runs whatever is left (cancelled operations) without waiting for anything new.
  void Drain() {
    io_.restart();
    io_.run_for(200ms);
  }

  boost::asio::io_context io_;
  std::unique_ptr<Process> process_;
  std::vector<std::string> out_;
  std::vector<std::string> err_;
  std::optional<ExitStatus> exit_;
  int exits_ = 0;
  std::size_t out_at_exit_ = 0;
  std::size_t err_at_exit_ = 0;
  test_support::TempDir dir_;
};

// ---------------------------------------------------------------------------------------
// Output

TEST_F(ProcessTest, LinesOfBothStreamsInOrderBeforeTheExit) {
  ASSERT_TRUE(
      Sh("i=1; while [ $i -le 300 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done").ok());
  ASSERT_TRUE(RunUntilExit());
  std::vector<std::string> want_out, want_err;
  for (int i = 1; i <= 300; ++i) {
    want_out.push_back("out" + std::to_string(i));
    want_err.push_back("err" + std::to_string(i));
  }
  EXPECT_EQ(out_, want_out);
  EXPECT_EQ(err_, want_err);
  EXPECT_EQ(out_at_exit_, 300u);  // every line arrived before on_exit
  EXPECT_EQ(err_at_exit_, 300u);
  EXPECT_EQ(*exit_, (ExitStatus{0, 0}));
  EXPECT_EQ(exits_, 1);
}

// LocalRuntime drains what a sandbox printed just before it answered, so those lines are
// the invocation's, not the next one's.
TEST_F(ProcessTest, DrainAvailableOutputDeliversWhatIsAlreadyWritten) {
  ASSERT_TRUE(Sh("echo one; echo two >&2; printf 'three'; touch " + dir_.File("written") +
                 "; exec sleep 30")
                  .ok());
  // Nobody runs the io_context: only the drain can deliver the lines.
  for (int i = 0; i < 200 && !fs::exists(dir_.File("written")); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  std::this_thread::sleep_for(20ms);
  process_->DrainAvailableOutput();
  EXPECT_EQ(out_, (std::vector<std::string>{"one"})) << "'three' has no newline yet";
  EXPECT_EQ(err_, (std::vector<std::string>{"two"}));
  process_->DrainAvailableOutput();  // nothing new: returns at once, delivers nothing
  EXPECT_EQ(out_.size(), 1u);
  process_->Kill();
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(out_, (std::vector<std::string>{"one", "three"}));
}

// The drain has everything written before it, even while reads are under way: no bytes
// may sit in a read whose handler has not run yet (asio's async_read_some holds them so).
// Handlers run one at a time here, so the drain comes between any two of them.
TEST_F(ProcessTest, DrainAvailableOutputMissesNothingWhileReadsAreUnderWay) {
  constexpr int kLines = 20000;  // ~110 KB: more than one pipe's buffer and one read
  for (int round = 0; round < 20; ++round) {
    out_.clear();
    io_.restart();
    ASSERT_TRUE(Sh("seq 1 " + std::to_string(kLines) + "; touch " + dir_.File("written") +
                   "; exec sleep 30")
                    .ok());
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!fs::exists(dir_.File("written")) && std::chrono::steady_clock::now() < deadline) {
      if (io_.poll_one() == 0) std::this_thread::sleep_for(50us);
    }
    ASSERT_TRUE(fs::exists(dir_.File("written"))) << "round " << round;
    process_->DrainAvailableOutput();
    ASSERT_EQ(out_.size(), static_cast<std::size_t>(kLines)) << "round " << round;
    EXPECT_EQ(out_.back(), std::to_string(kLines));
    process_->Kill();
    ASSERT_TRUE(RunUntilExit());
    process_.reset();
    exit_.reset();
    Drain();
    fs::remove(dir_.File("written"));
  }
}

TEST_F(ProcessTest, ManyLinesAcrossReads) {
  ASSERT_TRUE(Start({"seq", "1", "100000"}).ok());
  ASSERT_TRUE(RunUntilExit());
  ASSERT_EQ(out_.size(), 100000u);
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(out_[i], std::to_string(i + 1));
}

TEST_F(ProcessTest, LongLinesAreSplitAtTheCap) {
  ASSERT_TRUE(Sh("head -c 600000 /dev/zero | tr '\\0' a; echo;"
                 "head -c 262144 /dev/zero | tr '\\0' b; echo;"
                 "printf tail")
                  .ok());
  ASSERT_TRUE(RunUntilExit());
  ASSERT_EQ(out_.size(), 5u);
  EXPECT_EQ(out_[0], std::string(Process::kMaxLineBytes, 'a'));
  EXPECT_EQ(out_[1], std::string(Process::kMaxLineBytes, 'a'));
  EXPECT_EQ(out_[2], std::string(600000 - 2 * Process::kMaxLineBytes, 'a'));
  EXPECT_EQ(out_[3], std::string(Process::kMaxLineBytes, 'b'));  // exactly the cap: one line
  EXPECT_EQ(out_[4], "tail");
}

TEST_F(ProcessTest, EmptyLinesAndAnUnterminatedLastLine) {
  ASSERT_TRUE(Sh("printf '\\n\\nx\\ny'; printf 'e' >&2").ok());
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(out_, (std::vector<std::string>{"", "", "x", "y"}));
  EXPECT_EQ(err_, (std::vector<std::string>{"e"}));
}

// ---------------------------------------------------------------------------------------
// Exit

TEST_F(ProcessTest, ExitCode) {
  ASSERT_TRUE(Sh("exit 3").ok());
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(*exit_, (ExitStatus{3, 0}));
  EXPECT_EQ(exit_->ToString(), "exit status 3");
}

TEST_F(ProcessTest, KilledBySignal) {
  ASSERT_TRUE(Sh("kill -TERM $$; sleep 5").ok());
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(*exit_, (ExitStatus{0, SIGTERM}));
  EXPECT_EQ(exit_->ToString(), "signal: terminated");
}

TEST_F(ProcessTest, TheProgramsOwnExitIsReported) {
  // The supervisor ends as the program did, so what StreamStack reaps is the program's status.
  struct ExitCase {
    const char* script;
    ExitStatus want;
    const char* words;
  };
  const ExitCase cases[] = {
      {"exit 0", {0, 0}, "exit status 0"},
      {"exit 1", {1, 0}, "exit status 1"},
      {"exit 255", {255, 0}, "exit status 255"},
      {"kill -KILL $$", {0, SIGKILL}, "signal: killed"},
      {"kill -HUP $$", {0, SIGHUP}, "signal: hangup"},
      {"kill -USR1 $$", {0, SIGUSR1}, "signal: user defined signal 1"},
      // Signals that dump core by default (the supervisor dumps none of its own).
      {"ulimit -c 0; kill -SEGV $$", {0, SIGSEGV}, "signal: segmentation fault"},
      {"ulimit -c 0; kill -ABRT $$", {0, SIGABRT}, "signal: aborted"},
  };
  for (const ExitCase& c : cases) {
    SCOPED_TRACE(c.script);
    exit_.reset();
    ASSERT_TRUE(Sh(c.script).ok());
    ASSERT_TRUE(RunUntilExit());
    EXPECT_EQ(*exit_, c.want);
    EXPECT_EQ(exit_->ToString(), c.words);
    process_.reset();
  }
}

TEST_F(ProcessTest, SignalReachesTheGroup) {
  ASSERT_TRUE(Sh("echo ready; exec sleep 1000").ok());
  ASSERT_TRUE(RunUntil([this] { return !out_.empty(); }));
  ASSERT_TRUE(process_->Signal(SIGTERM).ok());
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(exit_->signal, SIGTERM);
  // After the exit there is nothing to signal; that is not an error.
  EXPECT_TRUE(process_->Signal(SIGTERM).ok());
}

TEST_F(ProcessTest, AnInvalidSignalIsAnError) {
  ASSERT_TRUE(Start({"sleep", "1000"}).ok());
  EXPECT_EQ(process_->Signal(100000).code(), AwsError::kInternalFailure);
}

TEST_F(ProcessTest, KillTakesTheWholeGroup) {
  ASSERT_TRUE(Sh("sleep 1000 & echo $!; (sleep 1000 & echo $!; wait) & wait").ok());
  ASSERT_TRUE(RunUntil([this] { return out_.size() >= 2; }));
  const pid_t child = static_cast<pid_t>(std::stol(out_[0]));
  const pid_t grandchild = static_cast<pid_t>(std::stol(out_[1]));
  EXPECT_EQ(::getpgid(child), process_->pid());
  process_->Kill();
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(exit_->signal, SIGKILL);
  EXPECT_EQ(exit_->ToString(), "signal: killed");
  EXPECT_TRUE(EventuallyEnded(child));
  EXPECT_TRUE(EventuallyEnded(grandchild));
}

TEST_F(ProcessTest, WhatTheChildLeavesInItsGroupIsKilledWhenItExits) {
  // The background sleep keeps stdout open; killing the group ends it, so the exit is not
  // held up by it.
  ASSERT_TRUE(Sh("sleep 1000 & echo $!; exit 4").ok());
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(*exit_, (ExitStatus{4, 0}));
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_TRUE(EventuallyEnded(static_cast<pid_t>(std::stol(out_[0]))));
}

TEST_F(ProcessTest, OutputHeldOpenOutsideTheGroupDelaysTheExitOnlySoLong) {
  if (std::system("command -v setsid >/dev/null 2>&1") != 0) GTEST_SKIP() << "no setsid";
  // The escapee prints its pid after setsid(), so once we read it, it is out of the group.
  ASSERT_TRUE(Sh("setsid sh -c 'echo escaped $$; exec sleep 30' & exec sleep 1000").ok());
  ASSERT_TRUE(RunUntil([this] { return !out_.empty(); }));
  const pid_t escapee = static_cast<pid_t>(std::stol(out_[0].substr(8)));
  const auto killed_at = std::chrono::steady_clock::now();
  process_->Kill();
  ASSERT_TRUE(RunUntilExit());
  EXPECT_GE(std::chrono::steady_clock::now() - killed_at, Process::kOutputDrainTimeout);
  EXPECT_EQ(exit_->signal, SIGKILL);
  ::kill(escapee, SIGKILL);
  EXPECT_TRUE(EventuallyEnded(escapee));
}

TEST_F(ProcessTest, PollingForTheExitWithoutPidfd) {
  Process::TEST_ForcePollingExitDetection(true);
  const Status started = Sh("echo hi; sleep 1000 & exit 7");
  Process::TEST_ForcePollingExitDetection(false);
  ASSERT_TRUE(started.ok()) << started.message();
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(*exit_, (ExitStatus{7, 0}));
  EXPECT_EQ(out_, (std::vector<std::string>{"hi"}));
}

TEST_F(ProcessTest, ManyAtOnce) {
  constexpr int kCount = 20;
  std::vector<std::unique_ptr<Process>> processes;
  std::vector<std::vector<std::string>> outputs(kCount);
  std::vector<std::optional<ExitStatus>> exits(kCount);
  for (int i = 0; i < kCount; ++i) {
    auto process = Process::Spawn(
        io_.get_executor(),
        {{"/bin/sh", "-c", "echo " + std::to_string(i) + "; exit " + std::to_string(i % 5)},
         {kPath},
         {}},
        [&outputs, i](OutputStream, std::string_view line) { outputs[i].emplace_back(line); },
        [&exits, i](const ExitStatus& status) { exits[i] = status; });
    ASSERT_TRUE(process.ok()) << process.status().message();
    processes.push_back(std::move(process).value());
  }
  ASSERT_TRUE(RunUntil([&] {
    return std::all_of(exits.begin(), exits.end(), [](const auto& e) { return e.has_value(); });
  }));
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ(outputs[i], std::vector<std::string>{std::to_string(i)});
    EXPECT_EQ(*exits[i], (ExitStatus{i % 5, 0}));
  }
}

// ---------------------------------------------------------------------------------------
// The supervisor

TEST_F(ProcessTest, TheProgramRunsUnderASupervisorOutsideItsGroup) {
  ASSERT_TRUE(Sh("echo $$ $PPID; exec sleep 1000").ok());
  ASSERT_TRUE(RunUntil([this] { return !out_.empty(); }));
  pid_t program = 0, parent = 0;
  std::istringstream(out_[0]) >> program >> parent;
  const pid_t supervisor = process_->pid();
  EXPECT_EQ(parent, supervisor);
  EXPECT_EQ(::getpgid(program), supervisor);  // the group id is the supervisor's pid
  // The supervisor is in neither the group (its signals are the program's) nor ours.
  EXPECT_NE(::getpgid(supervisor), supervisor);
  EXPECT_NE(::getpgid(supervisor), ::getpgrp());
  // Nor does it hold a descriptor: not our pipes (their end of file is the group's alone),
  // not the status pipe (Spawn has returned), nothing else of ours.
  EXPECT_TRUE(fs::is_empty("/proc/" + std::to_string(supervisor) + "/fd"));
  process_->Kill();
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(exit_->signal, SIGKILL);
  EXPECT_TRUE(EventuallyEnded(program));
}

TEST_F(ProcessTest, KillAndDestructionEndAProgramThatLeftTheGroup) {
  // The program is not its group's leader, so it may setsid(): killpg misses it then, and
  // the supervisor, waiting for it, would never end.
  if (std::system("command -v setsid >/dev/null 2>&1") != 0) GTEST_SKIP() << "no setsid";
  for (const bool destroy : {false, true}) {
    SCOPED_TRACE(destroy ? "destroyed" : "killed");
    out_.clear();
    exit_.reset();
    // setsid(1) calls setsid(2) itself and execs, as the program is no group leader; the pid
    // is printed after that.
    ASSERT_TRUE(Sh("exec setsid sh -c 'echo $$; exec sleep 1000'").ok());
    ASSERT_TRUE(RunUntil([this] { return !out_.empty(); }));
    const pid_t program = static_cast<pid_t>(std::stol(out_[0]));
    ASSERT_EQ(::getsid(program), program);  // out of the group, in a session of its own
    if (destroy) {
      process_.reset();
    } else {
      process_->Kill();
      ASSERT_TRUE(RunUntilExit());
      EXPECT_EQ(*exit_, (ExitStatus{0, SIGKILL}));
      process_.reset();
    }
    EXPECT_TRUE(EventuallyEnded(program));
  }
}

TEST_F(ProcessTest, TheSupervisorDumpsNoCoreForTheProgramsCrash) {
  // It dies by the program's SIGSEGV, and would write a core of its copy of StreamStack's
  // memory where core files go; the program itself (sh) has its own limit lowered.
  std::string pattern;
  std::getline(std::ifstream("/proc/sys/kernel/core_pattern"), pattern);
  rlimit core{};
  ASSERT_EQ(::getrlimit(RLIMIT_CORE, &core), 0);
  if (pattern.empty() || pattern[0] == '|' || pattern[0] == '/' || core.rlim_max == 0) {
    GTEST_SKIP() << "core files do not go to the working directory here";
  }
  const rlimit previous = core;
  core.rlim_cur = core.rlim_max;
  ASSERT_EQ(::setrlimit(RLIMIT_CORE, &core), 0);
  const fs::path ours = fs::current_path();
  const fs::path cores = fs::path(dir_.File("cores"));
  fs::create_directories(cores);
  fs::current_path(cores);  // the supervisor's, a copy of ours
  const Status started = Sh("ulimit -c 0; kill -SEGV $$");
  fs::current_path(ours);
  ::setrlimit(RLIMIT_CORE, &previous);
  ASSERT_TRUE(started.ok()) << started.message();
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(*exit_, (ExitStatus{0, SIGSEGV}));
  EXPECT_TRUE(fs::is_empty(cores));
}

TEST_F(ProcessTest, DestructionEndsAStoppedSupervisor) {
  ASSERT_TRUE(Sh("echo $$; exec sleep 1000").ok());
  ASSERT_TRUE(RunUntil([this] { return !out_.empty(); }));
  const pid_t program = static_cast<pid_t>(std::stol(out_[0]));
  ASSERT_EQ(::kill(process_->pid(), SIGSTOP), 0);
  process_.reset();  // TearDown checks that it was reaped
  EXPECT_TRUE(EventuallyEnded(program));
}

// ---------------------------------------------------------------------------------------
// Destruction

TEST_F(ProcessTest, DestructionKillsTheGroupAndReaps) {
  ASSERT_TRUE(Sh("sleep 1000 & echo $!; exec sleep 1000").ok());
  ASSERT_TRUE(RunUntil([this] { return !out_.empty(); }));
  const pid_t pid = process_->pid();
  const pid_t background = static_cast<pid_t>(std::stol(out_[0]));
  process_.reset();
  errno = 0;
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);  // reaped already
  EXPECT_EQ(errno, ECHILD);
  EXPECT_TRUE(EventuallyEnded(background));
  Drain();
  EXPECT_FALSE(exit_.has_value());  // no callback after the destructor
}

TEST_F(ProcessTest, DestructionBeforeTheIoContextRanAtAll) {
  ASSERT_TRUE(Sh("echo never delivered; exec sleep 1000").ok());
  process_.reset();
  Drain();
  EXPECT_TRUE(out_.empty());
  EXPECT_FALSE(exit_.has_value());
}

TEST_F(ProcessTest, ACallbackMayDestroyTheProcess) {
  auto process = Process::Spawn(
      io_.get_executor(), {{"/bin/sh", "-c", "echo first; echo second; exec sleep 1000"}, {}, {}},
      [this](OutputStream, std::string_view line) {
        out_.emplace_back(line);
        process_.reset();
      },
      [this](const ExitStatus& status) { exit_ = status; });
  ASSERT_TRUE(process.ok());
  process_ = std::move(process).value();
  ASSERT_TRUE(RunUntil([this] { return !out_.empty(); }));
  Drain();
  EXPECT_EQ(out_, std::vector<std::string>{"first"});
  EXPECT_FALSE(exit_.has_value());
}

TEST_F(ProcessTest, DestroyedOnAnotherThreadWhileTheIoContextRuns) {
  // Two threads run the io_context (so callbacks run there) while this one spawns chatty
  // processes and destroys them: no callback may start once the destructor returned.
  auto work = boost::asio::make_work_guard(io_);
  std::vector<std::thread> runners;
  for (int i = 0; i < 2; ++i) runners.emplace_back([this] { io_.run(); });
  std::atomic<int> lines{0};
  std::atomic<int> exits{0};
  for (int round = 0; round < 10; ++round) {
    const int before = lines.load();
    auto process = Process::Spawn(
        io_.get_executor(), {{"/bin/sh", "-c", "while :; do echo x; echo y >&2; done"}, {}, {}},
        [&lines](OutputStream, std::string_view) { ++lines; },
        [&exits](const ExitStatus&) { ++exits; });
    ASSERT_TRUE(process.ok()) << process.status().message();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (lines.load() < before + 100 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    process->reset();
    const int after = lines.load();
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(lines.load(), after) << "a line was delivered after the destructor returned";
  }
  work.reset();
  for (auto& runner : runners) runner.join();
  EXPECT_EQ(exits.load(), 0);
  EXPECT_GT(lines.load(), 1000);
}

TEST_F(ProcessTest, TheChildDiesWithTheThreadThatSpawnedIt) {
  // PR_SET_PDEATHSIG follows the forking thread, which is why Spawn's caller must outlive
  // the child.
  std::thread spawner([this] { EXPECT_TRUE(Start({"sleep", "1000"}).ok()); });
  spawner.join();
  ASSERT_NE(process_, nullptr);
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(exit_->signal, SIGKILL);
}

// ---------------------------------------------------------------------------------------
// What the child gets

TEST_F(ProcessTest, EnvironmentAndWorkingDirectory) {
  ::setenv("STREAMSTACK_PROCESS_TEST_OURS", "1", 1);
  const fs::path cwd = fs::path(dir_.File("work"));
  fs::create_directories(cwd);
  ASSERT_TRUE(Sh("echo \"$FOO\"; pwd; env", {"FOO=bar baz", kPath}, cwd).ok());
  ASSERT_TRUE(RunUntilExit());
  ::unsetenv("STREAMSTACK_PROCESS_TEST_OURS");
  ASSERT_GE(out_.size(), 2u);
  EXPECT_EQ(out_[0], "bar baz");
  EXPECT_EQ(fs::path(out_[1]), fs::canonical(cwd));
  const std::vector<std::string> env(out_.begin() + 2, out_.end());
  EXPECT_NE(std::find(env.begin(), env.end(), "FOO=bar baz"), env.end());
  for (const std::string& entry : env) {
    EXPECT_EQ(entry.find("STREAMSTACK_PROCESS_TEST_OURS"), std::string::npos) << entry;
    EXPECT_NE(entry.rfind("HOME=", 0), 0u) << entry;  // nothing inherited
  }
}

TEST_F(ProcessTest, TheProgramIsLookedUpInTheChildsPath) {
  const fs::path bin = fs::path(dir_.File("bin"));
  fs::create_directories(bin);
  WriteExecutable(bin / "mytool", "#!/bin/sh\necho \"tool $1 $0\"\n", fs::perms(0755));
  ASSERT_TRUE(
      Start({"mytool", "x"}, {"PATH=/nonexistent:" + bin.string() + ":/usr/bin:/bin"}).ok());
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(out_, std::vector<std::string>{"tool x " + (bin / "mytool").string()});
}

TEST_F(ProcessTest, ARelativeProgramIsTakenFromTheWorkingDirectory) {
  const fs::path task = fs::path(dir_.File("task"));
  fs::create_directories(task);
  WriteExecutable(task / "bootstrap", "#!/bin/sh\necho \"boot $1\"\n", fs::perms(0755));
  ASSERT_TRUE(Start({"./bootstrap", "y"}, {kPath}, task).ok());
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(out_, std::vector<std::string>{"boot y"});
}

TEST_F(ProcessTest, NoDescriptorOfOursLeaksIntoTheChild) {
  // Descriptors opened the careless way, as a library might.
  const int leaky_file = ::open("/dev/null", O_RDONLY);
  int leaky_pipe[2];
  ASSERT_EQ(::pipe(leaky_pipe), 0);
  // ls runs in a child of the shell, so /proc/$$/fd lists the shell's own descriptors.
  const Status started = Sh("ls /proc/$$/fd; readlink /proc/$$/fd/0; exit 0");
  ::close(leaky_file);
  ::close(leaky_pipe[0]);
  ::close(leaky_pipe[1]);
  ASSERT_TRUE(started.ok()) << started.message();
  ASSERT_TRUE(RunUntilExit());
  EXPECT_EQ(out_, (std::vector<std::string>{"0", "1", "2", "/dev/null"}));
  EXPECT_TRUE(err_.empty()) << ::testing::PrintToString(err_);
}

TEST_F(ProcessTest, SignalsStartAtTheirDefaults) {
  // A server ignores SIGPIPE and may block signals in its threads; the child must not
  // inherit either.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous {};
  ::sigaction(SIGPIPE, &ignore, &previous);
  sigset_t block, old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &block, &old_mask);
  const Status started = Start({"grep", "-E", "^(SigBlk|SigIgn)", "/proc/self/status"});
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGPIPE, &previous, nullptr);
  ASSERT_TRUE(started.ok());
  ASSERT_TRUE(RunUntilExit());
  ASSERT_EQ(out_.size(), 2u);
  EXPECT_EQ(out_[0], "SigBlk:\t0000000000000000");
  EXPECT_EQ(out_[1], "SigIgn:\t0000000000000000");
}

// ---------------------------------------------------------------------------------------
// Spawn failures: reported by Spawn, in Go's words, with no child left (TearDown checks).

struct SpawnFailureCase {
  const char* name;
  // Builds the spec in `dir` (creating what it needs); returns the expected message.
  std::function<ProcessSpec(const fs::path& dir, std::string* message)> make;
};

std::ostream& operator<<(std::ostream& os, const SpawnFailureCase& c) { return os << c.name; }

std::string FailureName(const ::testing::TestParamInfo<SpawnFailureCase>& info) {
  return info.param.name;
}

class SpawnFailureTest : public ProcessTest,
                         public ::testing::WithParamInterface<SpawnFailureCase> {};

TEST_P(SpawnFailureTest, IsReported) {
  const fs::path dir = fs::path(dir_.File("case"));
  fs::create_directories(dir);
  std::string message;
  ProcessSpec spec = GetParam().make(dir, &message);
  const Status status = Start(std::move(spec.argv), std::move(spec.env), std::move(spec.cwd));
  EXPECT_EQ(status.code(), AwsError::kInvalidParameterValue);
  EXPECT_EQ(status.message(), message);
  EXPECT_EQ(process_, nullptr);
}

const SpawnFailureCase kSpawnFailureCases[] = {
    {"EmptyArgv",
     [](const fs::path&, std::string* message) {
       *message = "fork/exec: no program given (empty argv)";
       return ProcessSpec{{}, {kPath}, {}};
     }},
    {"MissingFile",
     [](const fs::path& dir, std::string* message) {
       *message = "fork/exec " + (dir / "missing").string() + ": no such file or directory";
       return ProcessSpec{{(dir / "missing").string()}, {kPath}, {}};
     }},
    {"NotExecutable",
     [](const fs::path& dir, std::string* message) {
       WriteExecutable(dir / "bootstrap", "#!/bin/sh\n", fs::perms(0644));
       *message = "fork/exec " + (dir / "bootstrap").string() + ": permission denied";
       return ProcessSpec{{(dir / "bootstrap").string()}, {kPath}, {}};
     }},
    {"ADirectory",
     [](const fs::path& dir, std::string* message) {
       *message = "fork/exec " + dir.string() + ": permission denied";
       return ProcessSpec{{dir.string()}, {kPath}, {}};
     }},
    {"BadInterpreter",
     [](const fs::path& dir, std::string* message) {
       WriteExecutable(dir / "bootstrap", "#!/nonexistent/interpreter\n", fs::perms(0755));
       *message = "fork/exec " + (dir / "bootstrap").string() + ": no such file or directory";
       return ProcessSpec{{(dir / "bootstrap").string()}, {kPath}, {}};
     }},
    {"ExecFormatError",
     [](const fs::path& dir, std::string* message) {
       WriteExecutable(dir / "bootstrap", std::string("\x01\x02\x03 not a program\n"),
                       fs::perms(0755));
       *message = "fork/exec " + (dir / "bootstrap").string() + ": exec format error";
       return ProcessSpec{{(dir / "bootstrap").string()}, {kPath}, {}};
     }},
    {"NotInPath",
     [](const fs::path& dir, std::string* message) {
       *message = "exec: \"streamstack-no-such-program\": executable file not found in $PATH";
       return ProcessSpec{{"streamstack-no-such-program"}, {"PATH=" + dir.string()}, {}};
     }},
    {"InPathButNotExecutable",
     [](const fs::path& dir, std::string* message) {
       WriteExecutable(dir / "tool", "#!/bin/sh\n", fs::perms(0644));
       *message = "exec: \"tool\": executable file not found in $PATH";
       return ProcessSpec{{"tool"}, {"PATH=" + dir.string()}, {}};
     }},
    {"NotInTheDefaultPath",
     [](const fs::path&, std::string* message) {
       *message = "exec: \"streamstack-no-such-program\": executable file not found in $PATH";
       return ProcessSpec{{"streamstack-no-such-program"}, {}, {}};
     }},
    {"MissingWorkingDirectory",
     [](const fs::path& dir, std::string* message) {
       *message = "chdir " + (dir / "nope").string() + ": no such file or directory";
       return ProcessSpec{{"/bin/true"}, {kPath}, dir / "nope"};
     }},
};
INSTANTIATE_TEST_SUITE_P(Spawn, SpawnFailureTest, ::testing::ValuesIn(kSpawnFailureCases),
                         FailureName);

// ---------------------------------------------------------------------------------------
// A kill -9 of StreamStack takes its sandboxes with it, all of their processes (the
// supervisor's PR_SET_PDEATHSIG).

TEST(ProcessDeathSignalTest, TheChildDiesWhenItsParentIsKilled) {
  // The keeper forks "streamstack", which spawns the child; the keeper kill -9s "streamstack"
  // and reports through its exit code whether the child (the supervisor, ended as its program
  // was) died by SIGKILL.
  const int keeper = RunKeeper([] {
    int report[2];
    if (::pipe(report) != 0) return 11;
    const pid_t streamstack = ::fork();
    if (streamstack < 0) return 12;
    if (streamstack == 0) {
      boost::asio::io_context io;
      auto process =
          Process::Spawn(io.get_executor(), {{"/bin/sleep", "1000"}, {}, {}}, nullptr, nullptr);
      if (!process.ok()) ::_exit(13);
      const pid_t child = (*process)->pid();
      if (::write(report[1], &child, sizeof child) != sizeof child) ::_exit(14);
      ::pause();
      ::_exit(15);
    }
    pid_t child = 0;
    if (::read(report[0], &child, sizeof child) != sizeof child) return 16;
    ::kill(streamstack, SIGKILL);
    ::waitpid(streamstack, nullptr, 0);
    int status = 0;
    if (::waitpid(child, &status, 0) != child) return 17;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : 18;
  });
  EXPECT_EQ(keeper, 0) << "the keeper's exit code says which check failed";
}

TEST(ProcessDeathSignalTest, TheProgramsOwnChildrenDieWhenItsParentIsKilled) {
  // As above, with a program that starts a child of its own, as a function's subprocess
  // does: a grandchild of "streamstack", which PR_SET_PDEATHSIG does not reach. It must be
  // gone within a second of the kill -9.
  const int keeper = RunKeeper([] {
    int report[2];
    if (::pipe(report) != 0) return 11;
    const pid_t streamstack = ::fork();
    if (streamstack < 0) return 12;
    if (streamstack == 0) {
      boost::asio::io_context io;
      pid_t grandchild = 0;
      auto process = Process::Spawn(
          io.get_executor(), {{"/bin/sh", "-c", "sleep 300 & echo $!; wait"}, {kPath}, {}},
          [&grandchild](OutputStream, std::string_view line) {
            grandchild = static_cast<pid_t>(std::stol(std::string(line)));
          },
          nullptr);
      if (!process.ok()) ::_exit(13);
      while (grandchild == 0) {
        io.restart();
        io.run_one();
      }
      const pid_t pids[2] = {(*process)->pid(), grandchild};
      if (::write(report[1], pids, sizeof pids) != sizeof pids) ::_exit(14);
      ::pause();
      ::_exit(15);
    }
    pid_t pids[2] = {};
    if (::read(report[0], pids, sizeof pids) != sizeof pids) return 16;
    const pid_t child = pids[0];
    const pid_t grandchild = pids[1];
    ::kill(streamstack, SIGKILL);
    const auto killed_at = std::chrono::steady_clock::now();
    ::waitpid(streamstack, nullptr, 0);
    int status = 0;
    if (::waitpid(child, &status, 0) != child) return 17;
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) return 18;
    // Its parent gone, the grandchild is reparented to us.
    while (::waitpid(grandchild, &status, WNOHANG) != grandchild) {
      if (std::chrono::steady_clock::now() - killed_at > 1s) {
        ::kill(grandchild, SIGKILL);
        ::waitpid(grandchild, nullptr, 0);
        return 19;  // it outlived "streamstack"
      }
      std::this_thread::sleep_for(5ms);
    }
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) return 20;
    // Nothing else is left below us, running or a zombie.
    errno = 0;
    return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD ? 0 : 21;
  });
  EXPECT_EQ(keeper, 0) << "the keeper's exit code says which check failed";
}

TEST(ProcessReapingTest, NothingIsLeftForInitToReap) {
  // Where StreamStack is init (PID 1 of a container), what is orphaned is reparented to it,
  // and it reaps only its own children: the supervisor must reap the program however it ends.
  // The keeper plays that init.
  const int keeper = RunKeeper([] {
    boost::asio::io_context io;
    // Destroyed while running (several: a supervisor killed outright would still win the race
    // to reap its program now and then).
    for (int i = 0; i < 10; ++i) {
      auto destroyed =
          Process::Spawn(io.get_executor(), {{"/bin/sleep", "1000"}, {}, {}}, nullptr, nullptr);
      if (!destroyed.ok()) return 11;
    }
    for (const bool kill : {false, true}) {
      bool exited = false;
      auto process = Process::Spawn(
          io.get_executor(), {{"/bin/sh", "-c", kill ? "exec sleep 1000" : "exit 3"}, {}, {}},
          nullptr, [&exited](const ExitStatus&) { exited = true; });
      if (!process.ok()) return 12;
      if (kill) (*process)->Kill();
      while (!exited) {
        io.restart();  // it stops whenever it runs out of work
        io.run_one();
      }
    }
    errno = 0;
    return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD ? 0 : 13;
  });
  EXPECT_EQ(keeper, 0) << "the keeper's exit code says which check failed";
}

// ---------------------------------------------------------------------------------------
// ExitStatus

TEST(ExitStatusTest, InAwsWords) {
  EXPECT_EQ((ExitStatus{0, 0}).ToString(), "exit status 0");
  EXPECT_EQ((ExitStatus{127, 0}).ToString(), "exit status 127");
  EXPECT_EQ((ExitStatus{0, SIGKILL}).ToString(), "signal: killed");
  EXPECT_EQ((ExitStatus{0, SIGSEGV}).ToString(), "signal: segmentation fault");
  EXPECT_EQ((ExitStatus{0, SIGABRT}).ToString(), "signal: aborted");
  EXPECT_EQ((ExitStatus{0, 40}).ToString(), "signal: signal 40");
}

}  // namespace
}  // namespace streamstack::runtime
