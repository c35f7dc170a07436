/// Why peers share a room.
public enum RoomKind: String, Codable, Sendable {
    /// Members of one team.
    case team
    /// Members of one team behind the same client address.
    case network
    /// A guest and the member who paired with it.
    case pairing
}
