import ArgumentParser
import FerryStore
import Logging

/// `ferry migrate`: brings the store to this build's schema (`ferry serve` also does it at start).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending schema migrations to the store.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let location = try store.location
        let applied = try await store.withService(migrating: false, creating: true) { service in
            try await Migrator().migrate(service.store.database)
        }
        let latest = Migrator().latestVersion
        print(
            applied.isEmpty
                ? "\(location) is up to date (schema version \(latest))"
                : "\(location) migrated to schema version \(latest) (applied \(applied.map(String.init).joined(separator: ", ")))"
        )
    }
}
