import FerryHTTP
import Foundation
import HTTPTypes
import NIOCore

extension Request {
    /// Decodes a JSON request body: 415 unless the content type is JSON, 413 past the route's body
    /// limit, 400 with a JSON Pointer to the offending member when the document is malformed.
    public func decodeJSON<T: Decodable>(_ type: T.Type) async throws -> T {
        try requireJSONContentType()
        // The route's limit is on the body itself; exceeding it throws HTTPBodyError.tooLarge, which
        // the error renderer answers with 413.
        return try Self.decode(type, from: try await body.collect(upTo: body.limit))
    }

    /// Decodes an optional JSON request body: nil when there is none (whatever the content type
    /// says), otherwise as ``decodeJSON(_:)``.
    public func decodeOptionalJSON<T: Decodable>(_ type: T.Type) async throws -> T? {
        let buffer = try await body.collect(upTo: body.limit)
        guard buffer.readableBytes > 0 else { return nil }
        try requireJSONContentType()
        return try Self.decode(type, from: buffer)
    }

    private func requireJSONContentType() throws {
        guard let contentType = headers[.contentType], MediaType.isJSON(contentType) else {
            throw HTTPError(
                .unsupportedMediaType, detail: "Send the request body as application/json.",
                headers: [.accept: "application/json"])
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw HTTPError(
                .badRequest, detail: "The request body is not valid: \(Self.describe(error)).", type: "invalid-json",
                errors: [HTTPError.FieldError(pointer: Self.pointer(for: error), detail: Self.describe(error))])
        }
    }

    static func pointer(for error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        case .keyNotFound(let key, let context):
            path = context.codingPath + [key]
        @unknown default:
            path = []
        }
        return path.map { key in
            let name = key.intValue.map(String.init) ?? key.stringValue
            return "/" + name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        }.joined()
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, _): return "expected \(Self.jsonTypeName(type))"
        case .valueNotFound(let type, _): return "expected \(Self.jsonTypeName(type)), found null"
        case .keyNotFound(let key, _): return "missing member \"\(key.stringValue)\""
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "malformed JSON" : "invalid value: \(context.debugDescription)"
        @unknown default: return "invalid document"
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is any BinaryInteger.Type: return "an integer"
        case is any FloatingPoint.Type: return "a number"
        // A JSON object is decoded as a keyed container, reported as a Dictionary: a Collection too.
        default:
            return type is any Collection.Type && !String(describing: type).hasPrefix("Dictionary")
                ? "an array" : "an object"
        }
    }
}
