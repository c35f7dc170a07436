import CBrotli
import CompressNIO
import NIOCore

/// gzip (zlib through CompressNIO) and brotli (libbrotlienc) for whole buffers: dynamic responses
/// above a threshold, and the precompressed variants of static files.
public enum Compressor {
    /// Compresses with gzip; `nil` if zlib fails.
    public static func gzip(_ input: ByteBuffer) -> ByteBuffer? {
        var input = input
        return try? input.compress(with: .gzip(), allocator: ByteBufferAllocator())
    }

    /// Compresses with brotli at `quality` (0–11; 11 for static assets, ~5 for dynamic bodies).
    public static func brotli(_ input: ByteBuffer, quality: Int32 = 5) -> ByteBuffer? {
        let inputSize = input.readableBytes
        var outputSize = BrotliEncoderMaxCompressedSize(inputSize)
        guard outputSize > 0 else { return nil }
        var output = ByteBuffer()
        output.reserveCapacity(outputSize)
        let ok = input.withUnsafeReadableBytes { source in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: outputSize) { target in
                var size = outputSize
                let result = BrotliEncoderCompress(
                    quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, inputSize,
                    source.bindMemory(to: UInt8.self).baseAddress,
                    &size, target.bindMemory(to: UInt8.self).baseAddress)
                guard result == BROTLI_TRUE else { return 0 }
                outputSize = size
                return size
            }
        }
        return ok > 0 || inputSize == 0 ? output : nil
    }
}
