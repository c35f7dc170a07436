/// `GET /setup`: whether the server still waits for its first admin.
struct SetupStatusDocument: Encodable, Sendable {
    var needed: Bool
}
