import CNghttp2

/// Builds nghttp2's name/value array for a response head.
enum HTTP2HeaderBlock {
    /// Calls `body` with `nghttp2_nv` entries pointing into `fields`' UTF-8 storage; nghttp2
    /// copies them when a response is submitted, so the pointers only live for the call.
    static func withNameValuePairs<Result>(
        _ fields: [(name: String, value: String)],
        _ body: (UnsafeMutableBufferPointer<nghttp2_nv>) -> Result
    ) -> Result {
        // One contiguous byte array for all names and values: one allocation, stable pointers.
        var storage: [UInt8] = []
        storage.reserveCapacity(fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count })
        var ranges: [(name: Range<Int>, value: Range<Int>)] = []
        ranges.reserveCapacity(fields.count)
        for field in fields {
            let nameStart = storage.count
            storage.append(contentsOf: field.name.utf8)
            let valueStart = storage.count
            storage.append(contentsOf: field.value.utf8)
            ranges.append((nameStart..<valueStart, valueStart..<storage.count))
        }
        return storage.withUnsafeMutableBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return body(UnsafeMutableBufferPointer(start: nil, count: 0)) }
            var pairs = ranges.map { range in
                nghttp2_nv(
                    name: base + range.name.lowerBound, value: base + range.value.lowerBound,
                    namelen: range.name.count, valuelen: range.value.count,
                    flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return pairs.withUnsafeMutableBufferPointer { body($0) }
        }
    }
}
