#include "runtime/zip_archive.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <cerrno>
#include <cstdio>  // renameat2, RENAME_NOREPLACE
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace streamstack::runtime {
namespace {

namespace fs = std::filesystem;

// AWS's words for an archive it cannot read; our own rejections of an entry add a reason.
constexpr char kUnreadable[] =
    "Could not unzip uploaded file. Please check your file, then try to upload again.";
constexpr char kTooLarge[] = "Unzipped size must be smaller than 262144000 bytes";

constexpr std::size_t kMaxNameComponent = 255;   // NAME_MAX
constexpr std::size_t kMaxSymlinkTarget = 4095;  // PATH_MAX - 1
constexpr int kMaxSymlinkHops = 40;              // the kernel's MAXSYMLINKS
constexpr mode_t kDefaultFileMode = 0644;
constexpr mode_t kDefaultDirMode = 0755;
constexpr std::size_t kCopyBufferBytes = 64 * 1024;

Status Unreadable(std::string_view why) {
  spdlog::debug("unzip: archive rejected as unreadable: {}", why);
  return {AwsError::kInvalidParameterValue, kUnreadable};
}

Status Rejected(std::string_view entry, std::string_view reason) {
  std::string message = kUnreadable;
  message += " Entry \"";
  message += entry;
  message += "\" ";
  message += reason;
  message += ".";
  return {AwsError::kInvalidParameterValue, std::move(message)};
}

Status Internal(std::string_view what, const fs::path& path, int err) {
  return {AwsError::kInternalFailure,
          "unzip: " + std::string(what) + " " + path.string() + ": " + std::strerror(err)};
}

// An error creating something whose name came from the archive: a name the file system
// refuses is the user's problem, anything else is ours.
Status CreateError(std::string_view what, const std::string& entry, const fs::path& path, int err) {
  if (err == ENAMETOOLONG) return Rejected(entry, "has a path too long to create");
  return Internal(what, path, err);
}

struct ZipDiscard {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipDiscard>;

struct ZipFileClose {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileClose>;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting close's error (a delayed write error on some file systems).
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

enum class Kind { kFile, kDirectory, kSymlink };

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kFile:
      return "file";
    case Kind::kDirectory:
      return "directory";
    case Kind::kSymlink:
      return "symbolic link";
  }
  return "?";
}

// One path of the tree to build.
struct Node {
  Kind kind = Kind::kDirectory;
  mode_t mode = kDefaultDirMode;
  bool implicit = false;   // a directory only implied by a deeper entry
  std::string entry;       // the zip's name, for messages
  zip_uint64_t index = 0;  // file: the entry to read
  zip_uint64_t size = 0;   // file: its declared uncompressed size
  time_t mtime = -1;       // file: its modification time, -1 when unknown
  std::string target;      // symlink
};

// Splits a path on '/', dropping empty and "." components.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (!part.empty() && part != ".") parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

std::string Join(const std::vector<std::string>& parts, std::size_t count) {
  std::string path;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) path += '/';
    path += parts[i];
  }
  return path;
}

// The tree an archive describes, validated before anything is written. Keys are normalised
// relative paths; std::map orders a directory before everything inside it.
class Plan {
 public:
  Status Add(std::string_view entry, Node node) {
    node.entry = std::string(entry);
    if (!entry.empty() && entry.front() == '/') return Rejected(entry, "has an absolute path");
    std::vector<std::string> parts;
    for (std::string_view part : SplitPath(entry)) {
      if (part == "..") return Rejected(entry, "has a \"..\" component in its path");
      if (part.size() > kMaxNameComponent) {
        return Rejected(entry, "has a path component longer than 255 bytes");
      }
      parts.emplace_back(part);
    }
    if (parts.empty()) {
      if (node.kind == Kind::kDirectory) return Status::Ok();  // "./": the root itself
      return Rejected(entry, "has an empty name");
    }
    // Every ancestor must be a directory: made implicitly, never a symlink of the archive
    // (a write through one could land anywhere it points).
    for (std::size_t i = 1; i < parts.size(); ++i) {
      std::string ancestor = Join(parts, i);
      auto it = nodes_.find(ancestor);
      if (it == nodes_.end()) {
        Node dir;
        dir.implicit = true;
        dir.entry = ancestor + "/";
        nodes_.emplace(std::move(ancestor), std::move(dir));
      } else if (it->second.kind == Kind::kSymlink) {
        return Rejected(entry, "has a path through the symbolic link \"" + ancestor + "\"");
      } else if (it->second.kind == Kind::kFile) {
        return Rejected(entry, "has a path through \"" + ancestor + "\", which is a file");
      }
    }
    std::string path = Join(parts, parts.size());
    auto it = nodes_.find(path);
    if (it == nodes_.end()) {
      nodes_.emplace(std::move(path), std::move(node));
      return Status::Ok();
    }
    Node& existing = it->second;
    if (existing.kind != node.kind) {
      return Rejected(entry, std::string("names both a ") + KindName(existing.kind) + " and a " +
                                 KindName(node.kind));
    }
    if (node.kind == Kind::kDirectory) {
      // An explicit entry gives an implied directory its mode; a second explicit one wins.
      existing.mode = node.mode;
      existing.implicit = false;
      existing.entry = std::move(node.entry);
    } else {
      existing = std::move(node);  // as unzip: the last entry of a name wins
    }
    return Status::Ok();
  }

  // Every symlink must resolve inside the tree, following the archive's other symlinks
  // the way the kernel would (so "a -> ." then "b -> a/.." is caught), with the final tree
  // in view (so a later entry cannot redirect an earlier link).
  Status CheckSymlinks() const {
    for (const auto& [path, node] : nodes_) {
      if (node.kind != Kind::kSymlink) continue;
      STREAMSTACK_RETURN_IF_ERROR(CheckSymlink(path, node));
    }
    return Status::Ok();
  }

  const std::map<std::string, Node>& nodes() const { return nodes_; }

 private:
  Status CheckSymlink(const std::string& path, const Node& link) const {
    const std::string& target = link.target;
    if (target.front() == '/') {
      return Rejected(link.entry, "is a symbolic link to the absolute path \"" + target + "\"");
    }
    // `current` is where resolution stands (components from the root); `pending` what is
    // left of the target to walk.
    std::vector<std::string> current;
    for (std::string_view part : SplitPath(path)) current.emplace_back(part);
    current.pop_back();  // a link's target is relative to the directory holding it
    std::deque<std::string> pending;
    for (std::string_view part : SplitPath(target)) pending.emplace_back(part);
    int hops = 0;
    while (!pending.empty()) {
      std::string part = std::move(pending.front());
      pending.pop_front();
      if (part == "..") {
        if (current.empty()) {
          return Rejected(link.entry, "is a symbolic link to \"" + target +
                                          "\", which leaves the code directory");
        }
        current.pop_back();
        continue;
      }
      current.push_back(std::move(part));
      auto it = nodes_.find(Join(current, current.size()));
      if (it == nodes_.end() || it->second.kind != Kind::kSymlink) continue;
      // Another symlink of the archive: walk its target in its place.
      if (++hops > kMaxSymlinkHops) {
        return Rejected(link.entry, "is a symbolic link in a loop");
      }
      const std::string& next = it->second.target;
      if (next.front() == '/') {
        return Rejected(link.entry, "is a symbolic link to \"" + target +
                                        "\", which leads to the absolute path \"" + next + "\"");
      }
      current.pop_back();
      std::vector<std::string_view> next_parts = SplitPath(next);
      for (auto part_it = next_parts.rbegin(); part_it != next_parts.rend(); ++part_it) {
        pending.emplace_front(*part_it);
      }
    }
    return Status::Ok();
  }

  std::map<std::string, Node> nodes_;
};

// Reads a small entry (a symlink's target) whole.
Result<std::string> ReadSmallEntry(zip_t* archive, zip_uint64_t index, zip_uint64_t size) {
  ZipFilePtr file(zip_fopen_index(archive, index, 0));
  if (file == nullptr) return Unreadable(zip_strerror(archive));
  std::string data(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    zip_int64_t n = zip_fread(file.get(), data.data() + got, size - got);
    if (n < 0) return Unreadable(zip_file_strerror(file.get()));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  char extra;
  if (got != size || zip_fread(file.get(), &extra, 1) != 0) {
    return Unreadable("an entry's size differs from its header");
  }
  return data;
}

// Reads the central directory into a validated plan. Reads no file data but symlink targets.
Status ReadPlan(zip_t* archive, Plan& plan) {
  zip_int64_t count = zip_get_num_entries(archive, 0);
  if (count < 0) return Unreadable("no entry count");
  std::uint64_t total = 0;
  for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive, i, 0, &st) != 0) return Unreadable(zip_strerror(archive));
    if ((st.valid & ZIP_STAT_NAME) == 0 || (st.valid & ZIP_STAT_SIZE) == 0) {
      return Unreadable("an entry without name or size");
    }
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 && st.encryption_method != ZIP_EM_NONE) {
      return Unreadable("an encrypted entry");
    }
    if (st.size > kMaxUnzippedBytes - total) {
      return {AwsError::kInvalidParameterValue, kTooLarge};
    }
    total += st.size;

    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    if (zip_file_get_external_attributes(archive, i, 0, &opsys, &attributes) != 0) {
      return Unreadable(zip_strerror(archive));
    }
    // Only an entry made on Unix carries a Unix mode (in the high 16 bits).
    const mode_t unix_mode = opsys == ZIP_OPSYS_UNIX ? (attributes >> 16) : 0;
    const mode_t type = unix_mode & S_IFMT;
    const mode_t permissions = unix_mode & 0777;  // set-id and sticky bits are dropped
    const std::string_view name = st.name;

    Node node;
    if ((!name.empty() && name.back() == '/') || type == S_IFDIR) {
      node.kind = Kind::kDirectory;
      // Owner rwx always: we fill the directory after creating it and must be able to
      // remove the tree again.
      node.mode = (permissions != 0 ? permissions : kDefaultDirMode) | 0700;
    } else if (type == S_IFLNK) {
      node.kind = Kind::kSymlink;
      if (st.size == 0) return Rejected(name, "is a symbolic link with an empty target");
      if (st.size > kMaxSymlinkTarget) {
        return Rejected(name, "is a symbolic link with a target longer than 4095 bytes");
      }
      auto target = ReadSmallEntry(archive, i, st.size);
      if (!target.ok()) return std::move(target).take_status();
      if (target->find('\0') != std::string::npos) {
        return Rejected(name, "is a symbolic link with a NUL byte in its target");
      }
      node.target = std::move(target).value();
    } else if (type == 0 || type == S_IFREG) {
      node.kind = Kind::kFile;
      node.mode = permissions != 0 ? permissions : kDefaultFileMode;
      node.index = i;
      node.size = st.size;
      if ((st.valid & ZIP_STAT_MTIME) != 0) node.mtime = st.mtime;
    } else {
      return Rejected(name, "is a device, FIFO or socket, which function code cannot hold");
    }
    STREAMSTACK_RETURN_IF_ERROR(plan.Add(name, std::move(node)));
  }
  return plan.CheckSymlinks();
}

Status WriteAll(int fd, const char* data, std::size_t size, const fs::path& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Internal("cannot write", path, errno);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

Status WriteFile(zip_t* archive, const Node& node, const fs::path& path,
                 std::vector<char>& buffer) {
  // O_EXCL | O_NOFOLLOW: never write through anything that is already there.
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) return CreateError("cannot create", node.entry, path, errno);
  ZipFilePtr file(zip_fopen_index(archive, node.index, 0));
  if (file == nullptr) return Unreadable(zip_strerror(archive));
  zip_uint64_t written = 0;
  while (true) {
    zip_int64_t n = zip_fread(file.get(), buffer.data(), buffer.size());
    if (n < 0) return Unreadable(zip_file_strerror(file.get()));
    if (n == 0) break;
    written += static_cast<zip_uint64_t>(n);
    // The declared sizes passed the size limit; data beyond them is a lie (a zip bomb).
    if (written > node.size) return Unreadable("an entry is larger than its header says");
    STREAMSTACK_RETURN_IF_ERROR(
        WriteAll(fd.get(), buffer.data(), static_cast<std::size_t>(n), path));
  }
  if (written != node.size) return Unreadable("an entry is smaller than its header says");
  if (zip_fclose(file.release()) != 0) return Unreadable("CRC or consistency error");
  if (::fchmod(fd.get(), node.mode) != 0) return Internal("cannot chmod", path, errno);
  if (node.mtime >= 0) {
    const timespec times[2] = {{node.mtime, 0}, {node.mtime, 0}};
    if (::futimens(fd.get(), times) != 0) return Internal("cannot set the time of", path, errno);
  }
  if (fd.Close() != 0) return Internal("cannot close", path, errno);
  return Status::Ok();
}

// Builds the planned tree under `root` (an empty directory of ours): directories, then
// files, then symlinks (so nothing is ever written through one), then the directories'
// final modes, deepest first.
Status Apply(zip_t* archive, const Plan& plan, const fs::path& root) {
  const auto& nodes = plan.nodes();
  for (const auto& [path, node] : nodes) {
    if (node.kind != Kind::kDirectory) continue;
    const fs::path full = root / path;
    if (::mkdir(full.c_str(), 0700) != 0) {
      return CreateError("cannot create directory", node.entry, full, errno);
    }
  }
  std::vector<char> buffer(kCopyBufferBytes);
  for (const auto& [path, node] : nodes) {
    if (node.kind != Kind::kFile) continue;
    STREAMSTACK_RETURN_IF_ERROR(WriteFile(archive, node, root / path, buffer));
  }
  for (const auto& [path, node] : nodes) {
    if (node.kind != Kind::kSymlink) continue;
    const fs::path full = root / path;
    if (::symlink(node.target.c_str(), full.c_str()) != 0) {
      return CreateError("cannot create symlink", node.entry, full, errno);
    }
  }
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    if (it->second.kind != Kind::kDirectory) continue;
    const fs::path full = root / it->first;
    if (::chmod(full.c_str(), it->second.mode) != 0) return Internal("cannot chmod", full, errno);
  }
  if (::chmod(root.c_str(), kDefaultDirMode) != 0) return Internal("cannot chmod", root, errno);
  return Status::Ok();
}

// Removes the temporary tree unless it was renamed into place.
class TemporaryTree {
 public:
  explicit TemporaryTree(fs::path path) : path_(std::move(path)) {}
  ~TemporaryTree() {
    if (path_.empty()) return;
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TemporaryTree(const TemporaryTree&) = delete;
  TemporaryTree& operator=(const TemporaryTree&) = delete;
  const fs::path& path() const { return path_; }
  void Keep() { path_.clear(); }

 private:
  fs::path path_;
};

}  // namespace

Status UnpackZip(std::string_view zip_bytes, const fs::path& destination) {
  fs::path dest = destination;
  if (!dest.has_filename()) dest = dest.parent_path();  // "code/" -> "code"
  if (dest.empty()) {
    return {AwsError::kInternalFailure, "unzip: no destination directory given"};
  }
  std::error_code ec;
  const fs::file_status existing = fs::symlink_status(dest, ec);
  if (fs::is_directory(existing)) return Status::Ok();  // unpacked before: see the contract
  if (fs::exists(existing)) {
    return {AwsError::kInternalFailure,
            "unzip: " + dest.string() + " exists and is not a directory"};
  }

  // libzip would open zero bytes as an empty archive; AWS wants at least the end record.
  if (zip_bytes.empty()) return Unreadable("no bytes");
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(zip_bytes.data(), zip_bytes.size(), 0, &error);
  if (source == nullptr) {
    zip_error_fini(&error);
    return {AwsError::kInternalFailure, "unzip: cannot create a libzip buffer source"};
  }
  ZipPtr archive(zip_open_from_source(source, ZIP_RDONLY, &error));
  if (archive == nullptr) {
    zip_source_free(source);
    Status status = Unreadable(zip_error_strerror(&error));
    zip_error_fini(&error);
    return status;
  }
  zip_error_fini(&error);

  Plan plan;
  STREAMSTACK_RETURN_IF_ERROR(ReadPlan(archive.get(), plan));

  fs::path parent = dest.parent_path();
  if (parent.empty()) parent = ".";
  fs::create_directories(parent, ec);
  if (ec) return Internal("cannot create directory", parent, ec.value());
  std::string pattern = (parent / ("." + dest.filename().string() + ".unpack-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Internal("cannot create a temporary directory in", parent, errno);
  }
  TemporaryTree tree{fs::path(pattern)};
  STREAMSTACK_RETURN_IF_ERROR(Apply(archive.get(), plan, tree.path()));

  int rc = ::renameat2(AT_FDCWD, tree.path().c_str(), AT_FDCWD, dest.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
    // A file system without RENAME_NOREPLACE: rename() still cannot replace a non-empty
    // directory, and an empty one it replaces holds the same (empty) tree.
    rc = ::rename(tree.path().c_str(), dest.c_str());
  }
  if (rc == 0) {
    tree.Keep();
    return Status::Ok();
  }
  const int err = errno;
  if ((err == EEXIST || err == ENOTEMPTY) && fs::is_directory(fs::symlink_status(dest, ec))) {
    return Status::Ok();  // a concurrent caller was first; ours is discarded
  }
  return Internal("cannot rename the unpacked tree to", dest, err);
}

}  // namespace streamstack::runtime
