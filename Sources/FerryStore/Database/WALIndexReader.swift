import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads ``CommitMarker``s of one SQLite database through a descriptor of its `-shm` file that
/// stays open for as long as the database does.
///
/// It must stay open: SQLite locks the `-shm` with POSIX record locks (`fcntl`), and POSIX drops
/// every lock a process holds on a file when the process closes *any* descriptor of it. Closing
/// one after each read would drop the connection pool's locks — among them the one that tells
/// another process (the CLI) that the index is in use, which would then rebuild it under the
/// server's feet. So the descriptor is closed only when it no longer names the file at the path
/// (a new `-shm` made after every connection closed: a different file, whose locks are its own)
/// and at ``shutDown()``, after the pool is closed.
final class WALIndexReader: Sendable {
    private let path: String
    private let descriptor = Mutex<CInt>(-1)

    init(databasePath: String) {
        path = databasePath + "-shm"
    }

    /// The marker now, or nil when there is no WAL index to read (not in WAL mode, not opened
    /// yet, an in-memory database).
    func marker() -> CommitMarker? {
        descriptor.withLock { descriptor in
            var atPath = stat()
            guard stat(path, &atPath) == 0 else { return nil }
            var current = stat()
            if descriptor < 0 || fstat(descriptor, &current) != 0 || current.st_ino != atPath.st_ino
                || current.st_dev != atPath.st_dev
            {
                if descriptor >= 0 { close(descriptor) }
                descriptor = open(path, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { return nil }
            }
            return CommitMarker.read(descriptor: descriptor)
        }
    }

    /// Closes the descriptor: only once the database's connections are closed.
    func shutDown() {
        descriptor.withLock { descriptor in
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }
    }
}
