/// Why a request path was refused by ``RequestPath/resolve(_:maxLength:maxSegments:)``.
///
/// Every case is a distinct reason so logs and tests can tell them apart. The caller decides the status: these are
/// all client errors, and the static handler answers `404 Not Found` for ``hiddenSegment`` (so the existence of
/// dotfiles is not revealed) and `400 Bad Request` for the rest.
public enum RequestPathError: Error, Equatable, Sendable {
    /// The path does not start with `/` (origin-form requires it; `*` and absolute-form are not file paths).
    case notAbsolute
    /// The raw path is longer than the configured maximum, in UTF-8 bytes.
    case tooLong
    /// The path has more segments than the configured maximum.
    case tooManySegments
    /// A `%` not followed by two hexadecimal digits (`%zz`, `%4`, a trailing `%`).
    case invalidPercentEncoding
    /// The decoded bytes of a segment are not valid UTF-8 (including overlong forms such as `%C0%AE`).
    case invalidUTF8
    /// A decoded segment contains NUL or another control character (C0, DEL or C1).
    case controlCharacter
    /// `%2F` or `%2f`: a slash smuggled inside a segment, which the file system would treat as a separator.
    case encodedSlash
    /// `%5C` or `%5c`: a backslash, a separator on some file systems and in some proxies.
    case encodedBackslash
    /// A raw `\` anywhere in the path.
    case backslash
    /// A segment that is `.` after decoding.
    case dotSegment
    /// A segment that is `..` after decoding (`..`, `%2e%2e`, `.%2E`).
    case dotDotSegment
    /// A segment that starts with `.` (dotfiles and dot-directories such as `.git`, `.env`, `.well-known`).
    case hiddenSegment
    /// An empty segment in the middle of the path (`//`).
    case emptySegment
}

extension RequestPathError {
    /// Why the address was refused, in words a person reading an error page can act on (never the
    /// case's name).
    public var reason: String {
        switch self {
        case .notAbsolute: "it does not start with a slash"
        case .tooLong: "it is too long"
        case .tooManySegments: "it has too many parts"
        case .invalidPercentEncoding: "it has a % that is not followed by two hexadecimal digits"
        case .invalidUTF8: "it spells characters that are not valid UTF-8"
        case .controlCharacter: "it holds a control character"
        case .encodedSlash: "it hides a slash inside a name (%2F)"
        case .encodedBackslash: "it hides a backslash inside a name (%5C)"
        case .backslash: "it holds a backslash"
        case .dotSegment: "it has a part that is only \".\""
        case .dotDotSegment: "it has a part that is \"..\""
        case .hiddenSegment: "it names a hidden file"
        case .emptySegment: "it has an empty part (//)"
        }
    }
}
