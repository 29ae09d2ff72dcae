// LZ4_RAW pages (one bare LZ4 block) and pages of the deprecated LZ4 id, whose framing depends on
// the writer (docs/parquet_notes.md, "LZ4 framings"): Hadoop blocks, a bare block or an LZ4 frame.
#include <lz4.h>
#include <lz4frame.h>

#include <memory>
#include <string>

#include "parquet/compression_internal.h"

namespace featmerge::parquet::internal {
namespace {

// Decodes one block into at most `capacity` bytes at `out`; returns the decoded size, or -1 when
// the block is malformed or would decode to more. LZ4_decompress_safe never reads or writes
// outside the two buffers.
int DecodeBlock(const uint8_t* in, size_t in_len, uint8_t* out, size_t capacity) {
  // Callers keep both sizes within kMaxPageBytes, which fits int.
  int decoded = LZ4_decompress_safe(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out),
                                    static_cast<int>(in_len), static_cast<int>(capacity));
  return decoded < 0 ? -1 : decoded;
}

uint32_t LoadBE32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
void StoreBE32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// Compresses `in` as one block at *out + offset, leaving the first `offset` bytes for the caller
// to fill, and sets *block_size. `state` is the caller's reusable LZ4 stream state.
Status CompressBlock(LZ4_stream_t* state, ByteView in, size_t offset, ByteBuffer* out,
                     size_t* block_size) {
  if (in.size() > LZ4_MAX_INPUT_SIZE) {
    return Status::InvalidArgument("cannot LZ4-compress a page of " + std::to_string(in.size()) +
                                   " bytes: the limit is " + std::to_string(LZ4_MAX_INPUT_SIZE));
  }
  // LZ4_compressBound is a worst case, so the compressor cannot run out of room.
  int bound = LZ4_compressBound(static_cast<int>(in.size()));
  out->resize(offset + static_cast<size_t>(bound));
  int written = LZ4_compress_fast_extState(state, reinterpret_cast<const char*>(in.data()),
                                           reinterpret_cast<char*>(out->data() + offset),
                                           static_cast<int>(in.size()), bound, 1);
  if (written <= 0) {
    out->clear();
    return Status::Internal("LZ4 compression failed for " + std::to_string(in.size()) + " bytes");
  }
  *block_size = static_cast<size_t>(written);
  out->resize(offset + *block_size);
  return Status::OK();
}

class Lz4RawCodec final : public CodecBase {
 public:
  Lz4RawCodec() : CodecBase(Compression::kLz4Raw) {}

 protected:
  Status DecompressImpl(ByteView in, uint8_t* out, size_t out_len) override {
    int decoded = DecodeBlock(in.data(), in.size(), out, out_len);
    if (decoded < 0) return Failed("malformed block, or more output than that", out_len);
    if (static_cast<size_t>(decoded) != out_len) return SizeMismatch(decoded, out_len);
    return Status::OK();
  }
  Status CompressImpl(ByteView in, ByteBuffer* out) override {
    size_t block_size = 0;
    return CompressBlock(&state_, in, 0, out, &block_size);
  }

 private:
  LZ4_stream_t state_;  // compression state (16 KiB), reinitialised by every block compression
};

struct FrameContextDeleter {
  void operator()(LZ4F_dctx* dctx) const { LZ4F_freeDecompressionContext(dctx); }
};

constexpr size_t kHadoopPrefixBytes = 4;  // one big-endian u32 length

// An LZ4 frame starts with the frame magic 0x184D2204 or a skippable-frame magic 0x184D2A5?
// (little-endian). Anything else is not worth handing to the frame decoder.
bool StartsLikeFrame(ByteView in) {
  if (in.size() < 4) return false;
  uint32_t magic =
      uint32_t{in[0]} | (uint32_t{in[1]} << 8) | (uint32_t{in[2]} << 16) | (uint32_t{in[3]} << 24);
  return magic == 0x184D2204u || (magic & 0xFFFFFFF0u) == 0x184D2A50u;
}

// The deprecated LZ4 id. See docs/parquet_notes.md, "LZ4 framings", for who wrote what.
class Lz4HadoopCodec final : public CodecBase {
 public:
  Lz4HadoopCodec() : CodecBase(Compression::kLz4) {}

 protected:
  Status DecompressImpl(ByteView in, uint8_t* out, size_t out_len) override {
    // Hadoop framing first: its length prefixes almost never also parse as a bare block of the
    // right size, while a bare block almost never tiles as Hadoop chunks that add up to out_len.
    HadoopResult hadoop = DecodeHadoop(in, out, out_len);
    if (hadoop.ok) return Status::OK();
    int decoded = DecodeBlock(in.data(), in.size(), out, out_len);
    if (decoded >= 0 && static_cast<size_t>(decoded) == out_len) return Status::OK();
    if (StartsLikeFrame(in)) return DecodeFrame(in, out, out_len);
    // Report the framing the page most likely has.
    if (hadoop.plausible) return Failed("Hadoop framing: " + hadoop.problem, out_len);
    if (decoded >= 0) return SizeMismatch(decoded, out_len);
    return Failed("neither Hadoop-framed blocks, a raw LZ4 block nor an LZ4 frame", out_len);
  }

  // Hadoop framing as Arrow C++ and parquet-rs write it: one chunk, [uncompressed length]
  // [compressed length][block], covering the page. Pages of any size stay one chunk, as Arrow
  // does, so that Arrow versions reading only one chunk per page can read ours.
  Status CompressImpl(ByteView in, ByteBuffer* out) override {
    size_t block_size = 0;
    FM_RETURN_IF_ERROR(CompressBlock(&state_, in, 2 * kHadoopPrefixBytes, out, &block_size));
    StoreBE32(out->data(), static_cast<uint32_t>(in.size()));
    StoreBE32(out->data() + kHadoopPrefixBytes, static_cast<uint32_t>(block_size));
    return Status::OK();
  }

 private:
  struct HadoopResult {
    bool ok = false;
    bool plausible = false;  // the page looks Hadoop-framed: report `problem`
    std::string problem;     // why decoding failed
  };

  // Hadoop's BlockCompressorStream: chunks of [u32 BE uncompressed length] followed by one or
  // more [u32 BE compressed length][LZ4 block] that together decode to that length. Arrow and
  // parquet-rs write one block per chunk; Hadoop writes several when one write() exceeds its
  // buffer (apache/arrow#43745). Accepted only when the chunks tile `in` exactly and decode to
  // exactly out_len bytes; every block is decoded into its own slice of `out`, so nothing is
  // written past out + out_len whatever the lengths say.
  static HadoopResult DecodeHadoop(ByteView in, uint8_t* out, size_t out_len) {
    HadoopResult result;
    auto fail = [&result](size_t pos, const std::string& what) {
      result.problem = what + " at byte " + std::to_string(pos);
      return result;
    };
    // A bare block that decodes to anything starts with a token announcing literals (>= 0x10),
    // and an LZ4 frame is recognised by its magic before this is consulted, so a first byte
    // below 0x10 (a length under 2^28) marks the page as Hadoop-framed for error messages.
    result.plausible = in.size() >= 2 * kHadoopPrefixBytes && in[0] < 0x10;
    size_t pos = 0;
    size_t produced = 0;
    while (pos < in.size()) {
      if (in.size() - pos < 2 * kHadoopPrefixBytes) return fail(pos, "truncated chunk header");
      size_t chunk_len = LoadBE32(in.data() + pos);
      if (chunk_len > out_len - produced) {
        return fail(pos, "chunk of " + std::to_string(chunk_len) + " bytes overruns the page");
      }
      pos += kHadoopPrefixBytes;
      size_t chunk_done = 0;
      // do-while: a chunk of length 0 still carries its one block (an LZ4 block of 0 bytes),
      // which is how Arrow writes an empty page.
      do {
        if (in.size() - pos < kHadoopPrefixBytes) return fail(pos, "truncated block header");
        size_t block_len = LoadBE32(in.data() + pos);
        if (block_len > in.size() - pos - kHadoopPrefixBytes) {
          return fail(pos, "block of " + std::to_string(block_len) + " bytes overruns the input");
        }
        pos += kHadoopPrefixBytes;
        // A block may decode to less than the rest of the chunk (several blocks per chunk).
        int decoded = DecodeBlock(in.data() + pos, block_len, out + produced + chunk_done,
                                  chunk_len - chunk_done);
        if (decoded < 0) return fail(pos, "malformed block, or more output than its chunk");
        pos += block_len;
        chunk_done += static_cast<size_t>(decoded);
      } while (chunk_done < chunk_len);
      produced += chunk_len;
    }
    if (produced != out_len) {
      return fail(pos, "chunks end after " + std::to_string(produced) + " bytes of output");
    }
    result.ok = true;
    return result;
  }

  // LZ4 frame format, possibly several frames back to back.
  Status DecodeFrame(ByteView in, uint8_t* out, size_t out_len) {
    if (frame_ == nullptr) {
      LZ4F_dctx* dctx = nullptr;
      if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) {
        return Status::ResourceExhausted("LZ4: cannot allocate a frame decompression context");
      }
      frame_.reset(dctx);
    } else {
      // A failed earlier page may have left the context mid-frame.
      LZ4F_resetDecompressionContext(frame_.get());
    }
    // The frame decoder's buffers are bounded by the format's largest block (4 MiB), not by any
    // size the data declares.
    size_t consumed = 0;
    size_t produced = 0;
    for (;;) {
      size_t src_size = in.size() - consumed;
      size_t dst_size = out_len - produced;
      size_t hint = LZ4F_decompress(frame_.get(), out + produced, &dst_size, in.data() + consumed,
                                    &src_size, nullptr);
      if (LZ4F_isError(hint)) {
        return Failed(std::string("LZ4 frame: ") + LZ4F_getErrorName(hint), out_len);
      }
      consumed += src_size;
      produced += dst_size;
      if (hint == 0 && consumed == in.size()) break;  // the last frame ended with the input
      if (src_size == 0 && dst_size == 0) {
        // No progress: either the input ran out mid-frame or the output is full.
        if (consumed == in.size()) return Truncated(produced, out_len);
        return TooLarge(out_len);
      }
    }
    if (produced != out_len) return SizeMismatch(produced, out_len);
    return Status::OK();
  }

  LZ4_stream_t state_;  // compression state (16 KiB), reinitialised by every block compression
  std::unique_ptr<LZ4F_dctx, FrameContextDeleter> frame_;
};

}  // namespace

std::unique_ptr<Codec> MakeLz4RawCodec() { return std::make_unique<Lz4RawCodec>(); }
std::unique_ptr<Codec> MakeLz4HadoopCodec() { return std::make_unique<Lz4HadoopCodec>(); }

}  // namespace featmerge::parquet::internal
