/// A new account: `POST /invites/{code}/accept` when anonymous, and `POST /users`.
struct AccountBody: Decodable, Sendable {
    var email: String?
    var displayName: String?
    var password: String?
    var isAdmin: Bool?
}
