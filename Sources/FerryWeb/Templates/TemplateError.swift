/// Why a template could not be rendered.
public enum TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No template of that name exists in `Templates/`.
    case missing(String)
    /// A template file failed to parse.
    case invalid(file: String, reason: String)
    /// The templates folder could not be read.
    case unreadableDirectory(String)

    public var description: String {
        switch self {
        case .missing(let name): return "no template named \"\(name)\""
        case .invalid(let file, let reason): return "template \(file) is invalid: \(reason)"
        case .unreadableDirectory(let path): return "cannot read templates folder \(path)"
        }
    }
}
