import FerryHTTP
import HTTPTypes

/// A file on disk as a ``ServableRepresentation``, for anything that is not in `Public/` (a drop's
/// stored blob): its heads are built once, here, from what the caller knows of the file.
public struct FileRepresentation: ServableRepresentation, Sendable {
    public let path: String
    public let length: Int64
    public let lastModified: Int64
    public let etag: EntityTag
    public let contentType: String
    public let okHead: PreparedHead
    public let notModifiedHead: PreparedHead

    /// - Parameters:
    ///   - etag: a strong validator that changes whenever the bytes do.
    ///   - extraFields: fields added to the 200 and 304 heads (Cache-Control, Content-Disposition…).
    public init(
        path: String, length: Int64, lastModified: Int64, etag: EntityTag, contentType: String,
        extraFields: HTTPFields = [:]
    ) {
        self.path = path
        self.length = length
        self.lastModified = lastModified
        self.etag = etag
        self.contentType = contentType
        var validators: HTTPFields = [.eTag: etag.headerValue, .lastModified: HTTPDate.format(lastModified)]
        validators.append(contentsOf: extraFields)
        SecurityHeaders.apply(to: &validators)
        var ok = validators
        ok[.contentType] = contentType
        ok[.acceptRanges] = "bytes"
        okHead = PreparedHead(status: .ok, fields: ok)
        notModifiedHead = PreparedHead(status: .notModified, fields: validators)
    }

    public var fullBody: HTTPResponseBody { .segments([segment(offset: 0, count: length)]) }

    public func segment(offset: Int64, count: Int64) -> HTTPResponseBody.Segment {
        .file(path: path, offset: offset, count: count)
    }
}
