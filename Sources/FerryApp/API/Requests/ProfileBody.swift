/// `PATCH /me`.
struct ProfileBody: Decodable, Sendable {
    var displayName: String?
}
