#include "io/file.h"

#include <unistd.h>

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

Status WriteFileAtomic(FileSystem* fs, const std::string& path, ByteView data) {
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
