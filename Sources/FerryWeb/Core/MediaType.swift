import Foundation

/// Small helpers for `Content-Type` values.
enum MediaType {
    /// The type/subtype without parameters, lowercased.
    static func essence(_ value: String) -> Substring {
        let end = value.firstIndex(of: ";") ?? value.endIndex
        return Substring(value[..<end].trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// `application/json` or any `+json` structured syntax.
    static func isJSON(_ value: String) -> Bool {
        let essence = essence(value)
        return essence == "application/json" || essence.hasSuffix("+json")
    }

    static func isHTML(_ value: String) -> Bool {
        essence(value) == "text/html"
    }
}
