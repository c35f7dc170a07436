/// What a member's socket was opened with, kept to check it again whenever identity data
/// changes: a socket lives longer than the session or token that opened it may.
enum PeerCredential: Sendable, Equatable {
    case session(tokenHash: String)
    case token(secretHash: String)
}
