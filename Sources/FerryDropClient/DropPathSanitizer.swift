import Foundation

/// Makes a path from a drop's metadata safe to write under the output folder, by the rules the
/// browser applies to received names (`Public/js/transfer/names.js`): `/`-separated segments (a
/// `\` is a character of a name, as on Linux and macOS, replaced by `_` like the other characters
/// a file system refuses; never a separator, so `a\b.txt` stays one file); empty, `.` and `..`
/// segments dropped (never resolved, so nothing climbs out); control, bidirectional and
/// Windows-reserved characters (NUL included) replaced by `_`; device names
/// prefixed; segments cut to 255 UTF-8 bytes and the depth to 32. Never absolute, never empty.
public enum DropPathSanitizer {
    /// Longest segment, in UTF-8 bytes.
    public static let maxSegmentBytes = 255
    /// Deepest nesting kept; deeper segments are joined into the last one.
    public static let maxDepth = 32

    /// The safe relative path of `path` (`fallback` when nothing is left).
    public static func sanitize(_ path: String, fallback: String = "file") -> String {
        // Split on the scalar, as the browser does: a "/" followed by a combining mark is one
        // Character in Swift, and must still separate.
        var segments = path.unicodeScalars.split(separator: "/").map { segment(String(String.UnicodeScalarView($0))) }
            .filter { !$0.isEmpty }
        if segments.count > maxDepth {
            let tail = segment(segments[(maxDepth - 1)...].joined(separator: "_"))
            segments = Array(segments[..<(maxDepth - 1)]) + [tail]
        }
        return segments.isEmpty ? fallback : segments.joined(separator: "/")
    }

    /// One segment made safe, or "" when nothing is left.
    public static func segment(_ raw: String) -> String {
        var name = String(
            String.UnicodeScalarView(
                raw.precomposedStringWithCanonicalMapping.unicodeScalars.map { isUnsafe($0) ? "_" : $0 }))
        while let first = name.unicodeScalars.first, CharacterSet.whitespacesAndNewlines.contains(first) {
            name.unicodeScalars.removeFirst()
        }
        while let last = name.unicodeScalars.last, last == "." || CharacterSet.whitespacesAndNewlines.contains(last) {
            name.unicodeScalars.removeLast()
        }
        guard !name.isEmpty else { return "" }
        let base = (name.split(separator: ".", omittingEmptySubsequences: false).first.map(String.init) ?? "")
            .trimmingCharacters(in: .whitespaces).lowercased()
        if reserved.contains(base) || base.range(of: "^(com|lpt)[0-9¹²³]$", options: .regularExpression) != nil {
            name = "_" + name
        }
        if name.utf8.count > maxSegmentBytes {
            var extensionPart = ""
            if let dot = name.lastIndex(of: "."), dot > name.startIndex,
                name.distance(from: dot, to: name.endIndex) <= 16
            {
                extensionPart = String(name[dot...])
                name = String(name[..<dot])
            }
            var cut = ""
            for character in name {
                if cut.utf8.count + String(character).utf8.count > maxSegmentBytes - extensionPart.utf8.count { break }
                cut.append(character)
            }
            name = cut + extensionPart
        }
        return name
    }

    private static let reserved: Set<String> = ["con", "prn", "aux", "nul", "conin$", "conout$", "clock$"]

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2069, 0xFEFF,
            0xFFF9...0xFFFB:
            true
        default:
            "<>:\"|?*\\/".unicodeScalars.contains(scalar)
        }
    }
}
