import FerryHTTP
import HTTPTypes
import NIOCore

/// One file of `Public/` with everything a response needs, computed once at start.
///
/// A class, not a struct: a request looks a file up and reads a few fields, and copying a struct
/// of strings and field sets cost a retain per member on every request. Members are only written
/// while the index is built, before it is published; after that the object is read-only, which is
/// why the unchecked `Sendable` is sound.
public final class StaticFile: @unchecked Sendable {
    /// One stored representation: the file itself or a gzip/brotli variant (a class for the same
    /// reason, with the same read-only-once-published rule).
    public final class Representation: @unchecked Sendable {
        public var coding: ContentCoding
        public var length: Int64
        /// A strong validator; variants get their own, since their bytes differ (RFC 9110 §8.8.3).
        public var etag: EntityTag
        /// The bytes, for files small enough to keep in memory.
        public var memory: ByteBuffer?
        /// The file to send when the bytes are not in memory.
        public var path: String
        /// Content-Type, ETag, Last-Modified, Accept-Ranges, Vary and Content-Encoding, built once
        /// at indexing so a request only copies them.
        public var headers = PreparedHead(status: .ok, fields: [:])
        /// The same for a fingerprinted URL (cached for a year).
        public var immutableHeaders = PreparedHead(status: .ok, fields: [:])
        /// The 304 for this representation: validators and caching, no content fields.
        public var notModifiedHeaders = PreparedHead(status: .notModified, fields: [:])
        public var immutableNotModifiedHeaders = PreparedHead(status: .notModified, fields: [:])
        /// The whole representation as a response body, built once: a full GET (the common case)
        /// then allocates no segment array.
        public var fullBody: HTTPResponseBody = .empty

        init(coding: ContentCoding, length: Int64, etag: EntityTag, memory: ByteBuffer?, path: String) {
            self.coding = coding
            self.length = length
            self.etag = etag
            self.memory = memory
            self.path = path
        }
    }

    public var relativePath: String
    public var contentType: String
    public var lastModified: Int64
    /// Short content hash used in the fingerprinted URL.
    public var fingerprint: String
    public var identity: Representation
    public var variants: [ContentCoding: Representation]

    init(
        relativePath: String, contentType: String, lastModified: Int64, fingerprint: String,
        identity: Representation, variants: [ContentCoding: Representation]
    ) {
        self.relativePath = relativePath
        self.contentType = contentType
        self.lastModified = lastModified
        self.fingerprint = fingerprint
        self.identity = identity
        self.variants = variants
    }

    /// The fingerprinted relative path: `js/app.js` → `js/app.<fingerprint>.js`.
    public var fingerprintedPath: String {
        guard let dot = relativePath.lastIndex(of: "."),
            relativePath[dot...].contains(where: { $0 != "." }),
            !relativePath[dot...].contains("/")
        else { return relativePath + "." + fingerprint }
        return relativePath[..<dot] + "." + fingerprint + relativePath[dot...]
    }

    /// Fills in each representation's precomputed response fields.
    func precomputeHeaders() {
        let lastModifiedText = HTTPDate.format(lastModified)
        func fields(for representation: Representation, cacheControl: String) -> HTTPFields {
            var fields: HTTPFields = [
                .contentType: contentType, .eTag: representation.etag.headerValue, .lastModified: lastModifiedText,
                .acceptRanges: "bytes", .cacheControl: cacheControl,
            ]
            if !variants.isEmpty { fields[.vary] = "Accept-Encoding" }
            if let encoding = representation.coding.contentEncoding { fields[.contentEncoding] = encoding }
            SecurityHeaders.apply(to: &fields)
            return fields
        }
        func notModified(_ fields: HTTPFields) -> HTTPFields {
            var fields = fields
            fields[.contentType] = nil
            fields[.contentEncoding] = nil
            fields[.acceptRanges] = nil
            return fields
        }
        func prepare(_ representation: Representation) {
            let mutableFields = fields(for: representation, cacheControl: "no-cache")
            let immutableFields = fields(for: representation, cacheControl: StaticFiles.immutable)
            representation.headers = PreparedHead(status: .ok, fields: mutableFields)
            representation.immutableHeaders = PreparedHead(status: .ok, fields: immutableFields)
            representation.notModifiedHeaders = PreparedHead(status: .notModified, fields: notModified(mutableFields))
            representation.immutableNotModifiedHeaders = PreparedHead(
                status: .notModified, fields: notModified(immutableFields))
            if let memory = representation.memory {
                representation.fullBody = .segments([.buffer(memory)])
            } else {
                representation.fullBody = .segments([
                    .file(path: representation.path, offset: 0, count: representation.length)
                ])
            }
        }
        prepare(identity)
        for variant in variants.values { prepare(variant) }
    }

    func representation(for coding: ContentCoding) -> Representation {
        variants[coding] ?? identity
    }

    var availableCodings: [ContentCoding] {
        variants.keys.sorted { $0.rawValue < $1.rawValue } + [.identity]
    }
}
