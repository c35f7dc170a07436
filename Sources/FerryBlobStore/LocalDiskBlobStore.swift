public import NIOCore
public import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Blobs as files in one directory: an upload is `ID.part` while it grows and is renamed to `ID`
/// when complete (rename is atomic within a directory, and the directory is fsynced after it,
/// so a blob is either whole or absent after a crash). Every blocking call runs on NIO's thread
/// pool for blocking I/O, never on an event loop or the cooperative pool.
public struct LocalDiskBlobStore: BlobStore {
    public let root: String
    let pool: NIOThreadPool

    /// Opens (and creates) the directory.
    public init(root: String, pool: NIOThreadPool = .singleton) throws {
        self.root = root
        self.pool = pool
        try POSIXFile.makeDirectory(root)
    }

    func partPath(_ id: String) -> String { root + "/" + id + ".part" }
    func blobPath(_ id: String) -> String { root + "/" + id }

    public func createUpload(_ id: String) async throws {
        let path = partPath(id)
        let root = self.root
        try await pool.runIfActive {
            let file = try POSIXFile(path: path, flags: O_WRONLY | O_CREAT | O_EXCL)
            try file.close()
            try POSIXFile.syncDirectory(root)
        }
    }

    public func appender(forUpload id: String, at acknowledged: Int64) async throws -> any BlobAppender {
        let path = partPath(id)
        let file = try await pool.runIfActive { () -> POSIXFile in
            let file: POSIXFile
            do {
                file = try POSIXFile(path: path, flags: O_WRONLY)
            } catch BlobStoreError.io(_, ENOENT) {
                throw BlobStoreError.notFound(id)
            }
            do {
                let size = try file.size()
                // Fewer bytes than were acknowledged means the disk lost acknowledged data: refuse
                // rather than serve a blob with a hole.
                guard size >= acknowledged else {
                    throw BlobStoreError.io(operation: "resume \(id): \(size) < \(acknowledged) bytes", errno: EIO)
                }
                if size > acknowledged { try file.truncate(to: acknowledged) }
                return file
            } catch {
                try? file.close()
                throw error
            }
        }
        return LocalDiskAppender(file: file, length: acknowledged, pool: pool)
    }

    public func completeUpload(_ id: String) async throws {
        let (part, blob, root) = (partPath(id), blobPath(id), self.root)
        try await pool.runIfActive {
            let file: POSIXFile
            do {
                file = try POSIXFile(path: part, flags: O_WRONLY)
            } catch BlobStoreError.io(_, ENOENT) {
                if access(blob, F_OK) == 0 { return }  // completed before
                throw BlobStoreError.notFound(id)
            }
            try file.sync()
            try file.close()
            try POSIXFile.rename(part, to: blob)
            try POSIXFile.syncDirectory(root)
        }
    }

    public func concatenate(_ parts: [String], into id: String) async throws {
        let sources = parts.map(blobPath)
        let (part, blob, root) = (partPath(id), blobPath(id), self.root)
        try await pool.runIfActive {
            let target = try POSIXFile(path: part, flags: O_WRONLY | O_CREAT | O_TRUNC)
            do {
                for source in sources {
                    let input = try POSIXFile(path: source, flags: O_RDONLY)
                    defer { try? input.close() }
                    try target.copyAll(from: input)
                }
                try target.sync()
                try target.close()
            } catch {
                try? target.close()
                unlink(part)
                throw error
            }
            try POSIXFile.rename(part, to: blob)
            try POSIXFile.syncDirectory(root)
        }
    }

    public func put(_ id: String, bytes: ByteBuffer) async throws {
        let (part, blob, root) = (partPath(id), blobPath(id), self.root)
        try await pool.runIfActive {
            let file = try POSIXFile(path: part, flags: O_WRONLY | O_CREAT | O_TRUNC)
            do {
                _ = try file.write(bytes, at: 0)
                try file.sync()
                try file.close()
            } catch {
                try? file.close()
                unlink(part)
                throw error
            }
            try POSIXFile.rename(part, to: blob)
            try POSIXFile.syncDirectory(root)
        }
    }

    public func get(_ id: String) async throws -> ByteBuffer {
        let path = blobPath(id)
        return try await pool.runIfActive {
            let file: POSIXFile
            do {
                file = try POSIXFile(path: path, flags: O_RDONLY)
            } catch BlobStoreError.io(_, ENOENT) {
                throw BlobStoreError.notFound(id)
            }
            defer { try? file.close() }
            return try file.readAll()
        }
    }

    public func file(_ id: String) async throws -> BlobFile? {
        let path = blobPath(id)
        return try await pool.runIfActive { () -> BlobFile? in
            var info = stat()
            guard stat(path, &info) == 0 else {
                if errno == ENOENT { return nil }
                throw BlobStoreError.io(operation: "stat", errno: errno)
            }
            return BlobFile(path: path, length: Int64(info.st_size), modifiedAt: Int64(info.st_mtim.tv_sec))
        }
    }

    public func delete(_ id: String) async throws {
        let paths = [partPath(id), blobPath(id)]
        let root = self.root
        try await pool.runIfActive {
            var removed = false
            for path in paths {
                if unlink(path) == 0 {
                    removed = true
                } else if errno != ENOENT {
                    throw BlobStoreError.io(operation: "unlink", errno: errno)
                }
            }
            if removed { try POSIXFile.syncDirectory(root) }
        }
    }

    public func list() async throws -> [BlobEntry] {
        let root = self.root
        return try await pool.runIfActive {
            guard let directory = opendir(root) else { throw BlobStoreError.io(operation: "opendir", errno: errno) }
            defer { closedir(directory) }
            var entries: [String: Int64] = [:]
            while let entry = readdir(directory) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                guard name != ".", name != ".." else { continue }
                var info = stat()
                guard stat(root + "/" + name, &info) == 0 else { continue }  // deleted meanwhile
                let id = name.hasSuffix(".part") ? String(name.dropLast(5)) : name
                entries[id] = max(entries[id] ?? 0, Int64(info.st_mtim.tv_sec))
            }
            return entries.map { BlobEntry(id: $0.key, modifiedAt: $0.value) }.sorted { $0.id < $1.id }
        }
    }
}
