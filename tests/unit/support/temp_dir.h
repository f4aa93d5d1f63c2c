// A fresh directory per test under GoogleTest's temp dir, removed with everything in it
// when the TempDir goes. Shared by every module's unit tests (real SQLite files need one).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace streamstack::test_support {

class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "streamstack_XXXXXX";
    char* made = mkdtemp(pattern.data());
    if (made == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The path of `name` inside the directory.
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace streamstack::test_support
