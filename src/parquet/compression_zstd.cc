// ZSTD pages: one zstd frame (or several back to back) per page.
#include <zstd.h>
#include <zstd_errors.h>

#include <memory>
#include <string>

#include "parquet/compression_internal.h"

namespace featmerge::parquet::internal {
namespace {

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* cctx) const { ZSTD_freeCCtx(cctx); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* dctx) const { ZSTD_freeDCtx(dctx); }
};

class ZstdCodec final : public CodecBase {
 public:
  explicit ZstdCodec(int level) : CodecBase(Compression::kZstd), level_(level) {}

 protected:
  Status DecompressImpl(ByteView in, uint8_t* out, size_t out_len) override {
    // One context per thread, not per codec: readers make a codec per column chunk, and
    // creating a context (about 100 KiB of tables) per chunk cost 4% of a merge's CPU.
    // ZSTD_decompressDCtx starts every call from a clean state, so sharing is safe.
    thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx(ZSTD_createDCtx());
    if (dctx == nullptr) {
      return Status::ResourceExhausted("ZSTD: cannot allocate a decompression context");
    }
    // One-shot decoding straight into the caller's buffer. It ignores the content size a frame
    // header may declare (absent when the writer streamed the frame, possibly huge when the data
    // is hostile): output is bounded by out_len, and the context's memory is fixed because the
    // window is the output buffer itself. Concatenated frames and skippable frames are accepted,
    // as the zstd format allows.
    size_t produced = ZSTD_decompressDCtx(dctx.get(), out, out_len, in.data(), in.size());
    if (ZSTD_isError(produced)) {
      if (ZSTD_getErrorCode(produced) == ZSTD_error_dstSize_tooSmall) return TooLarge(out_len);
      return Failed(ZSTD_getErrorName(produced), out_len);
    }
    if (produced != out_len) return SizeMismatch(produced, out_len);
    return Status::OK();
  }

  Status CompressImpl(ByteView in, ByteBuffer* out) override {
    if (cctx_ == nullptr) {
      cctx_.reset(ZSTD_createCCtx());
      if (cctx_ == nullptr) {
        return Status::ResourceExhausted("ZSTD: cannot allocate a compression context");
      }
    }
    // ZSTD_compressBound is a worst case, so compression cannot run out of room; the frame
    // records the content size, which some readers use to size their buffer.
    out->resize(ZSTD_compressBound(in.size()));
    size_t written =
        ZSTD_compressCCtx(cctx_.get(), out->data(), out->size(), in.data(), in.size(), level_);
    if (ZSTD_isError(written)) {
      out->clear();
      return Status::Internal(std::string("ZSTD compression failed: ") +
                              ZSTD_getErrorName(written));
    }
    out->resize(written);
    return Status::OK();
  }

 private:
  int level_;
  std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx_;
};

}  // namespace

std::unique_ptr<Codec> MakeZstdCodec(int level) { return std::make_unique<ZstdCodec>(level); }

}  // namespace featmerge::parquet::internal
