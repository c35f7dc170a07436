import CNghttp2
import Foundation
import HTTPTypes
import NIOCore
import Testing

@testable import FerryHTTP

/// The pure parts around nghttp2: preface detection, h2c upgrade requests, request heads built
/// from decoded fields, response header blocks and the response body queue.
@Suite("HTTP/2 glue")
struct HTTP2GlueTests {
    @Test(
        "the connection preface is told from HTTP/1.1 after as few bytes as possible",
        arguments: [
            ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HTTP2Preface.Match.complete),
            ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nextra frames", .complete),
            ("PRI * HTTP/2", .partial),
            ("P", .partial),
            ("", .partial),
            ("GET / HTTP/1.1\r\n", .no),
            ("PRI * HTTP/1.1\r\n", .no),
            // HTTP/2's request line with a wrong rest: HTTP/2 refuses it with GOAWAY (RFC 9113 §3.4).
            ("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n", .complete),
            ("PRI * HTTP/2.0\r\n", .complete),
            ("PRI * HTTP/2.0\r", .partial),
        ])
    func preface(input: String, expected: HTTP2Preface.Match) {
        #expect(HTTP2Preface.match(ByteBuffer(string: input)) == expected)
    }

    @Test(
        "base64url decodes the HTTP2-Settings payload and refuses anything else",
        arguments: [
            ("AAMAAABkAARAAAAA", [0, 3, 0, 0, 0, 100, 0, 4, 64, 0, 0, 0] as [UInt8]?),
            ("", []),
            ("AAMAAABkAARAAAAA==", [0, 3, 0, 0, 0, 100, 0, 4, 64, 0, 0, 0]),
            ("-_8", [251, 255]),
            ("AB+/", nil),  // standard base64 alphabet, not base64url
            ("A", nil),  // leftover bits
            ("AAM AAA", nil),
        ])
    func base64url(text: String, expected: [UInt8]?) {
        #expect(Base64URL.decode(text) == expected)
    }

    static func request(_ fields: HTTPFields) -> HTTPRequest {
        var request = HTTPRequest(method: .get, scheme: nil, authority: "h", path: "/")
        request.headerFields = fields
        return request
    }

    @Test("Upgrade: h2c needs the token, one valid HTTP2-Settings and both named in Connection")
    func upgradeRequests() throws {
        let settings = H2CUpgrade.http2Settings
        let valid: HTTPFields = [.upgrade: "h2c", .connection: "Upgrade, HTTP2-Settings", settings: "AAMAAABk"]
        let upgrade = try #require(H2CUpgrade.upgrade(for: Self.request(valid)))
        #expect(upgrade.settingsPayload == [0, 3, 0, 0, 0, 100])
        #expect(upgrade.request.headerFields[.upgrade] == nil)
        #expect(upgrade.request.headerFields[.connection] == nil)
        #expect(upgrade.request.headerFields[settings] == nil)

        var websocket = valid
        websocket[.upgrade] = "websocket"
        #expect(H2CUpgrade.upgrade(for: Self.request(websocket)) == nil)
        var noConnection = valid
        noConnection[.connection] = "Upgrade"
        #expect(H2CUpgrade.upgrade(for: Self.request(noConnection)) == nil)
        var badPayload = valid
        badPayload[settings] = "AAMAAA"  // 4 bytes: not whole 6-byte settings
        #expect(H2CUpgrade.upgrade(for: Self.request(badPayload)) == nil)
        var twoSettings = valid
        twoSettings.append(HTTPField(name: settings, value: "AAMAAABk"))
        #expect(H2CUpgrade.upgrade(for: Self.request(twoSettings)) == nil)
    }

    static func build(_ fields: [(String, String)], maxListSize: Int = 4096, maxCount: Int = 10) -> HTTP2RequestHead {
        var builder = HTTP2RequestHeadBuilder(maxListSize: maxListSize, maxCount: maxCount)
        for (name, value) in fields {
            Array(name.utf8).withUnsafeBytes { nameBytes in
                Array(value.utf8).withUnsafeBytes { valueBytes in builder.add(name: nameBytes, value: valueBytes) }
            }
        }
        return builder.finish()
    }

    @Test("a request head is built from pseudo-fields; Host is only a fallback for :authority")
    func requestHeads() throws {
        let base = [(":method", "POST"), (":scheme", "https"), (":path", "/a?b=c")]
        guard case .valid(let request) = Self.build(base + [("host", "example.org"), ("accept", "*/*")]) else {
            Issue.record("not valid")
            return
        }
        #expect(request.method == .post && request.scheme == "https" && request.path == "/a?b=c")
        #expect(request.authority == "example.org")
        #expect(request.headerFields[.accept] == "*/*")
        #expect(request.headerFields.count == 1)
        guard case .valid(let both) = Self.build(base + [(":authority", "a.example"), ("host", "b.example")]) else {
            Issue.record("not valid")
            return
        }
        #expect(both.authority == "a.example")
        guard case .invalid = Self.build([(":method", "CONNECT"), (":authority", "x:443")]) else {
            Issue.record("CONNECT must be refused")
            return
        }
    }

    @Test("the header list limits count 32 octets per field (RFC 9113 §6.5.2) and the field count")
    func headerListLimits() {
        let base = [(":method", "GET"), (":scheme", "http"), (":path", "/")]
        // 3 pseudo-fields: (7+3+32) + (7+4+32) + (5+1+32) = 123 octets.
        guard case .valid = Self.build(base, maxListSize: 123) else {
            Issue.record("exactly at the limit must pass")
            return
        }
        guard case .tooLarge = Self.build(base, maxListSize: 122) else {
            Issue.record("one octet over must be refused")
            return
        }
        guard case .tooLarge = Self.build(base + [("a", "1"), ("b", "2")], maxCount: 4) else {
            Issue.record("five fields over a count of four")
            return
        }
    }

    @Test("response blocks drop connection-specific fields, Content-Length and Date")
    func responseBlocks() {
        let fields: HTTPFields = [
            .contentType: "text/plain", .connection: "close", .transferEncoding: "chunked", .contentLength: "5",
            .date: "yesterday", .upgrade: "h2c", HTTP2HeaderBlock.keepAlive: "5",
            HTTP2HeaderBlock.proxyConnection: "x", .eTag: "\"e\"",
        ]
        var block = HTTP2HeaderBlock(responseFields: fields)
        #expect(block.count == 2)
        var scratch: [nghttp2_nv] = []
        let names = block.withNameValuePairs(scratch: &scratch) { pairs in
            pairs.map { String(decoding: UnsafeBufferPointer(start: $0.name, count: $0.namelen), as: UTF8.self) }
        }
        #expect(names == ["content-type", "etag"])
    }

    @Test("the body queue sends only bytes in memory; file ranges arrive as read slices, in order")
    func bodyQueue() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ferry-queue-\(UInt32.random(in: 0...UInt32.max))"
        )
        .path
        let fileBytes = (0..<600_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(fileBytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }

        var queue = HTTP2BodyQueue()
        queue.append(.buffer(ByteBuffer(string: "head-"), completion: nil))
        queue.append(.file(path: path, offset: 1000, count: 580_000))
        queue.append(.buffer(ByteBuffer(string: "-tail"), completion: nil))
        queue.ended = true
        // Nothing of the file is ready before it is read, and the tail waits behind it.
        #expect(queue.readyBytes == 5)
        #expect(!queue.isFullyBuffered)
        var collected: [UInt8] = []
        var reads: [Int] = []
        while queue.readyBytes > 0 || !queue.isFullyBuffered {
            if let read = queue.nextRead() {
                #expect(queue.nextRead() == nil, "one read at a time")
                reads.append(read.count)
                queue.completeRead(
                    try FileSliceReader.readBlocking(path: read.path, offset: read.offset, count: read.count))
            }
            var output = HTTP2Output(allocator: ByteBufferAllocator())
            let take = Int(min(16_384, queue.readyBytes))
            queue.take(take, into: &output)
            let (pieces, _) = output.drain()
            var taken = 0
            for case .byteBuffer(let piece) in pieces {
                collected += piece.readableBytesView
                taken += piece.readableBytes
            }
            #expect(taken == take)
        }
        #expect(reads == [262_144, 262_144, 55_712])
        #expect(collected == Array("head-".utf8) + Array(fileBytes[1000..<581_000]) + Array("-tail".utf8))
    }

    @Test("a file slice past the file's end is an error, never zeros")
    func shortFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ferry-short-\(UInt32.random(in: 0...UInt32.max))"
        )
        .path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 1, count: 100)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try FileSliceReader.readBlocking(path: path, offset: 90, count: 10).readableBytes == 10)
        #expect(throws: FileReadError.shorterThanPromised(path: path)) {
            try FileSliceReader.readBlocking(path: path, offset: 90, count: 11)
        }
        #expect(throws: FileReadError.self) {
            try FileSliceReader.readBlocking(path: path + "-gone", offset: 0, count: 1)
        }
    }
}
