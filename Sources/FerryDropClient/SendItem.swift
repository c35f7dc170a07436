import Foundation

/// One file of a drop being sent: where it is on disk and its path inside the drop.
public struct SendItem: Sendable, Equatable {
    /// The file on disk (absolute).
    public var diskPath: String
    /// `/`-separated path inside the drop.
    public var dropPath: String
    /// Plaintext bytes.
    public var size: Int64
    /// Modification time (seconds since 1970), part of the resume key.
    public var modified: Double
    /// A MIME type guessed from the name, or "".
    public var type: String

    public init(diskPath: String, dropPath: String, size: Int64, modified: Double, type: String) {
        self.diskPath = diskPath
        self.dropPath = dropPath
        self.size = size
        self.modified = modified
        self.type = type
    }

    /// Bytes this file takes once encrypted: what its tus upload holds.
    public var ciphertextSize: Int64 { CiphertextLayout.ciphertextLength(plaintextSize: size) }

    /// The files of `paths`: a file as its name, a folder as its tree (regular files only; paths
    /// start with the folder's name). Sorted by drop path within a folder. Inside a folder, what is
    /// not a regular file — a symbolic link (which may point out of the tree, at anything the user
    /// can read), a pipe, a socket, a device — is left out and named to `skipped`, and so is an
    /// empty folder (a drop holds files; a folder exists in it only through its files); a path
    /// given by name is taken as the user named it.
    public static func collect(
        _ paths: [String], skipped: (String, SkipReason) -> Void = { _, _ in }
    ) throws -> [SendItem] {
        var items: [SendItem] = []
        let manager = FileManager.default
        for path in paths {
            let url = URL(fileURLWithPath: path).standardizedFileURL
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: url.path, isDirectory: &isFolder) else {
                throw DropClientError.invalidInput("\(path): no such file or folder")
            }
            if !isFolder.boolValue {
                items.append(try item(url.path, dropPath: url.lastPathComponent))
                continue
            }
            let base = url.path.hasSuffix("/") ? url.path : url.path + "/"
            let root = url.lastPathComponent
            guard let enumerator = manager.enumerator(atPath: url.path) else {
                throw DropClientError.io("cannot read the folder \(path)")
            }
            var found: [SendItem] = []
            while let relative = enumerator.nextObject() as? String {
                let full = base + relative
                var status = stat()
                guard lstat(full, &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFDIR:
                    if (try? manager.contentsOfDirectory(atPath: full))?.isEmpty == true { skipped(full, .emptyFolder) }
                case S_IFREG:
                    found.append(
                        try item(full, dropPath: root.isEmpty || root == "/" ? relative : root + "/" + relative))
                default: skipped(full, .notARegularFile)
                }
            }
            items += found.sorted { $0.dropPath < $1.dropPath }
        }
        return items
    }

    /// Why `collect` left something out.
    public enum SkipReason: Sendable {
        /// A link, a pipe, a socket or a device.
        case notARegularFile
        /// A folder with nothing in it.
        case emptyFolder
    }

    /// Standard input as one file named `name`: copied to a private temporary file first (tus needs
    /// the length before the first byte), which the caller deletes after the send.
    public static func spoolStandardInput(as name: String) throws -> SendItem {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-stdin-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: url.path)
        else { throw DropClientError.io("cannot spool standard input to \(url.path)") }
        do {
            defer { try? handle.close() }
            while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
                try handle.write(contentsOf: chunk)
            }
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw DropClientError.io("cannot spool standard input: \(error)")
        }
        return try item(url.path, dropPath: name)
    }

    /// The item of one regular file.
    static func item(_ path: String, dropPath: String) throws -> SendItem {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw DropClientError.invalidInput("\(path): not a regular file")
        }
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        return SendItem(
            diskPath: path, dropPath: dropPath, size: Int64(info.st_size), modified: modified,
            type: mimeType(dropPath))
    }

    /// A MIME type for common extensions, "" otherwise.
    public static func mimeType(_ name: String) -> String {
        let types = [
            "txt": "text/plain", "md": "text/markdown", "html": "text/html", "css": "text/css", "csv": "text/csv",
            "json": "application/json", "pdf": "application/pdf", "zip": "application/zip", "gz": "application/gzip",
            "tar": "application/x-tar", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
            "gif": "image/gif", "webp": "image/webp", "svg": "image/svg+xml", "mp4": "video/mp4",
            "mov": "video/quicktime",
            "webm": "video/webm", "mp3": "audio/mpeg", "wav": "audio/wav",
        ]
        guard let dot = name.lastIndex(of: ".") else { return "" }
        return types[name[name.index(after: dot)...].lowercased()] ?? ""
    }
}
