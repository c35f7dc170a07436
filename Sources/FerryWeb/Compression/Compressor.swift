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
                    quality, brotliWindow(for: inputSize), BROTLI_MODE_GENERIC, inputSize,
                    source.bindMemory(to: UInt8.self).baseAddress,
                    &size, target.bindMemory(to: UInt8.self).baseAddress)
                guard result == BROTLI_TRUE else { return 0 }
                outputSize = size
                return size
            }
        }
        return ok > 0 || inputSize == 0 ? output : nil
    }

    /// The smallest brotli window (log2 of its size) that holds `inputSize` bytes. The encoder
    /// sizes its ring buffer and hash tables by the window, not by the input: the default 4 MiB
    /// window made each small file cost megabytes of fresh memory, and the page faults of
    /// touching it were most of the CPU of building the static index at start.
    static func brotliWindow(for inputSize: Int) -> Int32 {
        var bits = Int32(BROTLI_MIN_WINDOW_BITS)
        // A window of 2^bits holds 2^bits - 16 bytes (RFC 7932, section 9.1).
        while bits < BROTLI_DEFAULT_WINDOW && (1 << bits) - 16 < inputSize { bits += 1 }
        return bits
    }
}
