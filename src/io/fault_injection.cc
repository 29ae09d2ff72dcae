#include "io/fault_injection.h"

#include <unistd.h>

namespace featmerge::io {
namespace {

class FaultFile final : public AppendFile {
 public:
  FaultFile(FaultInjectionFileSystem* fs, std::unique_ptr<AppendFile> base)
      : fs_(fs), base_(std::move(base)) {}
  Status Append(ByteView data) override {
    FM_RETURN_IF_ERROR(fs_->BeforeAppend(path(), data.size()));
    return base_->Append(data);
  }
  Status Flush() override {
    FM_RETURN_IF_ERROR(fs_->CheckAlive(path()));
    return base_->Flush();
  }
  Status Sync() override {
    FM_RETURN_IF_ERROR(fs_->BeforeSync(path()));
    FM_RETURN_IF_ERROR(base_->Sync());
    fs_->Synced(path(), base_->size());
    return Status::OK();
  }
  Status Close() override {
    // A dead process closes nothing: its buffered bytes never reach the disk.
    FM_RETURN_IF_ERROR(fs_->CheckAlive(path()));
    return base_->Close();
  }
  uint64_t size() const override { return base_->size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  FaultInjectionFileSystem* fs_;
  std::unique_ptr<AppendFile> base_;
};

}  // namespace

void FaultInjectionFileSystem::FailWritesAfter(int64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  write_budget_ = bytes < 0 ? -1 : appended_ + bytes;
}

void FaultInjectionFileSystem::FailNthSync(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  sync_countdown_ = n;
}

int64_t FaultInjectionFileSystem::bytes_appended() const {
  std::lock_guard<std::mutex> lock(mu_);
  return appended_;
}

void FaultInjectionFileSystem::SetDead() {
  std::lock_guard<std::mutex> lock(mu_);
  dead_ = true;
}

bool FaultInjectionFileSystem::dead() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dead_;
}

Status FaultInjectionFileSystem::CheckAlive(const std::string& what) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_) return Status::IOError("'" + what + "': the machine lost power (injected)");
  return Status::OK();
}

Status FaultInjectionFileSystem::BeforeAppend(const std::string& path, size_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_) return Status::IOError("'" + path + "': the machine lost power (injected)");
  if (write_budget_ >= 0 && appended_ + static_cast<int64_t>(bytes) > write_budget_) {
    return Status::ResourceExhausted("cannot write '" + path + "': No space left on device (injected)");
  }
  appended_ += static_cast<int64_t>(bytes);
  return Status::OK();
}

Status FaultInjectionFileSystem::BeforeSync(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_) return Status::IOError("'" + path + "': the machine lost power (injected)");
  if (sync_countdown_ > 0 && --sync_countdown_ == 0) {
    return Status::IOError("cannot fsync '" + path + "': Input/output error (injected)");
  }
  return Status::OK();
}

void FaultInjectionFileSystem::Synced(const std::string& path, uint64_t length) {
  std::lock_guard<std::mutex> lock(mu_);
  synced_[path] = length;
}

Result<std::unique_ptr<AppendFile>> FaultInjectionFileSystem::CreateForAppend(const std::string& path) {
  FM_ASSIGN_OR_RETURN(auto file, base_->CreateForAppend(path));
  {
    std::lock_guard<std::mutex> lock(mu_);
    synced_[path] = 0;
  }
  return std::unique_ptr<AppendFile>(new FaultFile(this, std::move(file)));
}

Result<std::unique_ptr<AppendFile>> FaultInjectionFileSystem::ReopenForAppend(const std::string& path,
                                                                              uint64_t length) {
  FM_ASSIGN_OR_RETURN(auto file, base_->ReopenForAppend(path, length));
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = synced_.find(path);
    if (it == synced_.end() || it->second > length) synced_[path] = length;
  }
  return std::unique_ptr<AppendFile>(new FaultFile(this, std::move(file)));
}

Status FaultInjectionFileSystem::RenameDurable(const std::string& from, const std::string& to) {
  FM_RETURN_IF_ERROR(CheckAlive(from));
  FM_RETURN_IF_ERROR(base_->RenameDurable(from, to));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = synced_.find(from);
  if (it != synced_.end()) {
    synced_[to] = it->second;
    synced_.erase(it);
  }
  return Status::OK();
}

Status FaultInjectionFileSystem::Remove(const std::string& path) {
  FM_RETURN_IF_ERROR(CheckAlive(path));
  FM_RETURN_IF_ERROR(base_->Remove(path));
  std::lock_guard<std::mutex> lock(mu_);
  synced_.erase(path);
  return Status::OK();
}

Status FaultInjectionFileSystem::DropUnsyncedData() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [path, length] : synced_) {
    auto info = base_->Stat(path);
    if (!info.ok()) continue;
    if (info->size > length) {
      if (::truncate(path.c_str(), static_cast<off_t>(length)) != 0) {
        return Status::IOError("cannot truncate '" + path + "' to simulate a power loss");
      }
    }
  }
  return Status::OK();
}

}  // namespace featmerge::io
