import FerryHTTP

/// One stored representation of a resource, as ``RepresentationResponse`` serves it: its
/// validators, its length, its prepared heads and how to send any slice of its bytes. A file of
/// `Public/` (or one of its compressed variants) is one; a drop's stored blob is another
/// (``FileRepresentation``).
public protocol ServableRepresentation {
    /// A strong validator of exactly these bytes.
    var etag: EntityTag { get }
    /// Seconds since 1970.
    var lastModified: Int64 { get }
    var length: Int64 { get }
    /// The media type, repeated in each part of a multipart/byteranges answer.
    var contentType: String { get }
    /// The 200 head: Content-Type, validators, Accept-Ranges, caching and the rest.
    var okHead: PreparedHead { get }
    /// The 304 head: validators and caching, no content fields (RFC 9110 §15.4.5).
    var notModifiedHead: PreparedHead { get }
    /// The whole representation as a body.
    var fullBody: HTTPResponseBody { get }
    /// `count` bytes from `offset`, as one body segment.
    func segment(offset: Int64, count: Int64) -> HTTPResponseBody.Segment
}
