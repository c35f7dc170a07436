// Hummingbird 2 peer for Benchmarks/run-api.sh: `GET /api/v1/me` and
// `GET /api/v1/teams/{teamID}/members` as Ferry answers them — session cookie or bearer token
// checked against the store on every request (expiry, revocation, disabled user, last use at most
// once a minute), the caller's teams or the team's members, JSON with sorted keys — written the
// Hummingbird way over the same FerryStore.
//
//   HummingbirdAPIBench --port 18092 (--data DIR | --database URL)

import Crypto
import FerryStore
import Foundation
import Hummingbird
import Logging

struct Options {
    var port = 18092
    var data = "./data"
    var database: String?

    static func parse(_ args: [String]) -> Options {
        var options = Options()
        var index = 1
        while index + 1 < args.count {
            switch args[index] {
            case "--port": options.port = Int(args[index + 1]) ?? options.port
            case "--data": options.data = args[index + 1]
            case "--database": options.database = args[index + 1]
            default: break
            }
            index += 2
        }
        return options
    }
}

struct Caller: Sendable {
    var user: User
    var isSession: Bool
    var scopes: [String]
}

struct UserJSON: Encodable {
    var id: String
    var email: String
    var displayName: String
    var isAdmin: Bool
    var disabled: Bool
    var createdAt: Date
}

struct TeamJSON: Encodable {
    var id: String
    var name: String
    var role: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(role, forKey: .role)
    }

    enum CodingKeys: String, CodingKey { case id, name, role }
}

struct MeJSON: Encodable {
    var user: UserJSON
    var teams: [TeamJSON]
    var via: String
    var scopes: [String]
}

struct PersonJSON: Encodable {
    var id: String
    var email: String
    var displayName: String
}

struct MemberJSON: Encodable {
    var user: PersonJSON
    var role: String
    var joinedAt: Date
}

struct MembersJSON: Encodable {
    var members: [MemberJSON]
}

let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return encoder
}()

func hash(_ secret: Substring) -> String {
    SHA256.hash(data: Array(secret.utf8)).map { String(format: "%02x", $0) }.joined()
}

func authenticate(_ request: Request, store: IdentityStore) async throws -> Caller? {
    let now = Date()
    if let authorization = request.headers[.authorization] {
        guard authorization.hasPrefix("Bearer "),
            let found = try await store.token(secretHash: hash(authorization.dropFirst(7))),
            found.token.revokedAt == nil, !found.user.disabled, found.token.expiresAt.map({ now < $0 }) ?? true
        else { throw HTTPError(.unauthorized) }
        if now.timeIntervalSince(found.token.lastUsedAt ?? .distantPast) >= 60 {
            try await store.touchToken(id: found.token.id, now: now)
        }
        return Caller(user: found.user, isSession: false, scopes: found.token.scopes.sorted().map(\.rawValue))
    }
    guard let cookie = request.headers[.cookie],
        let range = cookie.range(of: "ferry_session=")
    else { return nil }
    let token = cookie[range.upperBound...].prefix { $0 != ";" }
    guard let found = try await store.session(tokenHash: hash(token)), !found.user.disabled,
        now < found.session.expiresAt, now.timeIntervalSince(found.session.lastSeenAt) < 7 * 86400
    else { return nil }
    if now.timeIntervalSince(found.session.lastSeenAt) >= 60 {
        try await store.touchSession(tokenHash: found.session.tokenHash, now: now)
    }
    return Caller(user: found.user, isSession: true, scopes: ["admin", "read", "write"])
}

func json(_ value: some Encodable) throws -> Response {
    let data = try encoder.encode(value)
    return Response(
        status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
        body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

let options = Options.parse(CommandLine.arguments)
let location =
    try options.database.map { try DatabaseLocation(parsing: $0) } ?? .defaultSQLite(dataDirectory: options.data)
var logger = Logger(label: "bench")
logger.logLevel = .critical
let database = try await Database.open(location, logger: logger)
let store = IdentityStore(database: database)

let router = Router()
router.get("/api/v1/me") { request, _ -> Response in
    guard let caller = try await authenticate(request, store: store) else { throw HTTPError(.unauthorized) }
    let teams =
        caller.user.isAdmin
        ? try await store.allTeams(viewer: caller.user.id) : try await store.teams(of: caller.user.id)
    let user = caller.user
    return try json(
        MeJSON(
            user: UserJSON(
                id: user.id.uuidString.lowercased(), email: user.email, displayName: user.displayName,
                isAdmin: user.isAdmin, disabled: user.disabled, createdAt: user.createdAt),
            teams: teams.map { TeamJSON(id: $0.teamID.uuidString.lowercased(), name: $0.teamName, role: $0.role?.rawValue) },
            via: caller.isSession ? "session" : "token", scopes: caller.scopes))
}
router.get("/api/v1/teams/:teamID/members") { request, context -> Response in
    guard let caller = try await authenticate(request, store: store) else { throw HTTPError(.unauthorized) }
    guard let teamID = context.parameters.get("teamID").flatMap(UUID.init(uuidString:)) else {
        throw HTTPError(.notFound)
    }
    let role = try await store.role(of: caller.user.id, in: teamID)
    guard role != nil || caller.user.isAdmin else { throw HTTPError(.notFound) }
    let members = try await store.members(of: teamID)
    return try json(
        MembersJSON(
            members: members.map {
                MemberJSON(
                    user: PersonJSON(id: $0.userID.uuidString.lowercased(), email: $0.email, displayName: $0.displayName),
                    role: $0.role.rawValue, joinedAt: $0.joinedAt)
            }))
}
var appLogger = Logger(label: "hummingbird")
appLogger.logLevel = .critical
let app = Application(
    router: router, configuration: .init(address: .hostname("127.0.0.1", port: options.port)), logger: appLogger)
try await app.runService()
