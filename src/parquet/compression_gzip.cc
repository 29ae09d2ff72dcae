// GZIP pages through zlib: RFC 1952 gzip members on write; gzip or zlib (RFC 1950) on read.
#define ZLIB_CONST  // next_in becomes a pointer to const
#include <zlib.h>

#include <cstring>
#include <memory>
#include <string>

#include "parquet/compression_internal.h"

namespace featmerge::parquet::internal {
namespace {

// windowBits: 15 is deflate's largest window; +16 writes a gzip wrapper, +32 makes inflate
// detect gzip or zlib from the header.
constexpr int kWindowBits = 15;
constexpr int kGzipWrapper = 16;
constexpr int kDetectWrapper = 32;
constexpr int kMemLevel = 8;  // zlib's default; deflateBound below is exact for it

class GzipCodec final : public CodecBase {
 public:
  explicit GzipCodec(int level) : CodecBase(Compression::kGzip), level_(level) {}
  ~GzipCodec() override {
    if (inflate_ready_) inflateEnd(&inflate_);
    if (deflate_ready_) deflateEnd(&deflate_);
  }
  GzipCodec(const GzipCodec&) = delete;
  GzipCodec& operator=(const GzipCodec&) = delete;

 protected:
  Status DecompressImpl(ByteView in, uint8_t* out, size_t out_len) override {
    FM_RETURN_IF_ERROR(PrepareInflate());
    // CodecBase capped both sizes at 2^31-1, so they fit zlib's uInt.
    inflate_.next_in = in.data();
    inflate_.avail_in = static_cast<uInt>(in.size());
    inflate_.next_out = out;
    inflate_.avail_out = static_cast<uInt>(out_len);
    for (;;) {
      int rc = inflate(&inflate_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        if (inflate_.avail_in == 0) break;
        // More input after a complete member: RFC 1952 lets a gzip file be several members back
        // to back (what `cat a.gz b.gz` produces), and the page is their concatenation. Anything
        // that is not a valid member header fails on the next inflate call.
        inflateReset(&inflate_);
        continue;
      }
      // Z_OK means progress was made; inflate reports Z_BUF_ERROR once it cannot make any, so
      // this loop ends.
      if (rc == Z_OK) continue;
      size_t produced = out_len - inflate_.avail_out;
      if (rc == Z_BUF_ERROR) {
        if (inflate_.avail_in == 0) return Truncated(produced, out_len);
        return TooLarge(out_len);
      }
      if (rc == Z_MEM_ERROR) return Status::ResourceExhausted("GZIP: inflate is out of memory");
      return Failed(inflate_.msg != nullptr ? inflate_.msg : zError(rc), out_len);
    }
    size_t produced = out_len - inflate_.avail_out;
    if (produced != out_len) return SizeMismatch(produced, out_len);
    return Status::OK();
  }

  Status CompressImpl(ByteView in, ByteBuffer* out) override {
    FM_RETURN_IF_ERROR(PrepareDeflate());
    // deflateBound covers the gzip wrapper and incompressible input, so one Z_FINISH call
    // completes the member.
    out->resize(deflateBound(&deflate_, static_cast<uLong>(in.size())));
    deflate_.next_in = in.data();
    deflate_.avail_in = static_cast<uInt>(in.size());
    deflate_.next_out = out->data();
    deflate_.avail_out = static_cast<uInt>(out->size());
    int rc = deflate(&deflate_, Z_FINISH);
    if (rc != Z_STREAM_END) {
      out->clear();
      return Status::Internal(std::string("GZIP compression failed: ") +
                              (deflate_.msg != nullptr ? deflate_.msg : zError(rc)));
    }
    out->resize(deflate_.total_out);
    return Status::OK();
  }

 private:
  // The z_streams are set up once and reset per page: inflateInit/deflateInit allocate the window
  // and hash tables (about 256 KiB for deflate, 39 KiB for inflate) that reset keeps.
  Status PrepareInflate() {
    if (inflate_ready_) {
      inflateReset(&inflate_);
      return Status::OK();
    }
    std::memset(&inflate_, 0, sizeof(inflate_));
    int rc = inflateInit2(&inflate_, kWindowBits + kDetectWrapper);
    if (rc != Z_OK) return InitFailed("inflate", rc, &inflate_);
    inflate_ready_ = true;
    return Status::OK();
  }
  Status PrepareDeflate() {
    if (deflate_ready_) {
      deflateReset(&deflate_);
      return Status::OK();
    }
    std::memset(&deflate_, 0, sizeof(deflate_));
    int rc = deflateInit2(&deflate_, level_, Z_DEFLATED, kWindowBits + kGzipWrapper, kMemLevel,
                          Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) return InitFailed("deflate", rc, &deflate_);
    deflate_ready_ = true;
    return Status::OK();
  }
  static Status InitFailed(const char* what, int rc, const z_stream* stream) {
    std::string message = std::string("GZIP: cannot set up ") + what + ": " +
                          (stream->msg != nullptr ? stream->msg : zError(rc));
    if (rc == Z_MEM_ERROR) return Status::ResourceExhausted(message);
    return Status::Internal(message);
  }

  int level_;
  z_stream inflate_;
  z_stream deflate_;
  bool inflate_ready_ = false;
  bool deflate_ready_ = false;
};

}  // namespace

std::unique_ptr<Codec> MakeGzipCodec(int level) { return std::make_unique<GzipCodec>(level); }

}  // namespace featmerge::parquet::internal
