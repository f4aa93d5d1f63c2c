// runtime: unpacking a function's zip package into the directory its sandboxes run from, as
// Lambda does before it starts one. Private to the runtime module; uses libzip (never
// included here). UnpackZip may be called from any thread, concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "streamstack/common/status.h"

namespace streamstack::runtime {

// AWS: "Unzipped size must be smaller than 262144000 bytes" (250 MiB, the sum of every
// entry's uncompressed size).
inline constexpr std::uint64_t kMaxUnzippedBytes = 262144000;

// Unpacks the zip archive `zip_bytes` so that `destination` becomes a directory holding its
// tree. Reads the archive from memory; `zip_bytes` is only read during the call.
//
// What the tree holds:
// - every file with the permission bits the zip records (the Unix mode in the external
//   attributes when the entry was made on Unix, executable bits included; set-id and sticky
//   bits are dropped; an entry whose recorded permission bits are all zero, or that was not
//   made on Unix, gets 0644); files keep the zip's modification time;
// - every directory, also those the zip only implies ("a/b/c.txt" without "a/" entries),
//   with its recorded mode plus owner rwx (so the tree can always be removed), else 0755;
//   `destination` itself is 0755;
// - symlink entries (Unix mode S_IFLNK, as `zip -y` writes them) as symlinks, as AWS keeps
//   them; a symlink may point at a missing path inside the tree;
// - duplicate names: the last file (or symlink) entry of a name wins, as with unzip; a
//   name used for two kinds (file, directory, symlink) is rejected.
// The modes are applied with chmod, so the caller's umask does not change them. Names are
// taken as libzip decodes them (UTF-8 when flagged or valid, else CP437 turned into UTF-8);
// '/' separates components and '\' is an ordinary character, as on AWS's Linux.
//
// Returns Ok when `destination` holds the tree, including when it already existed as a
// directory (see the concurrency contract). Errors, after which nothing exists under
// `destination` and nothing was written outside it:
// - kInvalidParameterValue, the user's archive:
//   - "Unzipped size must be smaller than 262144000 bytes" when the entries' sizes add up
//     to more than kMaxUnzippedBytes;
//   - "Could not unzip uploaded file. Please check your file, then try to upload again."
//     (AWS's words, exactly) when libzip cannot read it: not a zip, truncated, bad CRC,
//     an entry larger than its header says, encrypted, an unsupported compression method;
//   - the same sentence followed by the reason for an entry that could escape
//     `destination` (an absolute path; a ".." component; a path through a symlink of the
//     archive; a symlink whose target, following the archive's other symlinks, leaves the
//     tree or is absolute; a symlink loop), a name used for two kinds, a device or FIFO
//     entry, an empty or over-long name or symlink target.
// - kInternalFailure: our own I/O failed (cannot create the parent directory or the
//   temporary directory, disk full, ...); `destination` exists as something other than a
//   directory.
//
// Everything is checked before anything is written: the whole archive is read into a plan
// (names, kinds, modes, symlink targets) and validated as a tree first. Files are then
// created with O_EXCL | O_NOFOLLOW and symlinks last, so no write ever follows a symlink.
//
// Atomicity and concurrency: the tree is built in a fresh temporary sibling directory
// (".<name>.unpack-XXXXXX" beside `destination`) and renamed onto `destination` at the end
// (renameat2 RENAME_NOREPLACE), so `destination` is either absent or complete. Callers
// (threads or processes) racing for the same `destination` each build their own copy; the
// first rename wins and the others discard theirs and return Ok. Hence the contract:
// `destination` must be named after the archive's content (e.g. its CodeSha256), because a
// call never replaces or checks an existing tree. The parent of `destination` is created
// when missing. A process killed mid-unpack leaves its ".<name>.unpack-*" sibling behind
// (never `destination`); the owner of the parent directory may sweep those at startup.
// Nothing is fsynced: after a power loss, re-unpack rather than trust an old tree.
[[nodiscard]] Status UnpackZip(std::string_view zip_bytes,
                               const std::filesystem::path& destination);

}  // namespace streamstack::runtime
