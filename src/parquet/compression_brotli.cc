// BROTLI pages: one RFC 7932 stream per page.
#include <brotli/decode.h>
#include <brotli/encode.h>

#include <memory>
#include <string>

#include "parquet/compression_internal.h"

namespace featmerge::parquet::internal {
namespace {

struct DecoderDeleter {
  void operator()(BrotliDecoderState* state) const { BrotliDecoderDestroyInstance(state); }
};

// Smallest window that covers the whole page (a window of 2^lgwin bytes holds 2^lgwin - 16 of
// them). Matches cannot reach further back than the page anyway, and a small window tells the
// reader's decoder to allocate a small ring buffer.
int WindowBitsFor(size_t size) {
  int lgwin = BROTLI_MIN_WINDOW_BITS;
  while (lgwin < BROTLI_MAX_WINDOW_BITS && (size_t{1} << lgwin) - 16 < size) ++lgwin;
  return lgwin;
}

class BrotliCodec final : public CodecBase {
 public:
  explicit BrotliCodec(int quality) : CodecBase(Compression::kBrotli), quality_(quality) {}

 protected:
  Status DecompressImpl(ByteView in, uint8_t* out, size_t out_len) override {
    // A fresh decoder per page: brotli 1.0 has no way to reset one. Its memory is bounded by the
    // format, not by the data: the ring buffer is at most the stream's window, which is at most
    // 16 MiB because large-window mode (BROTLI_DECODER_PARAM_LARGE_WINDOW) stays off.
    std::unique_ptr<BrotliDecoderState, DecoderDeleter> decoder(
        BrotliDecoderCreateInstance(nullptr, nullptr, nullptr));
    if (decoder == nullptr) {
      return Status::ResourceExhausted("BROTLI: cannot allocate a decoder");
    }
    size_t available_in = in.size();
    const uint8_t* next_in = in.data();
    size_t available_out = out_len;
    uint8_t* next_out = out;
    BrotliDecoderResult result = BrotliDecoderDecompressStream(
        decoder.get(), &available_in, &next_in, &available_out, &next_out, nullptr);
    if (result == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT && available_out == 0) {
      // The output is full but the stream has not said it ended. Offer one spare byte: if the
      // stream ends without using it, the page was exactly out_len bytes.
      uint8_t spare;
      size_t spare_out = 1;
      uint8_t* next_spare = &spare;
      result = BrotliDecoderDecompressStream(decoder.get(), &available_in, &next_in, &spare_out,
                                             &next_spare, nullptr);
      if (spare_out == 0) return TooLarge(out_len);
    }
    size_t produced = out_len - available_out;
    switch (result) {
      case BROTLI_DECODER_RESULT_SUCCESS:
        if (available_in != 0) {
          return Failed(std::to_string(available_in) + " bytes follow the end of the stream",
                        out_len);
        }
        if (produced != out_len) return SizeMismatch(produced, out_len);
        return Status::OK();
      case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
        return Truncated(produced, out_len);
      case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
        return TooLarge(out_len);
      case BROTLI_DECODER_RESULT_ERROR:
        break;
    }
    BrotliDecoderErrorCode code = BrotliDecoderGetErrorCode(decoder.get());
    if (code <= BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES &&
        code >= BROTLI_DECODER_ERROR_ALLOC_BLOCK_TYPE_TREES) {
      return Status::ResourceExhausted(std::string("BROTLI: decoder is out of memory: ") +
                                       BrotliDecoderErrorString(code));
    }
    return Failed(BrotliDecoderErrorString(code), out_len);
  }

  Status CompressImpl(ByteView in, ByteBuffer* out) override {
    // Non-zero for every size CodecBase lets through; it bounds incompressible input too.
    size_t encoded_size = BrotliEncoderMaxCompressedSize(in.size());
    out->resize(encoded_size);
    if (!BrotliEncoderCompress(quality_, WindowBitsFor(in.size()), BROTLI_MODE_GENERIC, in.size(),
                               in.data(), &encoded_size, out->data())) {
      out->clear();
      return Status::Internal("BROTLI compression failed (quality " + std::to_string(quality_) +
                              ", " + std::to_string(in.size()) + " bytes)");
    }
    out->resize(encoded_size);
    return Status::OK();
  }

 private:
  int quality_;
};

}  // namespace

std::unique_ptr<Codec> MakeBrotliCodec(int quality) {
  return std::make_unique<BrotliCodec>(quality);
}

}  // namespace featmerge::parquet::internal
