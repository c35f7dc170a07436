/// A request path that is safe to join onto the public root: decoded, validated segments.
public struct ResolvedPath: Sendable, Hashable {
    /// Decoded path segments, none empty, none starting with `.`, none containing `/`, `\` or control characters.
    /// Empty for the root path `/`.
    public var segments: [String]
    /// Whether the path ended with `/` (including the root `/`): the client asked for a directory, so the handler
    /// looks for an index file, and redirects a file request that lacks the slash (or vice versa) as it sees fit.
    public var isDirectory: Bool

    public init(segments: [String], isDirectory: Bool) {
        self.segments = segments
        self.isDirectory = isDirectory
    }

    /// The segments joined with `/`, relative to the public root (empty for the root).
    public var relativePath: String {
        segments.joined(separator: "/")
    }
}
