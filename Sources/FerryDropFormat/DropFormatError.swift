/// Why a drop's bytes or inputs were refused.
public enum DropFormatError: Error, Equatable, CustomStringConvertible {
    /// Something does not decrypt or does not add up; nothing from it may be used.
    case damaged(String)
    /// An input out of the format's range (a short secret, too few iterations, a record too long).
    case invalid(String)

    public var description: String {
        switch self {
        case .damaged(let detail): "damaged: \(detail)"
        case .invalid(let detail): "invalid: \(detail)"
        }
    }
}
