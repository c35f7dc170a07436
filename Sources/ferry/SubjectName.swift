#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a `--host` value is: a DNS name, or an IP address (as its bytes).
enum SubjectName: Equatable {
    case dns
    case ip([UInt8])

    static func kind(of host: String) -> SubjectName? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return .ip(withUnsafeBytes(of: &v4) { Array($0) }) }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return .ip(withUnsafeBytes(of: &v6) { Array($0) }) }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            !host.isEmpty && host.utf8.count <= 253
            && labels.allSatisfy { label in
                !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.utf8.allSatisfy { byte in
                        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "*")
                    }
            }
        return valid ? .dns : nil
    }
}
