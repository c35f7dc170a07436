/// `PATCH /users/{userID}`.
struct UserUpdateBody: Decodable, Sendable {
    var displayName: String?
    var isAdmin: Bool?
    var disabled: Bool?
}
