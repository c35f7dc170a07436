/// Byte-level helpers shared by the field-value parsers (RFC 9110 §5.6).
///
/// The parsers work on UTF-8 bytes rather than `Character`s: HTTP syntax is defined over octets, and grapheme
/// clustering would let a combining mark glue itself onto a delimiter (`,` + U+0301 is one `Character`).
public enum FieldSyntax {
    /// OWS = *( SP / HTAB ).
    public static func isOWS(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09
    }

    /// The value of a hexadecimal digit (either case), for chunk sizes and percent-encoding.
    @inline(__always)
    public static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    public static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }

    /// tchar from RFC 9110 §5.6.2.
    public static func isTokenChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A:
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    public static func trimmingOWS(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, isOWS(first) {
            slice = slice.dropFirst()
        }
        while let last = slice.last, isOWS(last) {
            slice = slice.dropLast()
        }
        return slice
    }

    /// Splits a comma-separated list and trims OWS around each member, keeping empty members so callers can skip
    /// them (RFC 9110 §5.6.1 asks recipients to tolerate empty list elements). Only for grammars without quoted
    /// strings that could contain a comma.
    public static func splitList(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map(trimmingOWS)
    }

    /// Lowercases ASCII letters only: tokens are ASCII, and Unicode case mapping would be slower and could fold
    /// non-ASCII input onto a known key.
    public static func asciiLowercased(_ bytes: some Sequence<UInt8>) -> String {
        var lowered = Array(bytes)
        for i in lowered.indices where lowered[i] >= 0x41 && lowered[i] <= 0x5A {
            lowered[i] += 0x20
        }
        return String(decoding: lowered, as: UTF8.self)
    }

    /// Parses 1*DIGIT, saturating at `Int64.max` instead of overflowing: for byte positions a huge number means
    /// "beyond any representation", which is exactly how the range logic must treat it.
    public static func parseSaturatingDecimal(_ bytes: ArraySlice<UInt8>) -> Int64? {
        guard !bytes.isEmpty else { return nil }
        var value: Int64 = 0
        var saturated = false
        for byte in bytes {
            guard isDigit(byte) else { return nil }
            guard !saturated else { continue }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(byte - 0x30))
            if overflow1 || overflow2 {
                saturated = true
                value = .max
            } else {
                value = sum
            }
        }
        return value
    }
}
