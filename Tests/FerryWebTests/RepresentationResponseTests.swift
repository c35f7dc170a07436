import FerryHTTP
import Foundation
import HTTPTypes
import Testing

@testable import FerryWeb

/// The conditional and range rules over a file that is not in `Public/` (as a drop's blob will be).
@Suite("Representation responses for any file")
struct RepresentationResponseTests {
    static let representation = FileRepresentation(
        path: "/data/blobs/abc", length: 10_000, lastModified: 1_767_225_600, etag: EntityTag(opaque: "blob-abc"),
        contentType: "application/octet-stream", extraFields: [.cacheControl: "private, no-store"])

    func respond(_ method: HTTPRequest.Method = .get, _ fields: HTTPFields = [:]) -> Response {
        RepresentationResponse.respond(
            method: method, fields: RepresentationRequestFields(fields), with: Self.representation)
    }

    /// The file segments of a body, as (offset, count).
    func fileSlices(_ body: HTTPResponseBody) -> [[Int64]] {
        guard case .segments(let segments) = body else { return [] }
        return segments.compactMap {
            if case .file(let path, let offset, let count) = $0, path == "/data/blobs/abc" { return [offset, count] }
            return nil
        }
    }

    @Test("a plain GET sends the whole file with validators, the caller's fields and Accept-Ranges")
    func full() {
        let response = respond()
        #expect(response.status == .ok)
        #expect(response.headers[.eTag] == "\"blob-abc\"")
        #expect(response.headers[.lastModified] == "Thu, 01 Jan 2026 00:00:00 GMT")
        #expect(response.headers[.cacheControl] == "private, no-store")
        #expect(response.headers[.acceptRanges] == "bytes")
        #expect(response.headers[.contentType] == "application/octet-stream")
        #expect(fileSlices(response.body) == [[0, 10_000]])
    }

    @Test("If-None-Match with the ETag is a 304 without content fields; If-Match with another is a 412")
    func conditionals() {
        let notModified = respond(.get, [.ifNoneMatch: "\"blob-abc\""])
        #expect(notModified.status == .notModified)
        #expect(notModified.headers[.contentType] == nil)
        #expect(notModified.headers[.eTag] == "\"blob-abc\"")
        #expect(respond(.get, [.ifMatch: "\"other\""]).status == .preconditionFailed)
        #expect(respond(.get, [.ifNoneMatch: "\"other\""]).status == .ok)
    }

    @Test("one range is a 206 of that slice; If-Range with a stale ETag sends everything")
    func singleRange() {
        let partial = respond(.get, [.range: "bytes=9000-"])
        #expect(partial.status == .partialContent)
        #expect(partial.headers[.contentRange] == "bytes 9000-9999/10000")
        #expect(fileSlices(partial.body) == [[9000, 1000]])
        let stale = respond(.get, [.range: "bytes=9000-", .ifRange: "\"old\""])
        #expect(stale.status == .ok)
        #expect(respond(.head, [.range: "bytes=0-1"]).status == .ok)
    }

    @Test("several ranges are multipart/byteranges; a range past the end is 416 with the length")
    func multipleAndUnsatisfiable() {
        let multipart = respond(.get, [.range: "bytes=0-9,100-199"])
        #expect(multipart.status == .partialContent)
        #expect(multipart.headers[.contentType]?.hasPrefix("multipart/byteranges; boundary=") == true)
        #expect(fileSlices(multipart.body) == [[0, 10], [100, 100]])
        let unsatisfiable = respond(.get, [.range: "bytes=10000-"])
        #expect(unsatisfiable.status == .rangeNotSatisfiable)
        #expect(unsatisfiable.headers[.contentRange] == "bytes */10000")
    }
}
