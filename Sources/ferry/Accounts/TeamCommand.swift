import ArgumentParser
import FerryApp
import FerryStore
import Foundation

/// `ferry team …`: teams from the command line.
struct TeamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team", abstract: "Add and list teams, and add members.",
        subcommands: [Add.self, List.self, AddMember.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a team with its first owner.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The team's name.") var name: String
        @Option(help: "The email of its first owner.") var owner: String

        func run() async throws {
            let team = try await store.withService { service in
                let owner = try await UserCommand.find(owner, in: service)
                return try await service.createTeam(name: name, ownerID: owner.id, context: .commandLine())
            }
            print("added team \(team.name) (\(team.id.uuidString.lowercased()))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every team with its number of members.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let teams = try await store.withService { service in
                var teams: [Team] = []
                for membership in try await service.store.allTeams(viewer: UUID()) {
                    if let team = try await service.store.team(id: membership.teamID) { teams.append(team) }
                }
                return teams
            }
            for team in teams {
                print(
                    [team.name, "\(team.memberCount) member(s)", team.id.uuidString.lowercased()].joined(
                        separator: "\t"))
            }
        }
    }

    struct AddMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-member", abstract: "Add an existing user to a team.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The team's name.") var team: String
        @Argument(help: "The user's email.") var email: String
        @Option(help: "owner or member.") var role: String = "member"

        func run() async throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("--role must be owner or member") }
            try await store.withService { service in
                let team = try await TeamCommand.find(team, in: service)
                _ = try await service.addMember(to: team.teamID, email: email, role: role, context: .commandLine())
            }
            print("added \(email.lowercased()) to \(team) as \(role.rawValue)")
        }
    }

    static func find(_ name: String, in service: IdentityService) async throws -> TeamMembership {
        let teams = try await service.store.allTeams(viewer: UUID())
        guard let team = teams.first(where: { $0.teamName.lowercased() == name.lowercased() }) else {
            throw CommandFailure(message: "no team is called \(name)")
        }
        return team
    }
}
