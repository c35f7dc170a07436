import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The response body of one stream, waiting for flow-control credit: buffers (from a handler or a
/// stream writer) and file ranges (read when their turn comes, never all at once).
struct HTTP2BodyQueue {
    enum Item {
        case buffer(ByteBuffer, completion: EventLoopPromise<Void>?)
        case file(path: String, offset: Int64, count: Int64)
    }

    /// Small at first: most bodies are one buffer (the default capacity is 16 items).
    private var items = CircularBuffer<Item>(initialCapacity: 1)
    /// No more items will be added.
    var ended = false
    /// Bytes that can be sent without waiting for the producer.
    private(set) var readyBytes: Int64 = 0
    /// The open file of the first file item, with bytes read ahead of the frames that take them.
    private var openFile: (descriptor: CInt, path: String)?
    private var readAhead = ByteBuffer()

    static let readAheadSize = 256 * 1024

    mutating func append(_ item: Item) {
        switch item {
        case .buffer(let bytes, _): readyBytes += Int64(bytes.readableBytes)
        case .file(_, _, let count): readyBytes += count
        }
        items.append(item)
    }

    /// Moves exactly `count` ready bytes into `output`: buffer slices as they are, file ranges
    /// read ahead in large blocks and sliced.
    mutating func take(_ count: Int, into output: inout HTTP2Output) throws {
        var remaining = count
        while remaining > 0, let first = items.first {
            switch first {
            case .buffer(var bytes, let completion):
                let length = min(remaining, bytes.readableBytes)
                output.append(.byteBuffer(bytes.readSlice(length: length)!))
                remaining -= length
                readyBytes -= Int64(length)
                if bytes.readableBytes == 0 {
                    items.removeFirst()
                    if let completion { output.complete(completion) }
                } else {
                    items[items.startIndex] = .buffer(bytes, completion: completion)
                }
            case .file(let path, let offset, let fileCount):
                if readAhead.readableBytes == 0 {
                    try fillReadAhead(path: path, offset: offset, count: fileCount)
                }
                let length = min(remaining, readAhead.readableBytes)
                output.append(.byteBuffer(readAhead.readSlice(length: length)!))
                remaining -= length
                readyBytes -= Int64(length)
                if fileCount - Int64(length) == 0 {
                    items.removeFirst()
                    closeFile()
                } else {
                    items[items.startIndex] = .file(
                        path: path, offset: offset + Int64(length), count: fileCount - Int64(length))
                }
            }
        }
    }

    private mutating func fillReadAhead(path: String, offset: Int64, count: Int64) throws {
        if openFile?.path != path {
            closeFile()
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw HTTP2BodyError.fileVanished }
            openFile = (descriptor, path)
        }
        let size = Int(min(Int64(Self.readAheadSize), count))
        var buffer = ByteBuffer()
        buffer.reserveCapacity(size)
        let descriptor = openFile!.descriptor
        var read = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { pointer in
            read = pread(descriptor, pointer.baseAddress, size, off_t(offset))
            return max(0, read)
        }
        // A file that shrank after its length went out in the head cannot complete the response.
        guard read > 0 else { throw HTTP2BodyError.fileVanished }
        readAhead = buffer
    }

    private mutating func closeFile() {
        if let openFile { close(openFile.descriptor) }
        openFile = nil
        readAhead = ByteBuffer()
    }

    /// The stream is gone: stream writers hear it, the file is closed.
    mutating func fail(_ error: any Error) {
        while let item = items.popFirst() {
            if case .buffer(_, let completion?) = item { completion.fail(error) }
        }
        readyBytes = 0
        closeFile()
    }
}
