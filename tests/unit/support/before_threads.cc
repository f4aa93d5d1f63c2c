// Linked into every unit test binary: creates spdlog's registry (and its default logger)
// during static initialization, before any test starts a thread. StreamStack's main sets its
// logger up before any thread exists, too.
//
// Why: Debian's libspdlog is not instrumented for ThreadSanitizer. Its registry is a
// function-local static inside the library, created by whichever thread logs first; the
// other threads find it through the static's guard, read by uninstrumented code, so the
// sanitizer never sees that hand-over and reports the first log call on another thread as a
// race with the registry's construction.
#include <spdlog/spdlog.h>

namespace {

[[maybe_unused]] const bool kRegistryCreated = spdlog::default_logger_raw() != nullptr;

}  // namespace
