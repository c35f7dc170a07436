import Foundation

/// `POST /pairings`: a code for a guest, shown as `XXXX-XXXX`.
struct PairingDocument: Encodable, Sendable {
    var code: String
    var expiresAt: Date
}
