import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `Date` field value, formatted once per second per connection.
struct HTTPDateCache {
    private var second = 0
    private var cachedBuffer = ByteBuffer()
    private var cachedString = ""

    private mutating func refresh() {
        let now = time(nil)
        if now != second || cachedString.isEmpty {
            second = now
            cachedString = HTTPDate.format(Int64(now))
            cachedBuffer = ByteBuffer(string: cachedString)
        }
    }

    /// For HTTP/1.1's encoder, which copies bytes.
    mutating func buffer() -> ByteBuffer {
        refresh()
        return cachedBuffer
    }

    /// For HTTP/2's header block.
    mutating func string() -> String {
        refresh()
        return cachedString
    }
}
