import FerryStore

/// `POST /teams/{teamID}/members` and `PATCH /teams/{teamID}/members/{userID}`.
struct MemberBody: Decodable, Sendable {
    var email: String?
    var role: Role?
}
