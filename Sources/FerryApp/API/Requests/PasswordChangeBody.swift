/// `PUT /me/password`.
struct PasswordChangeBody: Decodable, Sendable {
    var currentPassword: String?
    var newPassword: String?
}
