import FerryStore
import Foundation
import Synchronization

/// Who is who — sessions, tokens, teams, roles, members — remembered between requests for as long
/// as the store's identity version stays the same. Every change of identity data bumps that
/// version in its own transaction (``IdentityStore``), whichever process made it (this server,
/// another instance, the CLI), and every request reads it once before trusting anything here; so
/// a revoked token or a disabled user is refused on the very next request, while an unchanged
/// store answers from memory instead of two or three queries.
public final class IdentityCache: Sendable {
    struct MemberKey: Hashable, Sendable {
        var userID: UUID
        var teamID: UUID
    }

    struct State: Sendable {
        var version: Int64 = -1
        var entries = 0
        var sessions: [String: SessionLookup] = [:]
        var tokens: [String: TokenLookup] = [:]
        var teamsOf: [UUID: [TeamMembership]] = [:]
        var allTeams: [UUID: [TeamMembership]] = [:]
        var roles: [MemberKey: Role?] = [:]
        var teams: [UUID: Team?] = [:]
        var members: [UUID: [Member]] = [:]

        mutating func clear(to version: Int64) {
            self = State()
            self.version = version
        }
    }

    /// Entries kept at most; past it everything is dropped and refilled (cheap, and bounds memory
    /// against a flood of distinct credentials).
    public let maxEntries: Int
    private let state = Mutex(State())

    public init(maxEntries: Int = 20_000) {
        self.maxEntries = maxEntries
    }

    /// Brings the cache to the store's current `version`, forgetting everything if it moved.
    public func sync(to version: Int64) {
        state.withLock { state in
            if state.version != version { state.clear(to: version) }
        }
    }

    /// The value under `key` in the table at `path`, or `load()`'s, which is kept if the version
    /// did not move meanwhile.
    func value<Key: Hashable, Value: Sendable>(
        _ path: WritableKeyPath<State, [Key: Value]>, _ key: Key,
        load: () async throws -> Value
    ) async throws -> Value {
        let (hit, version) = state.withLock { state in (state[keyPath: path][key], state.version) }
        if let hit { return hit }
        let loaded = try await load()
        put(path, key, loaded, version: version)
        return loaded
    }

    /// Keeps `value`, read while the cache was at `version`, unless the cache moved since.
    func put<Key: Hashable, Value: Sendable>(
        _ path: WritableKeyPath<State, [Key: Value]>, _ key: Key, _ value: Value, version: Int64
    ) {
        state.withLock { state in
            if version != state.version { return }
            if state.entries >= maxEntries { state.clear(to: state.version) }
            if state[keyPath: path].updateValue(value, forKey: key) == nil { state.entries += 1 }
        }
    }

    func remove<Key: Hashable, Value: Sendable>(_ path: WritableKeyPath<State, [Key: Value]>, _ key: Key) {
        state.withLock { state in
            if state[keyPath: path].removeValue(forKey: key) != nil { state.entries -= 1 }
        }
    }

    func cached<Key: Hashable, Value: Sendable>(_ path: WritableKeyPath<State, [Key: Value]>, _ key: Key)
        -> Value?
    {
        state.withLock { $0[keyPath: path][key] }
    }

    var currentVersion: Int64 { state.withLock { $0.version } }
}
