import FerryStore
import Foundation
import Testing

/// The stores the live identity tests run against: SQLite always, PostgreSQL when the test
/// command started a throw-away server (`FERRY_TEST_POSTGRES_URL`).
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["FERRY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var available: [StoreBackend] {
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    var testDescription: String { rawValue }

    /// A new, empty database for one server: nil means the default SQLite file in its data folder.
    func makeLocation() async throws -> DatabaseLocation? {
        switch self {
        case .sqlite:
            return nil
        case .postgres:
            let url = try #require(Self.postgresURL)
            let name = "ferry_live_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
            let admin = try await Database.open(try DatabaseLocation(parsing: url))
            do {
                try await admin.execute("CREATE DATABASE \(name)")
                await admin.close()
            } catch {
                await admin.close()
                throw error
            }
            var location = try PostgresLocation(url: url)
            location.database = name
            return .postgres(location)
        }
    }
}
