// streamstack: config -> storage -> services -> serve. The only file that sees every module.
#include <spdlog/spdlog.h>

#include <iostream>

#include "streamstack/app/application.h"
#include "streamstack/app/config.h"
#include "streamstack/common/logging.h"

int main(int argc, char** argv) {
  using namespace streamstack;
  app::ParseOutcome parsed = app::ParseCommandLine(argc, argv);
  if (parsed.exit_code) return *parsed.exit_code;
  app::Config& config = parsed.config;

  Status logging = SetupLogging(config.log_level,
                                config.log_format == "json" ? LogFormat::kJson : LogFormat::kText);
  if (!logging.ok()) {
    std::cerr << "streamstack: " << logging.message() << "\n";
    return 2;
  }

  app::Application application(std::move(config));
  Status started = application.Start();
  if (!started.ok()) {
    spdlog::critical("cannot start: {}", started.message());
    return 1;
  }
  return application.Run();
}
