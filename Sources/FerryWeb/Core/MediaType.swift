import FerryHTTP

/// Small helpers for `Content-Type` values, on bytes: they run for every response.
public enum MediaType {
    /// The type/subtype without parameters, lowercased.
    public static func essence(_ value: String) -> String {
        FieldSyntax.asciiLowercased(FieldSyntax.trimmingOWS(ArraySlice(value.utf8.prefix { $0 != UInt8(ascii: ";") })))
    }

    /// `application/json` or any `+json` structured syntax.
    static func isJSON(_ value: String) -> Bool {
        let essence = essence(value)
        return essence == "application/json" || essence.hasSuffix("+json")
    }

    /// Whether the essence is `text/html`, without allocating.
    static func isHTML(_ value: String) -> Bool {
        let target = "text/html".utf8
        var bytes = value.utf8.makeIterator()
        for expected in target {
            guard let byte = bytes.next(), byte | 0x20 == expected | 0x20 else { return false }
        }
        guard let next = bytes.next() else { return true }
        return next == UInt8(ascii: ";") || FieldSyntax.isOWS(next)
    }
}
