/// `POST /me/tokens`.
struct TokenBody: Decodable, Sendable {
    var name: String?
    var scopes: [String]?
    var expiresInDays: Int?
}
