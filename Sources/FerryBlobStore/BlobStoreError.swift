/// Why the blob store could not do what was asked.
public enum BlobStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file system is full (ENOSPC, or the disk quota, EDQUOT).
    case storageFull
    /// No upload or blob of this id.
    case notFound(String)
    /// Any other failure of the file system (`errno`).
    case io(operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .storageFull: "the blob store's file system is full"
        case .notFound(let id): "no blob or upload \(id)"
        case .io(let operation, let code): "\(operation) failed: errno \(code)"
        }
    }
}
