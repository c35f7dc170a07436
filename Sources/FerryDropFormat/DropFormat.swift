/// The constants of the drop format, version 1 (docs/DROPS.md).
public enum DropFormat {
    /// Bytes of a link's secret.
    public static let secretLength = 16
    /// RFC 8188 record size of every file stream: 64 KiB of plaintext, the delimiter and the tag.
    public static let recordSize = 65_553
    /// Plaintext bytes in every record but the last.
    public static let plaintextPerRecord = recordSize - ContentRecordOpener.tagLength - 1
    /// The fewest PBKDF2 iterations of a password drop (OWASP 2023, PBKDF2-HMAC-SHA256).
    public static let minPasswordIterations = 600_000
    /// The most a reader accepts, so a hostile drop cannot keep a CPU busy for minutes.
    public static let maxPasswordIterations = 10_000_000

    static let hkdfSalt = Array("ferry-drop/v1".utf8)
    static let contentInfo = Array("ferry-drop/v1 content".utf8)
    static let metadataInfo = Array("ferry-drop/v1 metadata".utf8)
    static let proofInfo = Array("ferry-drop/v1 proof".utf8)
}
