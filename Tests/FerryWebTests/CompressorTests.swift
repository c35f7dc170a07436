import CBrotli
import CompressNIO
import NIOCore
import Testing

@testable import FerryWeb

@Suite("Compression")
struct CompressorTests {
    @Test("gzip round-trips through zlib")
    func gzipRoundTrip() throws {
        let input = ByteBuffer(string: String(repeating: "ferry compresses text ", count: 500))
        var compressed = try #require(Compressor.gzip(input))
        #expect(compressed.readableBytes < input.readableBytes / 5)
        let output = try compressed.decompress(with: .gzip(), maxSize: 1 << 20, allocator: ByteBufferAllocator())
        #expect(output == input)
    }

    @Test("brotli round-trips through libbrotlidec and is much smaller; empty input works")
    func brotli() throws {
        let text = String(repeating: "ferry compresses text ", count: 500)
        let compressed = try #require(Compressor.brotli(ByteBuffer(string: text), quality: 5))
        #expect(compressed.readableBytes < text.utf8.count / 10)
        #expect(Self.brotliDecode(compressed, capacity: 1 << 20) == Array(text.utf8))
        let empty = try #require(Compressor.brotli(ByteBuffer(), quality: 5))
        #expect(Self.brotliDecode(empty, capacity: 16) == [])
    }

    static func brotliDecode(_ input: ByteBuffer, capacity: Int) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: capacity)
        var size = capacity
        let bytes = Array(input.readableBytesView)
        let result = bytes.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                BrotliDecoderDecompress(bytes.count, source.baseAddress, &size, target.baseAddress)
            }
        }
        guard result == BROTLI_DECODER_RESULT_SUCCESS else { return nil }
        return Array(output.prefix(size))
    }
}
