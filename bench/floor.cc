// floor: the physical lower bound of a merge, measured on the same bytes as the benchmark.
//
//   floor DATASET_DIR OUTPUT.parquet [--level N]
//
// Three single-threaded phases, each timed in CPU seconds of this thread (and wall seconds):
//   read        every *.parquet of DATASET_DIR read with read(2) into a 1 MiB buffer (what
//               `cat files > /dev/null` does). The page cache is NOT dropped: this is a warm read.
//   decompress  every page of every column chunk of those inputs decompressed with the file's
//               codec (PageReader::Next + Decompress; CRCs not verified). Only the page loop is
//               timed, not the reads of the chunks.
//   compress    every page of OUTPUT.parquet decompressed (untimed), then its uncompressed bytes
//               compressed again with zstd at --level (default 1), timed: what any writer of the
//               same output at that codec and level must spend at least. For DATA_PAGE_V2 pages
//               only the values section is compressed (levels are stored uncompressed).
// Prints one JSON object on stdout. The benchmark's floor wall time is
// (read + decompress + compress CPU seconds) / cores, i.e. perfectly parallel and nothing else.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "base/byte_view.h"
#include "base/status.h"
#include "io/file.h"
#include "parquet/compression.h"
#include "parquet/file_reader.h"
#include "parquet/page_reader.h"

namespace fm = featmerge;
namespace pq = featmerge::parquet;

namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double WallSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Timer {
  double cpu = 0, wall = 0;
  double cpu0 = 0, wall0 = 0;
  void Start() {
    cpu0 = ThreadCpuSeconds();
    wall0 = WallSeconds();
  }
  void Stop() {
    cpu += ThreadCpuSeconds() - cpu0;
    wall += WallSeconds() - wall0;
  }
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "floor: %s\n", message.c_str());
  std::exit(1);
}

void Check(const fm::Status& s) {
  if (!s.ok()) Die(s.ToString());
}

std::vector<std::string> ParquetFiles(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) Die("cannot open directory " + dir + ": " + std::strerror(errno));
  std::vector<std::string> files;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 8 && name[0] != '.' && name.compare(name.size() - 8, 8, ".parquet") == 0) {
      files.push_back(fm::io::JoinPath(dir, name));
    }
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  if (files.empty()) Die("no *.parquet files in " + dir);
  return files;
}

// Phase 1: read every file sequentially to a scratch buffer, as cat > /dev/null.
uint64_t ReadAll(const std::vector<std::string>& files, Timer* t) {
  std::vector<char> buf(1 << 20);
  uint64_t total = 0;
  t->Start();
  for (const auto& f : files) {
    int fd = open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) Die("cannot open " + f + ": " + std::strerror(errno));
    for (;;) {
      ssize_t n = read(fd, buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        Die("read " + f + ": " + std::strerror(errno));
      }
      if (n == 0) break;
      total += static_cast<uint64_t>(n);
    }
    close(fd);
  }
  t->Stop();
  return total;
}

struct PageStats {
  uint64_t pages = 0;
  uint64_t chunks = 0;
  uint64_t stored_bytes = 0;        // page bodies as stored
  uint64_t uncompressed_bytes = 0;  // after decompression
  uint64_t recompressed_bytes = 0;  // compress phase only
};

// Calls fn(page, uncompressed bytes) for every page of every chunk of `path`. When
// decompress_timer is given it runs around each chunk's page loop (header parsing and
// decompression, not the chunk's read); otherwise fn does its own timing.
template <typename Fn>
void ForEachPage(const std::string& path, PageStats* stats, Timer* decompress_timer, Fn&& fn) {
  pq::ReaderOptions ro;
  ro.verify_crc = false;
  auto opened = pq::ParquetFileReader::Open(fm::io::DefaultFileSystem(), path, ro);
  if (!opened.ok()) Die(opened.status().ToString());
  std::unique_ptr<pq::ParquetFileReader> reader = std::move(opened).ValueOrDie();
  fm::ByteBuffer chunk, page_bytes;
  for (int rg = 0; rg < reader->num_row_groups(); rg++) {
    for (int col = 0; col < reader->num_columns(); col++) {
      uint64_t start = 0, length = 0;
      reader->ChunkRange(rg, col, &start, &length);
      Check(reader->file().ReadAt(start, length, &chunk));
      const pq::ColumnMetaData& md = reader->column_meta(rg, col);
      pq::PageReader pages(fm::ByteView(chunk), start, md.num_values, md.codec, false,
                           reader->Where(rg, col));
      stats->chunks++;
      pq::Page page;
      if (decompress_timer) decompress_timer->Start();
      for (;;) {
        auto more = pages.Next(&page);
        if (!more.ok()) Die(more.status().ToString());
        if (!*more) break;
        Check(pages.Decompress(page, &page_bytes));
        stats->pages++;
        stats->stored_bytes += page.body.size();
        stats->uncompressed_bytes += page_bytes.size();
        fn(page, page_bytes);
      }
      if (decompress_timer) decompress_timer->Stop();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir, output;
  int level = 1;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--level" && i + 1 < argc) {
      level = std::atoi(argv[++i]);
    } else if (a == "-h" || a == "--help") {
      std::printf("usage: floor DATASET_DIR OUTPUT.parquet [--level N]\n");
      return 0;
    } else if (dir.empty()) {
      dir = a;
    } else if (output.empty()) {
      output = a;
    } else {
      Die("unexpected argument " + a);
    }
  }
  if (dir.empty() || output.empty()) Die("usage: floor DATASET_DIR OUTPUT.parquet [--level N]");

  const std::vector<std::string> inputs = ParquetFiles(dir);

  Timer read_t;
  const uint64_t read_bytes = ReadAll(inputs, &read_t);

  Timer decompress_t;
  PageStats in;
  for (const auto& f : inputs) {
    ForEachPage(f, &in, &decompress_t, [](const pq::Page&, const fm::ByteBuffer&) {});
  }

  auto made = pq::MakeCodec(pq::Compression::kZstd, level);
  if (!made.ok()) Die(made.status().ToString());
  std::unique_ptr<pq::Codec> zstd = std::move(made).ValueOrDie();
  Timer compress_t;
  PageStats out;
  fm::ByteBuffer compressed;
  ForEachPage(output, &out, nullptr, [&](const pq::Page& page, const fm::ByteBuffer& bytes) {
    size_t skip = 0;
    if (page.header.data_page_header_v2) {
      const auto& v2 = *page.header.data_page_header_v2;
      skip = static_cast<size_t>(v2.definition_levels_byte_length) +
             static_cast<size_t>(v2.repetition_levels_byte_length);
      skip = std::min(skip, bytes.size());
    }
    compress_t.Start();
    Check(zstd->Compress(fm::ByteView(bytes).subspan(skip), &compressed));
    compress_t.Stop();
    out.recompressed_bytes += compressed.size() + skip;
  });

  struct stat st{};
  if (stat(output.c_str(), &st) != 0) Die("stat " + output + ": " + std::strerror(errno));

  std::printf(
      "{\"inputs\":%zu,\"read_bytes\":%llu,\"read_cpu_s\":%.4f,\"read_wall_s\":%.4f,"
      "\"input_pages\":%llu,\"input_chunks\":%llu,\"input_stored_page_bytes\":%llu,"
      "\"input_uncompressed_bytes\":%llu,\"decompress_cpu_s\":%.4f,\"decompress_wall_s\":%.4f,"
      "\"output_bytes\":%llu,\"output_pages\":%llu,\"output_chunks\":%llu,"
      "\"output_stored_page_bytes\":%llu,\"output_uncompressed_bytes\":%llu,"
      "\"recompressed_bytes\":%llu,\"zstd_level\":%d,\"compress_cpu_s\":%.4f,"
      "\"compress_wall_s\":%.4f,\"total_cpu_s\":%.4f}\n",
      inputs.size(), static_cast<unsigned long long>(read_bytes), read_t.cpu, read_t.wall,
      static_cast<unsigned long long>(in.pages), static_cast<unsigned long long>(in.chunks),
      static_cast<unsigned long long>(in.stored_bytes),
      static_cast<unsigned long long>(in.uncompressed_bytes), decompress_t.cpu, decompress_t.wall,
      static_cast<unsigned long long>(st.st_size), static_cast<unsigned long long>(out.pages),
      static_cast<unsigned long long>(out.chunks),
      static_cast<unsigned long long>(out.stored_bytes),
      static_cast<unsigned long long>(out.uncompressed_bytes),
      static_cast<unsigned long long>(out.recompressed_bytes), level, compress_t.cpu,
      compress_t.wall, read_t.cpu + decompress_t.cpu + compress_t.cpu);
  return 0;
}
