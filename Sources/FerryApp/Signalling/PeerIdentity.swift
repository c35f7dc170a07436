import FerryStore

/// Who is behind a signalling socket.
enum PeerIdentity: Sendable {
    case member(Principal, credential: PeerCredential)
    case guest(GuestPass)
}
