import FerryStore

/// `POST /teams/{teamID}/invites`.
struct InviteBody: Decodable, Sendable {
    var role: Role?
    var maxUses: Int?
    var expiresInHours: Int?
}
