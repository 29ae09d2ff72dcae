// Replays inputs through a fuzz target without libFuzzer, so every regression input (and the
// seed corpus) runs as a normal test, under ASan/UBSan in the sanitizer build:
//   <target>_replay FILE_OR_DIR...
// Each file is fed once to LLVMFuzzerTestOneInput (after LLVMFuzzerInitialize, when the target
// has one). A crash, a sanitizer report or an allocation larger than FM_REPLAY_MALLOC_LIMIT_MB
// (default 512; checked where the sanitizer runtime offers malloc hooks) fails the test, as
// libFuzzer's -malloc_limit_mb would.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" __attribute__((weak)) int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void*, size_t), void (*free_hook)(const volatile void*));

namespace {

size_t malloc_limit = size_t{512} << 20;
const char* current_input = "";

void MallocHook(const volatile void* /*ptr*/, size_t size) {
  if (size > malloc_limit) {
    std::fprintf(stderr, "replay: %s: one allocation of %zu bytes exceeds the %zu MiB limit\n",
                 current_input, size, malloc_limit >> 20);
    std::abort();
  }
}

void FreeHook(const volatile void* /*ptr*/) {}

void Collect(const std::string& path, std::vector<std::string>* files) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return;  // a missing directory has no inputs
  if (!S_ISDIR(st.st_mode)) {
    files->push_back(path);
    return;
  }
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return;
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name != "." && name != ".." && name[0] != '.' && name != "README.md") names.push_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) Collect(path + "/" + name, files);
}

bool ReadFile(const std::string& path, std::vector<uint8_t>* out) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  out->clear();
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out->insert(out->end(), buf, buf + n);
  std::fclose(f);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (const char* limit = std::getenv("FM_REPLAY_MALLOC_LIMIT_MB")) {
    malloc_limit = static_cast<size_t>(std::strtoull(limit, nullptr, 10)) << 20;
  }
  if (__sanitizer_install_malloc_and_free_hooks != nullptr) {
    __sanitizer_install_malloc_and_free_hooks(MallocHook, FreeHook);
  }
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> files;
  for (int i = 1; i < argc; i++) Collect(argv[i], &files);
  std::vector<uint8_t> data;
  for (const std::string& file : files) {
    if (!ReadFile(file, &data)) {
      std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
      return 1;
    }
    current_input = file.c_str();
    LLVMFuzzerTestOneInput(data.data(), data.size());
  }
  std::printf("replayed %zu inputs\n", files.size());
  return 0;
}
