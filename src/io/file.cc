#include "io/file.h"

#include <unistd.h>

#include <cerrno>

#include "io/probes.h"

namespace featmerge::io {

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty() || dir == ".") return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

namespace {

// Temp files of writers killed before their rename (kill -9, power loss) would stay beside
// `path` forever: remove those whose writer process is gone. A temp whose pid is alive (another
// writer, or an unrelated process that reused the pid) is left alone.
void RemoveStaleTemps(FileSystem* fs, const std::string& path) {
  auto names = fs->ListDir(DirName(path));
  if (!names.ok()) return;
  const std::string prefix = BaseName(path) + ".tmp.";
  for (const std::string& name : *names) {
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid <= 0 || pid == ::getpid() || ProcessIsRunning(pid)) continue;
    (void)fs->Remove(JoinPath(DirName(path), name));
  }
}

}  // namespace

Status WriteFileAtomic(FileSystem* fs, const std::string& path, ByteView data) {
  RemoveStaleTemps(fs, path);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    FM_ASSIGN_OR_RETURN(auto file, fs->CreateForAppend(tmp));
    Status s = file->Append(data);
    if (s.ok()) s = file->Sync();
    if (s.ok()) s = file->Close();
    if (!s.ok()) {
      (void)fs->Remove(tmp);
      return s;
    }
  }
  Status s = fs->RenameDurable(tmp, path);
  if (!s.ok()) (void)fs->Remove(tmp);
  return s;
}

Result<std::string> ReadWholeFile(FileSystem* fs, const std::string& path, uint64_t max_bytes) {
  FM_ASSIGN_OR_RETURN(auto file, fs->OpenForRead(path));
  if (file->size() > max_bytes) {
    return Status::InvalidArgument("'" + path + "' is larger than " + std::to_string(max_bytes) +
                                   " bytes");
  }
  std::string text(file->size(), '\0');
  FM_RETURN_IF_ERROR(
      file->ReadAt(0, file->size(), reinterpret_cast<uint8_t*>(text.data())));
  return text;
}

}  // namespace featmerge::io
