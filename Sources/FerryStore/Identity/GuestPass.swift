import Foundation

/// A browser without an account, paired with one member by a code: it may open a signalling
/// socket, and it sees only that member's peers (and they it), for as long as the pass lives.
/// Kept in the store (``GuestPassStore``) so that a restart of the server does not end pairings.
public struct GuestPass: Sendable, Equatable {
    /// The hash of the guest's cookie secret.
    public var secretHash: String
    /// The guest's device, as it registered it when claiming the code.
    public var deviceID: String
    public var deviceName: String
    public var publicKey: String
    /// The member who made the code.
    public var memberID: UUID
    public var memberName: String
    /// The pairing room the guest and the member's peers share.
    public var pairingID: String
    public var expiresAt: Date
    /// Who the member made the code for, in the member's words; nil when not said.
    public var label: String?

    public init(
        secretHash: String, deviceID: String, deviceName: String, publicKey: String, memberID: UUID,
        memberName: String, pairingID: String, expiresAt: Date, label: String? = nil
    ) {
        self.secretHash = secretHash
        self.deviceID = deviceID
        self.deviceName = deviceName
        self.publicKey = publicKey
        self.memberID = memberID
        self.memberName = memberName
        self.pairingID = pairingID
        self.expiresAt = expiresAt
        self.label = label
    }
}
