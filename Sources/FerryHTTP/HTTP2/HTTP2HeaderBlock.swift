import CNghttp2
import HTTPTypes

/// A response header block for nghttp2: names and values in one contiguous byte array (one
/// allocation, and a prepared head's block is built once and copied per response).
struct HTTP2HeaderBlock: Sendable {
    private var storage: [UInt8] = []
    private var entries: [(name: Range<Int>, value: Range<Int>)] = []

    init(capacity: Int = 0) {
        storage.reserveCapacity(capacity)
    }

    mutating func append(name: String, value: String) {
        let nameStart = storage.count
        storage.append(contentsOf: name.utf8)
        let valueStart = storage.count
        storage.append(contentsOf: value.utf8)
        entries.append((nameStart..<valueStart, valueStart..<storage.count))
    }

    mutating func append(contentsOf other: HTTP2HeaderBlock) {
        let offset = storage.count
        storage.append(contentsOf: other.storage)
        for entry in other.entries {
            entries.append(
                (
                    entry.name.lowerBound + offset..<entry.name.upperBound + offset,
                    entry.value.lowerBound + offset..<entry.value.upperBound + offset
                ))
        }
    }

    var count: Int { entries.count }

    /// Empties the block, keeping its storage for the next response.
    mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }

    /// The handler's fields minus what HTTP/2 forbids (connection-specific fields, RFC 9113
    /// §8.2.2) and what the engine writes itself (Content-Length, Date). Names are lower case.
    init(responseFields fields: HTTPFields) {
        storage.reserveCapacity(fields.count * 32)
        for field in fields where !Self.isExcluded(field.name) {
            append(name: field.name.canonicalName, value: field.value)
        }
    }

    @inline(__always)
    static func isExcluded(_ name: HTTPField.Name) -> Bool {
        switch name.canonicalName.utf8.count {
        case 4: return name == .date
        case 7: return name == .upgrade
        case 10: return name == .connection || name == keepAlive
        case 14: return name == .contentLength
        case 16: return name == proxyConnection
        case 17: return name == .transferEncoding
        default: return false
        }
    }

    static let keepAlive = HTTPField.Name("keep-alive")!
    static let proxyConnection = HTTPField.Name("proxy-connection")!

    /// Calls `body` with `nghttp2_nv` entries pointing into the storage; nghttp2 copies them when
    /// a response is submitted, so the pointers only live for the call. `scratch` is the caller's
    /// reusable array for the entries (empty before and after).
    mutating func withNameValuePairs<Result>(
        scratch pairs: inout [nghttp2_nv], _ body: (UnsafeMutableBufferPointer<nghttp2_nv>) -> Result
    ) -> Result {
        defer { pairs.removeAll(keepingCapacity: true) }
        let entries = self.entries
        return storage.withUnsafeMutableBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return body(UnsafeMutableBufferPointer(start: nil, count: 0)) }
            for entry in entries {
                pairs.append(
                    nghttp2_nv(
                        name: base + entry.name.lowerBound, value: base + entry.value.lowerBound,
                        namelen: entry.name.count, valuelen: entry.value.count,
                        flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)))
            }
            return pairs.withUnsafeMutableBufferPointer { body($0) }
        }
    }
}
