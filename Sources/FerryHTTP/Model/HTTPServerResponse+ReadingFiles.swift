import HTTPTypes
import NIOCore

extension HTTPServerResponse {
    /// Whether the body names file ranges (sent with sendfile where the connection allows).
    var hasFileSegments: Bool {
        guard case .segments(let segments) = body else { return false }
        return segments.contains { if case .file = $0 { return true } else { return false } }
    }

    /// The same response with its file ranges read in slices and streamed, for connections that
    /// cannot use sendfile (TLS must encrypt every byte). The length is declared up front, and a
    /// slice is read only when the previous one was written, so memory stays at one slice.
    func readingFiles(sliceSize: Int) -> HTTPServerResponse {
        guard case .segments(let segments) = body, let length = body.knownLength else { return self }
        var head = self.head
        head.headerFields[.contentLength] = String(length)
        let lease = self.lease
        var streamed = HTTPServerResponse(
            head: head,
            body: .stream { writer in
                for segment in segments {
                    switch segment {
                    case .buffer(let bytes):
                        try await writer.write(bytes)
                    case .file(let path, let offset, let count):
                        try await Self.stream(
                            path: path, offset: offset, count: count, sliceSize: sliceSize, lease: lease, to: writer)
                    }
                }
            })
        streamed.route = route
        streamed.requestID = requestID
        streamed.lease = lease
        return streamed
    }

    private static func stream(
        path: String, offset: Int64, count: Int64, sliceSize: Int, lease: ResponseLease?,
        to writer: any HTTPBodyWriter
    ) async throws {
        var position = offset
        let end = offset + count
        while position < end {
            // A failed stream after its head cuts the connection: what HTTP/1.1 can do.
            if lease?.hasEnded == true { throw ResponseLeaseEnded() }
            let size = Int(min(Int64(sliceSize), end - position))
            try await writer.write(try await FileSliceReader.shared.read(path: path, offset: position, count: size))
            position += Int64(size)
        }
    }
}
