/// Why `ferry send` or `ferry get` stopped, in words for the command line.
public enum DropClientError: Error, Equatable, CustomStringConvertible {
    /// The link cannot be a drop link.
    case badLink(String)
    /// A path, option or input the command cannot use.
    case invalidInput(String)
    /// The server refused or answered something unexpected (status, problem detail).
    case server(status: Int, detail: String)
    /// The drop is gone (404 or 410: deleted, revoked, expired or used up), in the server's words:
    /// running the command again cannot help.
    case gone(String)
    /// The ciphertext or metadata does not verify: nothing from it was kept.
    case damaged(String)
    /// The password (or the link) derives keys the server does not accept.
    case wrongPassword
    /// The link's secret derives keys the server does not accept (a drop without a password): the
    /// part after "#" was changed or cut.
    case linkRefused
    /// A local file problem.
    case io(String)

    public var description: String {
        switch self {
        case .badLink(let detail): "not a drop link: \(detail)"
        case .invalidInput(let detail): detail
        case .server(let status, let detail): "the server refused (\(status)): \(detail)"
        case .gone(let detail): detail
        case .damaged(let detail): "the drop is damaged: \(detail); nothing was written"
        case .wrongPassword: "wrong password (nothing was used up; or the link was changed)"
        case .linkRefused:
            "this link does not open this drop: its part after \"#\" was changed or cut; ask the sender for the whole link again"
        case .io(let detail): detail
        }
    }
}
