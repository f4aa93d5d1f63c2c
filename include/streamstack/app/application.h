// Application: the wiring of one streamstack process: storage, services, the router and
// the HTTP server, and their orderly start and stop. main() owns exactly one.
// Start/Run/Stop are called from main's thread; Stop may also come from a signal handler
// thread (the server's).
#pragma once

#include <cstdint>
#include <memory>

#include "streamstack/app/config.h"
#include "streamstack/common/status.h"

namespace streamstack::app {

class Application {
 public:
  explicit Application(Config config);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  // Opens storage, registers every service and binds the port. Nothing is served yet.
  Status Start();
  // The bound port (useful with --port 0).
  uint16_t port() const;
  // Serves until Stop() or SIGINT/SIGTERM; then finishes in-flight requests, stops the
  // background workers and closes storage cleanly. Returns the process exit code.
  int Run();
  void Stop();

 private:
  Status StartServices();
  // Stops the background work of every service, destroys the services (last made first)
  // and closes storage. Safe after a partial start. False when storage did not close cleanly.
  bool StopServices();

  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace streamstack::app
