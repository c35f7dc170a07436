/// Why `Public/` could not be indexed.
public enum StaticFileIndexError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADirectory(String)

    public var description: String {
        switch self {
        case .notADirectory(let path): return "public folder \(path) is not a readable directory"
        }
    }
}
