import FerryWeb
import Foundation
import HTTPTypes

/// Parsing of tus's request fields; malformed ones are `400` with the field named.
enum TusFields {
    enum Concatenation: Equatable {
        case none, partial
        case final([String])
    }

    static func length(_ value: String?) throws -> Int64 {
        guard let value else {
            throw HTTPError(.badRequest, detail: "Send Upload-Length.", type: "upload-length-required")
        }
        return try number(value, field: "Upload-Length")
    }

    static func offset(_ value: String?) throws -> Int64 {
        guard let value else { throw HTTPError(.badRequest, detail: "Send Upload-Offset.", type: "invalid-request") }
        return try number(value, field: "Upload-Offset")
    }

    static func contentLength(_ headers: HTTPFields) -> Int64? {
        headers[.contentLength].flatMap { Int64($0) }
    }

    /// A non-negative decimal of at most 18 digits (so it fits an Int64).
    static func number(_ value: String, field: String) throws -> Int64 {
        guard (1...18).contains(value.utf8.count), value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let number = Int64(value)
        else {
            throw HTTPError(.badRequest, detail: "\(field) must be a non-negative integer.", type: "invalid-request")
        }
        return number
    }

    /// `sha256 <base64 digest>`; other algorithms are refused (only sha256 is advertised).
    static func checksum(_ value: String?) throws -> [UInt8]? {
        guard let value else { return nil }
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0] == "sha256" else {
            throw HTTPError(
                .badRequest, detail: "Upload-Checksum must be `sha256 <base64 digest>`.", type: "checksum-unsupported")
        }
        guard let digest = Data(base64Encoded: String(parts[1])), digest.count == 32 else {
            throw HTTPError(
                .badRequest, detail: "The sha256 digest must be 32 bytes in base64.", type: "invalid-request")
        }
        return Array(digest)
    }

    /// `partial`, or `final;URL URL…` where each URL is an upload of this server (absolute or a
    /// path).
    static func concatenation(_ value: String?, uploadsPath: String) throws -> Concatenation {
        guard let value else { return .none }
        if value == "partial" { return .partial }
        guard value.hasPrefix("final;") else {
            throw HTTPError(
                .badRequest, detail: "Upload-Concat must be `partial` or `final;URL URL…`.",
                type: "upload-concat-invalid")
        }
        let urls = value.dropFirst("final;".count).split(separator: " ", omittingEmptySubsequences: true)
        let parts = try urls.map { url -> String in
            var path = Substring(url)
            if let scheme = path.range(of: "://") {
                let afterScheme = path[scheme.upperBound...]
                path = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? ""
            }
            guard path.hasPrefix(uploadsPath + "/") else {
                throw HTTPError(
                    .badRequest, detail: "Each part must be an upload URL of this server.",
                    type: "upload-concat-invalid")
            }
            return String(path.dropFirst(uploadsPath.count + 1))
        }
        return .final(parts)
    }
}
