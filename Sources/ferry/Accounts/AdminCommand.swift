import ArgumentParser
import FerryApp
import FerryStore

/// `ferry admin create`: a server admin, and optionally their team — the command-line twin of the
/// one-time setup link.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Create server admins; time the password hash.",
        subcommands: [Create.self, PasswordCostCommand.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a server admin (and a team they own, with --team).")
        @OptionGroup var store: StoreOptions
        @OptionGroup var password: PasswordInput
        @Option(help: "Their email address.") var email: String
        @Option(help: "The name teammates see.") var name: String
        @Option(help: "A team to create with them as owner.") var team: String?

        func run() async throws {
            let secret = try password.read()
            let (user, created) = try await store.withService(creating: true) { service in
                let user = try await service.createUser(
                    email: email, displayName: name, password: secret, isAdmin: true, context: .commandLine())
                var created: Team?
                if let team {
                    created = try await service.createTeam(name: team, ownerID: user.id, context: .commandLine())
                }
                return (user, created)
            }
            print("created server admin \(user.email)" + (created.map { " and team \($0.name)" } ?? ""))
        }
    }
}
