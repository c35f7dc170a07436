/// `PUT /users/{userID}/password`.
struct PasswordResetBody: Decodable, Sendable {
    var password: String?
}
