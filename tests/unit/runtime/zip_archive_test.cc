#include "runtime/zip_archive.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace streamstack::runtime {
namespace {

namespace fs = std::filesystem;

constexpr char kUnreadable[] =
    "Could not unzip uploaded file. Please check your file, then try to upload again.";

// ---------------------------------------------------------------------------------------
// Building archives with libzip.

enum class EntryKind { kFile, kDirectory, kSymlink };

struct ZipEntry {
  std::string name;
  std::string data;  // a file's contents or a symlink's target
  EntryKind kind = EntryKind::kFile;
  // Permission bits of an entry made on Unix; nullopt: made on DOS/Windows (no Unix mode).
  std::optional<mode_t> mode = 0644;
  mode_t type = 0;     // S_IF* to record instead of the kind's own (S_IFIFO, ...)
  time_t mtime = 0;    // 0: libzip's default (now)
  bool store = false;  // no compression, so tests can find and patch the data
};

ZipEntry File(std::string name, std::string data, std::optional<mode_t> mode = 0644) {
  return {std::move(name), std::move(data), EntryKind::kFile, mode};
}
ZipEntry Dir(std::string name, std::optional<mode_t> mode = 0755) {
  return {std::move(name), "", EntryKind::kDirectory, mode};
}
ZipEntry Link(std::string name, std::string target) {
  return {std::move(name), std::move(target), EntryKind::kSymlink, 0777};
}

std::string MakeZip(const std::vector<ZipEntry>& entries) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  EXPECT_NE(buffer, nullptr);
  zip_source_keep(buffer);  // read it back after zip_close
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  EXPECT_NE(archive, nullptr) << zip_error_strerror(&error);
  for (const ZipEntry& e : entries) {
    zip_int64_t index;
    if (e.kind == EntryKind::kDirectory) {
      index = zip_dir_add(archive, e.name.c_str(), ZIP_FL_ENC_UTF_8);
    } else {
      zip_source_t* data = zip_source_buffer(archive, e.data.data(), e.data.size(), 0);
      index = zip_file_add(archive, e.name.c_str(), data, ZIP_FL_ENC_UTF_8);
    }
    EXPECT_GE(index, 0) << e.name << ": " << zip_strerror(archive);
    if (index < 0) continue;
    const auto i = static_cast<zip_uint64_t>(index);
    mode_t type = e.type;
    if (type == 0) {
      type = e.kind == EntryKind::kDirectory ? S_IFDIR
             : e.kind == EntryKind::kSymlink ? S_IFLNK
                                             : S_IFREG;
    }
    if (e.mode) {
      zip_file_set_external_attributes(archive, i, 0, ZIP_OPSYS_UNIX, (type | *e.mode) << 16);
    } else {
      const zip_uint32_t dos_directory = 0x10;
      zip_file_set_external_attributes(archive, i, 0, ZIP_OPSYS_DOS,
                                       e.kind == EntryKind::kDirectory ? dos_directory : 0);
    }
    if (e.store) zip_set_file_compression(archive, i, ZIP_CM_STORE, 0);
    if (e.mtime != 0) zip_file_set_mtime(archive, i, e.mtime, 0);
  }
  EXPECT_EQ(zip_close(archive), 0);
  std::string bytes;
  EXPECT_EQ(zip_source_open(buffer), 0);
  zip_source_seek(buffer, 0, SEEK_END);
  bytes.resize(static_cast<std::size_t>(zip_source_tell(buffer)));
  zip_source_seek(buffer, 0, SEEK_SET);
  EXPECT_EQ(zip_source_read(buffer, bytes.data(), bytes.size()),
            static_cast<zip_int64_t>(bytes.size()));
  zip_source_close(buffer);
  zip_source_free(buffer);
  return bytes;
}

// Replaces every occurrence of `from` (in the local and central headers, say) by `to`,
// which has the same length: how tests make names libzip would refuse to write twice.
std::string Patch(std::string bytes, const std::string& from, const std::string& to) {
  EXPECT_EQ(from.size(), to.size());
  int count = 0;
  for (std::size_t at = bytes.find(from); at != std::string::npos; at = bytes.find(from, at + 1)) {
    bytes.replace(at, from.size(), to);
    ++count;
  }
  EXPECT_GT(count, 0) << from;
  return bytes;
}

void PutLe32(std::string& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

// Sets the uncompressed size that every local and central header declares.
std::string DeclareSize(std::string bytes, std::uint32_t size) {
  for (std::size_t at = bytes.find("PK\x03\x04"); at != std::string::npos;
       at = bytes.find("PK\x03\x04", at + 1)) {
    PutLe32(bytes, at + 22, size);
  }
  for (std::size_t at = bytes.find("PK\x01\x02"); at != std::string::npos;
       at = bytes.find("PK\x01\x02", at + 1)) {
    PutLe32(bytes, at + 24, size);
  }
  return bytes;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

mode_t ModeOf(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Every path under `root`, relative, sorted ("dir/", "dir/file", "link@").
std::vector<std::string> Listing(const fs::path& root) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::string path = it->path().lexically_relative(root).string();
    if (it->is_symlink()) {
      path += "@";
    } else if (it->is_directory()) {
      path += "/";
    }
    paths.push_back(path);
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

class UnpackZipTest : public ::testing::Test {
 protected:
  fs::path Root() const { return fs::path(dir_.File("")); }
  fs::path Destination() const { return Root() / "functions" / "code"; }

  test_support::TempDir dir_;
};

// ---------------------------------------------------------------------------------------
// What an archive becomes.

TEST_F(UnpackZipTest, FilesDirectoriesAndTheirModes) {
  const std::string zip = MakeZip({
      File("index.js", "exports.handler = 1;\n", 0644),
      File("bootstrap", "#!/bin/sh\necho hi\n", 0755), File("secret.txt", "s", 0600),
      File("setuid", "x", 04755),  // set-id bits are dropped
      File("nomode", "x", 0),      // a Unix entry that recorded no permissions
      Dir("private/", 0700), File("private/key", "k", 0640), Dir("readonly/", 0555),
      File("readonly/data", "d", 0444),
      File("deep/er/file.txt", "implied directories", 0644),  // no "deep/" entries
  });
  ASSERT_TRUE(UnpackZip(zip, Destination()).ok());
  const fs::path d = Destination();
  EXPECT_EQ(ReadFile(d / "index.js"), "exports.handler = 1;\n");
  EXPECT_EQ(ReadFile(d / "bootstrap"), "#!/bin/sh\necho hi\n");
  EXPECT_EQ(ReadFile(d / "deep/er/file.txt"), "implied directories");
  EXPECT_EQ(ModeOf(d), 0755u);
  EXPECT_EQ(ModeOf(d / "index.js"), 0644u);
  EXPECT_EQ(ModeOf(d / "bootstrap"), 0755u);
  EXPECT_EQ(ModeOf(d / "secret.txt"), 0600u);
  EXPECT_EQ(ModeOf(d / "setuid"), 0755u);
  EXPECT_EQ(ModeOf(d / "nomode"), 0644u);
  EXPECT_EQ(ModeOf(d / "private"), 0700u);
  EXPECT_EQ(ModeOf(d / "private/key"), 0640u);
  EXPECT_EQ(ModeOf(d / "readonly"), 0755u);  // owner rwx added
  EXPECT_EQ(ModeOf(d / "readonly/data"), 0444u);
  EXPECT_EQ(ModeOf(d / "deep"), 0755u);
  EXPECT_EQ(ModeOf(d / "deep/er"), 0755u);
  EXPECT_EQ(Listing(d),
            (std::vector<std::string>{"bootstrap", "deep/", "deep/er/", "deep/er/file.txt",
                                      "index.js", "nomode", "private/", "private/key", "readonly/",
                                      "readonly/data", "secret.txt", "setuid"}));
}

TEST_F(UnpackZipTest, EntriesNotMadeOnUnixGetDefaultModes) {
  const std::string zip = MakeZip({
      Dir("lib/", std::nullopt),
      File("lib/a.py", "a", std::nullopt),
      File("b/c.py", "c", std::nullopt),
  });
  ASSERT_TRUE(UnpackZip(zip, Destination()).ok());
  EXPECT_EQ(ModeOf(Destination() / "lib"), 0755u);
  EXPECT_EQ(ModeOf(Destination() / "lib/a.py"), 0644u);
  EXPECT_EQ(ModeOf(Destination() / "b"), 0755u);
  EXPECT_EQ(ModeOf(Destination() / "b/c.py"), 0644u);
}

TEST_F(UnpackZipTest, ModesDoNotDependOnTheUmask) {
  const mode_t previous = ::umask(0077);
  const Status status = UnpackZip(MakeZip({File("a/run", "x", 0755)}), Destination());
  ::umask(previous);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(ModeOf(Destination()), 0755u);
  EXPECT_EQ(ModeOf(Destination() / "a"), 0755u);
  EXPECT_EQ(ModeOf(Destination() / "a/run"), 0755u);
}

TEST_F(UnpackZipTest, FilesKeepTheirModificationTime) {
  const time_t mtime = 1600000000;  // even: DOS time has 2 s resolution
  ZipEntry entry = File("old.py", "x");
  entry.mtime = mtime;
  ASSERT_TRUE(UnpackZip(MakeZip({entry}), Destination()).ok());
  struct stat st {};
  ASSERT_EQ(::stat((Destination() / "old.py").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime, mtime);
}

TEST_F(UnpackZipTest, SymlinksAreKept) {
  // A pnpm-style layout: links into a store, and links through those links.
  const std::string zip = MakeZip({
      File("node_modules/.pnpm/foo@1/node_modules/foo/index.js", "module.exports = 42;\n"),
      Link("node_modules/foo", ".pnpm/foo@1/node_modules/foo"),
      Link("node_modules/.bin/foo", "../foo/index.js"),
      Link("handler.js", "./node_modules/foo/index.js"), Link("here", "."),
      Link("dangling", "missing/file"),  // inside, just absent: kept as AWS keeps it
  });
  ASSERT_TRUE(UnpackZip(zip, Destination()).ok());
  const fs::path d = Destination();
  EXPECT_TRUE(fs::is_symlink(d / "node_modules/foo"));
  EXPECT_EQ(fs::read_symlink(d / "node_modules/foo"), ".pnpm/foo@1/node_modules/foo");
  EXPECT_EQ(fs::read_symlink(d / "node_modules/.bin/foo"), "../foo/index.js");
  EXPECT_EQ(ReadFile(d / "node_modules/.bin/foo"), "module.exports = 42;\n");
  EXPECT_EQ(ReadFile(d / "handler.js"), "module.exports = 42;\n");
  EXPECT_EQ(fs::read_symlink(d / "here"), ".");
  EXPECT_EQ(fs::read_symlink(d / "dangling"), "missing/file");
  EXPECT_FALSE(fs::exists(d / "dangling"));
}

TEST_F(UnpackZipTest, DotComponentsAreDropped) {
  ASSERT_TRUE(UnpackZip(MakeZip({Dir("./", 0755), File("./a/./b.txt", "b")}), Destination()).ok());
  EXPECT_EQ(Listing(Destination()), (std::vector<std::string>{"a/", "a/b.txt"}));
}

TEST_F(UnpackZipTest, TheLastEntryOfADuplicateNameWins) {
  ZipEntry first = File("dup_A.txt", "first");
  ZipEntry second = File("dup_B.txt", "second");
  first.store = second.store = true;
  const std::string zip = Patch(MakeZip({first, second}), "dup_B.txt", "dup_A.txt");
  ASSERT_TRUE(UnpackZip(zip, Destination()).ok());
  EXPECT_EQ(ReadFile(Destination() / "dup_A.txt"), "second");
  EXPECT_EQ(Listing(Destination()), (std::vector<std::string>{"dup_A.txt"}));
}

TEST_F(UnpackZipTest, AnExplicitDirectoryEntryAfterItsFilesSetsItsMode) {
  ASSERT_TRUE(UnpackZip(MakeZip({File("d/f", "f"), Dir("d/", 0750)}), Destination()).ok());
  EXPECT_EQ(ModeOf(Destination() / "d"), 0750u);
}

TEST_F(UnpackZipTest, AnEmptyZipIsAnEmptyDirectory) {
  const std::string end_record = std::string("PK\x05\x06", 4) + std::string(18, '\0');
  ASSERT_TRUE(UnpackZip(end_record, Destination()).ok());
  EXPECT_TRUE(fs::is_directory(Destination()));
  EXPECT_TRUE(Listing(Destination()).empty());
  EXPECT_EQ(ModeOf(Destination()), 0755u);
}

TEST_F(UnpackZipTest, TheZipCommandsArchive) {
  if (std::system("command -v zip >/dev/null 2>&1") != 0) GTEST_SKIP() << "no zip command";
  const fs::path src = Root() / "src";
  fs::create_directories(src / "lib");
  fs::create_directories(src / "empty");
  std::ofstream(src / "index.js") << "exports.handler = async () => 1;\n";
  std::ofstream(src / "bootstrap") << "#!/bin/sh\nexec node index.js\n";
  std::ofstream(src / "lib/util.js") << "util\n";
  fs::permissions(src / "index.js", fs::perms(0644));
  fs::permissions(src / "bootstrap", fs::perms(0755));
  fs::permissions(src / "lib/util.js", fs::perms(0600));
  fs::create_symlink("lib/util.js", src / "link.js");
  const std::string command =
      "cd '" + src.string() + "' && zip -q -r -y ../package.zip . >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);

  ASSERT_TRUE(UnpackZip(ReadFile(Root() / "package.zip"), Destination()).ok());
  const fs::path d = Destination();
  EXPECT_EQ(Listing(d), (std::vector<std::string>{"bootstrap", "empty/", "index.js", "lib/",
                                                  "lib/util.js", "link.js@"}));
  EXPECT_EQ(ReadFile(d / "bootstrap"), "#!/bin/sh\nexec node index.js\n");
  EXPECT_EQ(ModeOf(d / "index.js"), 0644u);
  EXPECT_EQ(ModeOf(d / "bootstrap"), 0755u);
  EXPECT_EQ(ModeOf(d / "lib/util.js"), 0600u);
  EXPECT_EQ(fs::read_symlink(d / "link.js"), "lib/util.js");
  EXPECT_EQ(ReadFile(d / "link.js"), "util\n");
}

// ---------------------------------------------------------------------------------------
// Destination, atomicity, concurrency.

TEST_F(UnpackZipTest, AnExistingDestinationIsTakenAsDone) {
  ASSERT_TRUE(UnpackZip(MakeZip({File("a.txt", "first")}), Destination()).ok());
  // The contract: a destination is named after its archive, so it is not checked again.
  ASSERT_TRUE(UnpackZip(MakeZip({File("b.txt", "second")}), Destination()).ok());
  EXPECT_EQ(Listing(Destination()), (std::vector<std::string>{"a.txt"}));
}

TEST_F(UnpackZipTest, ADestinationThatIsAFileIsAnInternalFailure) {
  fs::create_directories(Destination().parent_path());
  std::ofstream(Destination()) << "x";
  const Status status = UnpackZip(MakeZip({File("a.txt", "a")}), Destination());
  EXPECT_EQ(status.code(), AwsError::kInternalFailure);
}

TEST_F(UnpackZipTest, ATrailingSlashNamesTheSameDestination) {
  ASSERT_TRUE(UnpackZip(MakeZip({File("a.txt", "a")}), Destination() / "").ok());
  EXPECT_EQ(ReadFile(Destination() / "a.txt"), "a");
  EXPECT_EQ(Listing(Destination().parent_path()),
            (std::vector<std::string>{"code/", "code/a.txt"}));
}

TEST_F(UnpackZipTest, ConcurrentCallersShareOneTree) {
  std::vector<ZipEntry> entries;
  for (int i = 0; i < 50; ++i) {
    entries.push_back(
        File("dir" + std::to_string(i % 5) + "/f" + std::to_string(i), std::string(1000 + i, 'x')));
  }
  const std::string zip = MakeZip(entries);
  std::vector<Status> statuses(8);
  std::vector<std::thread> threads;
  for (auto& status : statuses) {
    threads.emplace_back([&] { status = UnpackZip(zip, Destination()); });
  }
  for (auto& thread : threads) thread.join();
  for (const Status& status : statuses) EXPECT_TRUE(status.ok()) << status.message();
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(ReadFile(Destination() / ("dir" + std::to_string(i % 5)) / ("f" + std::to_string(i))),
              std::string(1000 + i, 'x'));
  }
  // No temporary sibling is left behind, by the winner or the losers.
  EXPECT_EQ(fs::directory_iterator(Destination().parent_path())->path().filename(), "code");
  EXPECT_EQ(
      std::distance(fs::directory_iterator(Destination().parent_path()), fs::directory_iterator()),
      1);
}

// ---------------------------------------------------------------------------------------
// Rejections: the archive's fault, nothing written anywhere.

struct RejectCase {
  const char* name;
  std::vector<ZipEntry> entries;
  const char* message;  // a substring of the error's message
};

std::ostream& operator<<(std::ostream& os, const RejectCase& c) { return os << c.name; }

std::string CaseName(const ::testing::TestParamInfo<RejectCase>& info) { return info.param.name; }

class UnpackZipRejectTest : public ::testing::TestWithParam<RejectCase> {
 protected:
  test_support::TempDir dir_;
};

TEST_P(UnpackZipRejectTest, RejectsAndWritesNothing) {
  const RejectCase& c = GetParam();
  const fs::path root(dir_.File(""));
  const fs::path destination = root / "functions" / "code";
  const Status status = UnpackZip(MakeZip(c.entries), destination);
  EXPECT_EQ(status.code(), AwsError::kInvalidParameterValue);
  EXPECT_NE(status.message().find(c.message), std::string::npos) << status.message();
  EXPECT_EQ(status.message().rfind(kUnreadable, 0), 0u) << status.message();
  // Nothing inside, beside or above the destination.
  EXPECT_TRUE(Listing(root).empty() || Listing(root) == std::vector<std::string>{"functions/"})
      << ::testing::PrintToString(Listing(root));
  EXPECT_FALSE(fs::exists(fs::path("/tmp/streamstack-zip-escape")));
}

const RejectCase kRejectCases[] = {
    {"AbsolutePath", {File("/tmp/streamstack-zip-escape", "x")}, "has an absolute path"},
    {"DotDot", {File("../evil.txt", "x")}, "has a \"..\" component"},
    {"DotDotDeep", {File("a/../../evil.txt", "x")}, "has a \"..\" component"},
    {"DotDotThatStaysInside", {File("a/../b.txt", "x")}, "has a \"..\" component"},
    {"DotDotDirectory", {Dir("../up/")}, "has a \"..\" component"},
    {"ThroughASymlink",
     {Dir("sub/"), Link("link", "sub"), File("link/evil.txt", "x")},
     "path through the symbolic link \"link\""},
    {"ThroughASymlinkOutside",
     {Link("link", "/tmp"), File("link/streamstack-zip-escape", "x")},
     "path through the symbolic link \"link\""},
    {"ThroughANestedSymlink",
     {Dir("a/b/"), Link("a/l", "b"), File("a/l/c/evil.txt", "x")},
     "path through the symbolic link \"a/l\""},
    {"SymlinkAbsoluteTarget", {Link("passwd", "/etc/passwd")}, "absolute path \"/etc/passwd\""},
    {"SymlinkUp", {Link("up", "..")}, "leaves the code directory"},
    {"SymlinkUpAndBack", {Link("a/up", "../../functions/code/x")}, "leaves the code directory"},
    {"SymlinkDeepUp", {Link("a/b/l", "../c/../../../x")}, "leaves the code directory"},
    {"SymlinkThroughSymlinkUp",
     {Link("here", "."), Link("up", "here/..")},
     "leaves the code directory"},
    {"SymlinkRedirectedByALaterLink",
     {Link("x", "d/.."), Link("d", ".")},
     "leaves the code directory"},
    {"SymlinkToAnAbsoluteLink", {Link("a", "b"), Link("b", "/etc")}, "absolute path"},
    {"SymlinkLoop", {Link("a", "b"), Link("b", "a")}, "loop"},
    {"SymlinkEmptyTarget", {Link("l", "")}, "empty target"},
    {"SymlinkNulInTarget", {Link("l", std::string("a\0b", 3))}, "NUL byte"},
    {"SymlinkTargetTooLong", {Link("l", std::string(5000, 'a'))}, "longer than 4095"},
    {"FileThenPathThroughIt", {File("a", "x"), File("a/b", "y")}, "which is a file"},
    {"DirectoryThenSymlink",
     {File("a/b", "y"), Link("a", "c")},
     "both a directory and a symbolic link"},
    {"DirectoryThenFile", {Dir("a/"), File("a", "x")}, "both a directory and a file"},
    {"Fifo",
     {[] {
       ZipEntry e = File("pipe", "");
       e.type = S_IFIFO;
       return e;
     }()},
     "device, FIFO or socket"},
    {"CharacterDevice",
     {[] {
       ZipEntry e = File("null", "");
       e.type = S_IFCHR;
       return e;
     }()},
     "device, FIFO or socket"},
    {"NameComponentTooLong", {File(std::string(256, 'n'), "x")}, "longer than 255"},
};
INSTANTIATE_TEST_SUITE_P(Entries, UnpackZipRejectTest, ::testing::ValuesIn(kRejectCases), CaseName);

// Names libzip will not write twice are made by patching a written archive.
TEST_F(UnpackZipTest, ASymlinkAndAFileOfTheSameNameAreRejected) {
  ZipEntry link = Link("name_A", "target");
  ZipEntry file = File("name_B", "data");
  link.store = file.store = true;
  const std::string zip = Patch(MakeZip({link, file}), "name_B", "name_A");
  const Status status = UnpackZip(zip, Destination());
  EXPECT_EQ(status.code(), AwsError::kInvalidParameterValue);
  EXPECT_NE(status.message().find("both a symbolic link and a file"), std::string::npos)
      << status.message();
  EXPECT_TRUE(Listing(Root()).empty());
}

TEST_F(UnpackZipTest, AnUnzippedSizeOverTheLimitIsRejected) {
  const std::string zip = DeclareSize(MakeZip({File("big", "x")}), kMaxUnzippedBytes + 1);
  const Status status = UnpackZip(zip, Destination());
  EXPECT_EQ(status.code(), AwsError::kInvalidParameterValue);
  EXPECT_EQ(status.message(), "Unzipped size must be smaller than 262144000 bytes");
  EXPECT_TRUE(Listing(Root()).empty());
}

TEST_F(UnpackZipTest, TheLimitIsOnTheSumOfTheEntries) {
  const std::string zip =
      DeclareSize(MakeZip({File("a", "x"), File("b", "y")}), kMaxUnzippedBytes / 2 + 1);
  const Status status = UnpackZip(zip, Destination());
  EXPECT_EQ(status.code(), AwsError::kInvalidParameterValue);
  EXPECT_EQ(status.message(), "Unzipped size must be smaller than 262144000 bytes");
}

// ---------------------------------------------------------------------------------------
// Archives that cannot be read: AWS's sentence, exactly.

struct CorruptCase {
  const char* name;
  std::string (*bytes)();
};

std::ostream& operator<<(std::ostream& os, const CorruptCase& c) { return os << c.name; }

std::string CorruptName(const ::testing::TestParamInfo<CorruptCase>& info) {
  return info.param.name;
}

class UnpackZipCorruptTest : public ::testing::TestWithParam<CorruptCase> {
 protected:
  test_support::TempDir dir_;
};

TEST_P(UnpackZipCorruptTest, IsUnreadable) {
  const fs::path root(dir_.File(""));
  const Status status = UnpackZip(GetParam().bytes(), root / "functions" / "code");
  EXPECT_EQ(status.code(), AwsError::kInvalidParameterValue);
  EXPECT_EQ(status.message(), kUnreadable);
  // Some are found only while writing: the temporary tree is gone again.
  EXPECT_TRUE(Listing(root).empty() || Listing(root) == std::vector<std::string>{"functions/"})
      << ::testing::PrintToString(Listing(root));
}

std::string StoredHello() {
  ZipEntry entry = File("hello.txt", "hello world, stored as is");
  entry.store = true;
  return MakeZip({File("first.txt", "fine"), entry});
}

const CorruptCase kCorruptCases[] = {
    {"NoBytes", [] { return std::string(); }},
    {"NotAZip", [] { return std::string("this is not a zip archive at all"); }},
    {"Truncated",
     [] {
       std::string zip = MakeZip({File("a.txt", std::string(5000, 'a'))});
       return zip.substr(0, zip.size() / 2);
     }},
    {"TooShortForAnEndRecord", [] { return std::string("PK\x05\x06", 4); }},
    {"BadCrc", [] { return Patch(StoredHello(), "hello world", "HELLO WORLD"); }},
    {"DataLongerThanDeclared",
     [] { return DeclareSize(MakeZip({File("a.txt", std::string(5000, 'a'))}), 10); }},
    {"DataShorterThanDeclared",
     [] {
       ZipEntry entry = File("a.txt", "short");
       entry.store = true;
       return DeclareSize(MakeZip({entry}), 10);
     }},
};
INSTANTIATE_TEST_SUITE_P(Archives, UnpackZipCorruptTest, ::testing::ValuesIn(kCorruptCases),
                         CorruptName);

TEST_F(UnpackZipTest, AnEncryptedArchiveIsUnreadable) {
  if (std::system("command -v zip >/dev/null 2>&1") != 0) GTEST_SKIP() << "no zip command";
  std::ofstream(Root() / "secret.txt") << "secret\n";
  const std::string command =
      "cd '" + Root().string() + "' && zip -q -P password encrypted.zip secret.txt >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  const Status status = UnpackZip(ReadFile(Root() / "encrypted.zip"), Destination());
  EXPECT_EQ(status.code(), AwsError::kInvalidParameterValue);
  EXPECT_EQ(status.message(), kUnreadable);
  EXPECT_FALSE(fs::exists(Destination()));
}

}  // namespace
}  // namespace streamstack::runtime
