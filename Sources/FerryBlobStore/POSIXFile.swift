import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file descriptor and the few blocking calls the blob store makes on it. Called only from
/// NIO's blocking-I/O pool; errno becomes ``BlobStoreError``.
struct POSIXFile: Sendable {
    let descriptor: Int32

    /// A write that stopped early: `count` bytes landed before `underlying` happened.
    struct PartialWrite: Error {
        var count: Int
        var underlying: BlobStoreError
    }

    init(path: String, flags: Int32) throws {
        let descriptor = open(path, flags | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.error("open", errno) }
        self.descriptor = descriptor
    }

    static func error(_ operation: String, _ code: Int32) -> BlobStoreError {
        code == ENOSPC || code == EDQUOT ? .storageFull : .io(operation: operation, errno: code)
    }

    func close() throws {
        guard Glibc.close(descriptor) == 0 else { throw Self.error("close", errno) }
    }

    func size() throws -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw Self.error("fstat", errno) }
        return Int64(info.st_size)
    }

    func truncate(to length: Int64) throws {
        guard ftruncate(descriptor, off_t(length)) == 0 else { throw Self.error("ftruncate", errno) }
    }

    /// Starts writing a range out without waiting (`POSIX_FADV_DONTNEED` starts writeback of
    /// dirty pages and drops clean ones); only a hint, so failures are ignored.
    func startWriteback(from offset: Int64, count: Int64) {
        _ = posix_fadvise(descriptor, off_t(offset), off_t(count), POSIX_FADV_DONTNEED)
    }

    func sync() throws {
        guard fsync(descriptor) == 0 else { throw Self.error("fsync", errno) }
    }

    /// Writes all of `bytes` at `offset`; returns the count, or throws ``PartialWrite``.
    func write(_ bytes: ByteBuffer, at offset: Int64) throws -> Int {
        try bytes.withUnsafeReadableBytes { pointer in
            var done = 0
            while done < pointer.count {
                let result = pwrite(
                    descriptor, pointer.baseAddress! + done, pointer.count - done, off_t(offset + Int64(done)))
                if result < 0 {
                    if errno == EINTR { continue }
                    throw PartialWrite(count: done, underlying: Self.error("pwrite", errno))
                }
                done += result
            }
            return done
        }
    }

    func readAll() throws -> ByteBuffer {
        let length = Int(try size())
        var buffer = ByteBuffer()
        buffer.reserveCapacity(length)
        while buffer.readableBytes < length {
            let position = buffer.readableBytes
            var result = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length - position) { pointer in
                result = pread(descriptor, pointer.baseAddress, length - position, off_t(position))
                return max(0, result)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw Self.error("pread", errno)
            }
            if result == 0 { break }
        }
        return buffer
    }

    /// Appends all of `source`, a MiB at a time. (`copy_file_range` would keep the bytes in the
    /// kernel, but Glibc's module map does not export it; joins are rare next to uploads.)
    func copyAll(from source: POSIXFile) throws {
        var end = try size()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(source.descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.error("read", errno)
            }
            if count == 0 { return }
            end += Int64(try write(ByteBuffer(bytes: chunk[0..<count]), at: end))
        }
    }

    static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw error("rename", errno) }
    }

    /// Makes a rename or a create in `directory` durable.
    static func syncDirectory(_ directory: String) throws {
        let file = try POSIXFile(path: directory, flags: O_RDONLY | O_DIRECTORY)
        defer { try? file.close() }
        try file.sync()
    }

    static func makeDirectory(_ path: String) throws {
        var built = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            built += "/" + component
            if mkdir(built, 0o700) != 0 && errno != EEXIST { throw error("mkdir \(built)", errno) }
        }
    }
}
