import FerryHTTP

extension EntityTag {
    /// Parses exactly one entity-tag (`"abc"` or `W/"abc"`), as in `ETag` or `If-Range`; surrounding OWS is allowed.
    ///
    /// The `W/` prefix is case-sensitive (RFC 9110 §8.8.3: `%s"W/"`), so `w/"x"` is not an entity-tag.
    /// - Returns: `nil` when the value is not a single well-formed entity-tag.
    public static func parse(_ value: String) -> EntityTag? {
        let bytes = Array(value.utf8)
        var index = skipOWS(bytes, from: 0)
        guard case (let tag, let next)? = scan(bytes, from: index) else { return nil }
        index = skipOWS(bytes, from: next)
        return index == bytes.count ? tag : nil
    }

    /// Scans one entity-tag starting at `start`, returning it and the index just past its closing quote.
    static func scan(_ bytes: [UInt8], from start: Int) -> (EntityTag, Int)? {
        var index = start
        var isWeak = false
        if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "W"), bytes[index + 1] == UInt8(ascii: "/") {
            isWeak = true
            index += 2
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let opaqueStart = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            guard isEntityTagChar(bytes[index]) else { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }  // no closing quote
        let opaque = String(decoding: bytes[opaqueStart..<index], as: UTF8.self)
        return (EntityTag(opaque: opaque, isWeak: isWeak), index + 1)
    }

    /// etagc = %x21 / %x23-7E / obs-text.
    static func isEntityTagChar(_ byte: UInt8) -> Bool {
        byte == 0x21 || (0x23...0x7E).contains(byte) || byte >= 0x80
    }

    static func skipOWS(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count, FieldSyntax.isOWS(bytes[index]) {
            index += 1
        }
        return index
    }
}
