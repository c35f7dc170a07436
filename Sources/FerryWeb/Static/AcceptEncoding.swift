import FerryHTTP

/// Content-coding negotiation for precompressed siblings (RFC 9110 §12.5.3).
///
/// Decisions:
/// - No `Accept-Encoding` field → identity. RFC 9110 allows any coding then, but clients that omit the field are
///   mostly tools and old proxies, and identity is always understood.
/// - An empty field value → identity (RFC 9110: the client wants no coding).
/// - Identity is always available (it is the file itself), whether or not `available` lists it.
/// - Codings are case-insensitive; `x-gzip` means `gzip` (RFC 9110 §8.4.1.3). Unknown codings are skipped.
/// - A member with an invalid q-value (`q=2`, `q=0.5000`, `q=abc`, `q=-1`) is ignored as if it were not listed.
///   Parameters other than `q` are ignored.
/// - A coding listed twice takes its highest q.
/// - A coding not listed takes the q of `*` if present; otherwise it is not acceptable, except identity, which is
///   acceptable but ranks below every coding listed with q > 0 (`Accept-Encoding: gzip;q=0.2` means "gzip
///   please", not "anything but gzip"). Identity is unacceptable only with `identity;q=0`, or `*;q=0` without an
///   `identity` member.
/// - The highest q wins; ties go to the server's preference, ``preference`` (br, then gzip, then identity), since
///   brotli is smaller at equal client preference.
/// - When nothing is acceptable the result is still ``ContentCoding/identity``: the caller serves the file
///   uncoded rather than answer 415, which RFC 9110 permits and every client handles.
public enum AcceptEncoding {
    /// Server preference used to break ties, most preferred first.
    public static let preference: [ContentCoding] = [.br, .gzip, .identity]

    /// q-values are handled in thousandths (the grammar allows at most three decimals), so comparisons are exact.
    private static let implicitIdentityQuality = 0

    /// Chooses the coding to serve.
    ///
    /// - Parameters:
    ///   - header: The `Accept-Encoding` field value (multiple lines joined with `,`), or `nil` when absent.
    ///   - available: The codings present on disk for this file; identity is implied.
    /// - Returns: The acceptable coding with the highest q, ties broken by ``preference``; identity when none is
    ///   acceptable.
    public static func choose(_ header: String?, available: [ContentCoding]) -> ContentCoding {
        guard let header else { return .identity }
        let weights = parse(header)
        var best = ContentCoding.identity
        var bestQuality = -1
        for coding in preference where coding == .identity || available.contains(coding) {
            guard let quality = quality(of: coding, weights: weights) else { continue }
            // Strictly greater: on ties the earlier (preferred) coding stays.
            if quality > bestQuality {
                best = coding
                bestQuality = quality
            }
        }
        return best
    }

    /// The rank of `coding`, or `nil` when it is not acceptable. Listed codings rank 1...1000; an implicitly
    /// acceptable identity ranks 0, below all of them.
    private static func quality(of coding: ContentCoding, weights: [String: Int]) -> Int? {
        let q: Int
        if let explicit = weights[coding.rawValue] {
            q = explicit
        } else if let wildcard = weights["*"] {
            q = wildcard
        } else {
            return coding == .identity ? implicitIdentityQuality : nil
        }
        return q > 0 ? q : nil
    }

    /// Coding (lowercased, `x-gzip` folded to `gzip`) → highest q in thousandths.
    private static func parse(_ header: String) -> [String: Int] {
        var weights: [String: Int] = [:]
        for member in FieldSyntax.splitList(Array(header.utf8)[...]) where !member.isEmpty {
            let parts = member.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
            let name = FieldSyntax.trimmingOWS(parts[0])
            guard !name.isEmpty, name.allSatisfy(FieldSyntax.isTokenChar) else { continue }
            var coding = FieldSyntax.asciiLowercased(name)
            if coding == "x-gzip" {
                coding = "gzip"
            }
            var quality: Int? = 1000
            for parameter in parts.dropFirst() {
                let trimmed = FieldSyntax.trimmingOWS(parameter)
                guard let equals = trimmed.firstIndex(of: UInt8(ascii: "=")) else { continue }
                let parameterName = FieldSyntax.asciiLowercased(FieldSyntax.trimmingOWS(trimmed[..<equals]))
                if parameterName == "q" {
                    quality = parseQValue(FieldSyntax.trimmingOWS(trimmed[(equals + 1)...]))
                    break
                }
            }
            guard let quality else { continue }
            weights[coding] = max(weights[coding] ?? 0, quality)
        }
        return weights
    }

    /// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
    static func parseQValue(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        let rest = bytes.dropFirst()
        var fraction = 0
        if let dot = rest.first {
            guard dot == UInt8(ascii: "."), rest.count <= 4 else { return nil }
            var scale = 100
            for digit in rest.dropFirst() {
                guard FieldSyntax.isDigit(digit) else { return nil }
                fraction += Int(digit - 0x30) * scale
                scale /= 10
            }
        }
        if first == UInt8(ascii: "1") {
            return fraction == 0 ? 1000 : nil
        }
        return fraction
    }
}
