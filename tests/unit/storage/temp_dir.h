// The storage tests' name for the shared TempDir.
#pragma once

#include <gtest/gtest.h>

#include "support/temp_dir.h"

#include <cstdlib>
#include <filesystem>
#include <string>

namespace streamstack::storage::test_util {

using test_support::TempDir;

}  // namespace streamstack::storage::test_util
