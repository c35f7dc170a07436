import Foundation

/// `POST /teams` and `PATCH /teams/{teamID}`.
struct TeamBody: Decodable, Sendable {
    var name: String?
    var ownerID: UUID?
}
