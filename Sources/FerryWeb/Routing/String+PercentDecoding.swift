import FerryHTTP

extension String {
    /// Percent-decodes the string; returns it unchanged when the encoding is invalid or the decoded
    /// bytes are not UTF-8 (the handler then sees exactly what was sent).
    var removingPercentEncodingIfValid: String {
        guard utf8.contains(UInt8(ascii: "%")) else { return self }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(FieldSyntax.hexValue),
                let low = iterator.next().flatMap(FieldSyntax.hexValue)
            else { return self }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self) ?? self
    }
}
