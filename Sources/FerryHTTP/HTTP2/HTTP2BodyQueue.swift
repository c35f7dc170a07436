import NIOCore

/// The response body of one stream, waiting for flow-control credit: buffers (from a handler or a
/// stream writer) and file ranges. File ranges are never read here: the connection asks
/// ``nextRead()`` for the next slice to read off the event loop (``FileSliceReader``), and
/// ``completeRead(_:)`` puts the bytes in place, in order. Only bytes already in memory count as
/// ready, so nghttp2 never commits to a frame whose bytes could still fail to arrive.
struct HTTP2BodyQueue {
    enum Item {
        case buffer(ByteBuffer, completion: EventLoopPromise<Void>?)
        case file(path: String, offset: Int64, count: Int64)
    }

    /// A slice of a file to read for this body.
    struct FileRead {
        var path: String
        var offset: Int64
        var count: Int
    }

    /// Small at first: most bodies are one buffer (the default capacity is 16 items).
    private var items = CircularBuffer<Item>(initialCapacity: 1)
    /// No more items will be added.
    var ended = false
    /// A file slice is being read.
    private(set) var readInFlight = false

    /// Bytes read per slice, and how far reading runs ahead of sending.
    static let readAheadSize = 256 * 1024

    mutating func append(_ item: Item) {
        items.append(item)
    }

    /// Bytes that can be sent now: the buffers before the first unread file range.
    var readyBytes: Int64 {
        var total: Int64 = 0
        for item in items {
            guard case .buffer(let bytes, _) = item else { break }
            total += Int64(bytes.readableBytes)
        }
        return total
    }

    /// Whether everything is sent or ready (no file range left to read).
    var isFullyBuffered: Bool {
        !items.contains { if case .file = $0 { return true } else { return false } }
    }

    /// The next file slice to read, when one is due: no read in flight, and fewer than
    /// ``readAheadSize`` bytes ready ahead of it. Marks the read as in flight.
    mutating func nextRead() -> FileRead? {
        guard !readInFlight else { return nil }
        var ahead: Int64 = 0
        for item in items {
            switch item {
            case .buffer(let bytes, _):
                ahead += Int64(bytes.readableBytes)
            case .file(let path, let offset, let count):
                guard ahead < Int64(Self.readAheadSize) else { return nil }
                readInFlight = true
                return FileRead(path: path, offset: offset, count: Int(min(Int64(Self.readAheadSize), count)))
            }
        }
        return nil
    }

    /// Puts the bytes of the read ``nextRead()`` returned in front of the rest of its file range.
    mutating func completeRead(_ bytes: ByteBuffer) {
        readInFlight = false
        guard let index = items.firstIndex(where: { if case .file = $0 { return true } else { return false } }),
            case .file(let path, let offset, let count) = items[index]
        else { return }
        let length = Int64(bytes.readableBytes)
        if length >= count {
            items[index] = .buffer(bytes, completion: nil)
        } else {
            items[index] = .file(path: path, offset: offset + length, count: count - length)
            items.insert(.buffer(bytes, completion: nil), at: index)
        }
    }

    /// Moves exactly `count` ready bytes (at most ``readyBytes``) into `output`.
    mutating func take(_ count: Int, into output: inout HTTP2Output) {
        var remaining = count
        while remaining > 0, let first = items.first, case .buffer(var bytes, let completion) = first {
            let length = min(remaining, bytes.readableBytes)
            output.append(.byteBuffer(bytes.readSlice(length: length)!))
            remaining -= length
            if bytes.readableBytes == 0 {
                items.removeFirst()
                if let completion { output.complete(completion) }
            } else {
                items[items.startIndex] = .buffer(bytes, completion: completion)
            }
        }
        assert(remaining == 0, "nghttp2 took more bytes than were ready")
    }

    /// The stream is gone: stream writers hear it; a read in flight is ignored when it lands.
    mutating func fail(_ error: any Error) {
        while let item = items.popFirst() {
            if case .buffer(_, let completion?) = item { completion.fail(error) }
        }
    }
}
