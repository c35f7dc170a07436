/// The header of an RFC 8188 `aes128gcm` stream: salt, record size and key id (§2.1).
public struct ContentStreamHeader: Sendable, Equatable {
    public static let fixedLength = 21

    public var salt: [UInt8]
    public var recordSize: Int
    public var keyID: [UInt8]

    /// Bytes of the header as written.
    public var length: Int { Self.fixedLength + keyID.count }

    public init(salt: [UInt8], recordSize: Int = DropFormat.recordSize, keyID: [UInt8] = []) {
        self.salt = salt
        self.recordSize = recordSize
        self.keyID = keyID
    }

    /// Parses the header at the start of `bytes`.
    public init(parsing bytes: some Collection<UInt8>) throws {
        let bytes = Array(bytes.prefix(Self.fixedLength + 255))
        guard bytes.count >= Self.fixedLength else {
            throw DropFormatError.damaged("the stream is shorter than its header")
        }
        let idLength = Int(bytes[20])
        guard bytes.count >= Self.fixedLength + idLength else {
            throw DropFormatError.damaged("the stream is shorter than its header")
        }
        salt = Array(bytes[0..<16])
        recordSize = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        keyID = Array(bytes[21..<(21 + idLength)])
        guard recordSize >= 18 else { throw DropFormatError.damaged("record size below 18") }
    }

    /// The header's bytes.
    public var bytes: [UInt8] {
        let size = UInt32(recordSize)
        return salt + [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
            + [UInt8(keyID.count)] + keyID
    }
}
