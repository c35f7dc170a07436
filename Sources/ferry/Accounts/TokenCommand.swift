import ArgumentParser
import FerryApp
import FerryStore

/// `ferry token create`: a personal API token for a user, printed once.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token for a user and print it (it is not stored, only its hash).")
        @OptionGroup var store: StoreOptions
        @Option(help: "The email of the token's owner.") var user: String
        @Option(help: "A name to recognise the token by.") var name: String
        @Option(parsing: .upToNextOption, help: "read, write and/or admin.") var scopes: [String] = ["read"]
        @Option(help: "Days until it expires (default: never).") var expiresInDays: Int?

        func run() async throws {
            let created = try await store.withService { service in
                let owner = try await UserCommand.find(user, in: service)
                return try await service.createToken(
                    for: owner.id, name: name, scopes: scopes, expiresInDays: expiresInDays, context: .commandLine())
            }
            print(created.secret)
        }
    }
}
