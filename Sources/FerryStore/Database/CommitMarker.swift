#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A fingerprint of everything an SQLite database has committed, cheap enough to read every
/// second: the first header of its WAL index (the `-shm` file beside it). SQLite rewrites that
/// header with every committed write transaction, whichever process made it — its change
/// counter, last valid frame, salts and checksums (https://sqlite.org/walformat.html, "The
/// WAL-Index Format") — and `PRAGMA data_version` is built on the same header.
///
/// Two equal markers mean nothing was committed in between, so a poller can skip its query;
/// reading one is a `stat` and a 48-byte `pread` on the calling thread, where the query costs a
/// trip through the database's thread pool. A torn read (a writer mid-update) only ever yields a
/// marker that differs, which costs one query more, never a missed change.
public struct CommitMarker: Equatable, Sendable {
    /// Bytes of one copy of the WAL-index header.
    static let headerBytes = 48

    let header: [UInt8]

    /// The marker read through `descriptor`, an open `-shm` file.
    static func read(descriptor: CInt) -> CommitMarker? {
        var header = [UInt8](repeating: 0, count: headerBytes)
        let count = header.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, headerBytes, 0) }
        guard count == headerBytes else { return nil }
        return CommitMarker(header: header)
    }
}
