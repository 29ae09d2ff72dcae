// libFuzzer target for the page codecs (src/parquet/compression.cc).
// Input: byte 0 picks the codec id (mod 8; LZO is skipped), bytes 1-4 are out_len (little-endian,
// reduced to at most 1 MiB), the rest is the compressed page. Every Decompress must return OK or
// Corruption and write nothing past out_len (ASan, plus a guard pattern). The same rest bytes are
// then compressed and decompressed, which must reproduce them.
// FM_FUZZ_CODEC=<id> in the environment pins the codec, to spend a run on one codec family.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "parquet/compression.h"

namespace {

using featmerge::ByteBuffer;
using featmerge::ByteView;
using featmerge::Status;
using featmerge::parquet::Codec;
using featmerge::parquet::Compression;
using featmerge::parquet::CompressionName;
using featmerge::parquet::MakeCodec;

constexpr int kCodecIds = 8;
constexpr uint32_t kMaxOutLen = 1u << 20;
constexpr size_t kGuardBytes = 256;
constexpr uint8_t kGuardByte = 0xA5;

int pinned_codec = -1;
// One codec per id for the whole run: reusing contexts across inputs is what production does,
// and it lets the fuzzer find state leaking from one page into the next.
std::unique_ptr<Codec> codecs[kCodecIds];

[[noreturn]] void Die(const char* what, Compression id, const Status& status) {
  std::fprintf(stderr, "%s (%s): %s\n", what, CompressionName(id), status.ToString().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  if (const char* pinned = std::getenv("FM_FUZZ_CODEC")) pinned_codec = std::atoi(pinned);
  for (int id = 0; id < kCodecIds; ++id) {
    auto made = MakeCodec(static_cast<Compression>(id));
    if (made.ok()) codecs[id] = std::move(made).ValueOrDie();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  int id = pinned_codec >= 0 ? pinned_codec : data[0] % kCodecIds;
  Codec* codec = id < kCodecIds ? codecs[id].get() : nullptr;
  if (codec == nullptr) return 0;  // LZO
  uint32_t out_len;
  std::memcpy(&out_len, data + 1, sizeof(out_len));
  out_len %= kMaxOutLen + 1;
  ByteView page(data + 5, size - 5);

  // out_len bytes followed by a guard. Our code is instrumented, so ASan reports its overruns;
  // the libraries are Debian's uninstrumented builds, whose overruns only the guard pattern can
  // reveal (the wild copies of lz4 and snappy overshoot by at most a few dozen bytes).
  std::unique_ptr<uint8_t[]> out(new uint8_t[out_len + kGuardBytes]);
  std::memset(out.get() + out_len, kGuardByte, kGuardBytes);
  Status status = codec->Decompress(page, out.get(), out_len);
  if (!status.ok() && !status.IsCorruption()) Die("Decompress", codec->id(), status);
  for (size_t guard_idx = 0; guard_idx < kGuardBytes; ++guard_idx) {
    if (out[out_len + guard_idx] != kGuardByte) Die("wrote past out_len", codec->id(), status);
  }

  ByteBuffer compressed;
  status = codec->Compress(page, &compressed);
  if (!status.ok()) Die("Compress", codec->id(), status);
  std::unique_ptr<uint8_t[]> restored(new uint8_t[page.size()]);
  status = codec->Decompress(compressed, restored.get(), page.size());
  if (!status.ok()) Die("round trip", codec->id(), status);
  if (!page.empty() && std::memcmp(restored.get(), page.data(), page.size()) != 0) {
    Die("round trip changed the bytes", codec->id(), Status::OK());
  }
  return 0;
}
