import FerryHTTP
import Foundation
import HTTPTypes
import NIOCore

extension Response {
    /// A JSON body encoded with stable key order, so identical data gives identical bytes (and ETags).
    public static func json<T: Encodable>(
        _ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
    ) throws -> Response {
        let data = try JSONCoding.encoder.encode(value)
        var fields = headers
        fields[.contentType] = "application/json"
        if fields[.cacheControl] == nil { fields[.cacheControl] = "no-store" }
        return Response(status: status, headers: fields, body: .buffer(ByteBuffer(bytes: data)))
    }
}

/// Shared JSON coders; `JSONEncoder` is thread-safe once configured.
enum JSONCoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}
