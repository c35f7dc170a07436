import ArgumentParser
import FerryApp
import FerryStore
import Foundation

/// `ferry user …`: accounts from the command line.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Add, list, disable and enable users, and reset passwords.",
        subcommands: [Add.self, List.self, Disable.self, Enable.self, ResetPassword.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var password: PasswordInput
        @Option(help: "Their email address.") var email: String
        @Option(help: "The name teammates see.") var name: String
        @Flag(help: "Make them a server admin.") var admin = false

        func run() async throws {
            let secret = try password.read()
            let user = try await store.withService { service in
                try await service.createUser(
                    email: email, displayName: name, password: secret, isAdmin: admin, context: .commandLine())
            }
            print("added \(user.email) (\(user.id.uuidString.lowercased()))\(user.isAdmin ? ", server admin" : "")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every user.")
        @OptionGroup var store: StoreOptions
        @Flag(help: "One JSON object per line.") var json = false

        func run() async throws {
            let users = try await store.withService { try await $0.store.listUsers() }
            for user in users {
                if json {
                    let object: [String: Any] = [
                        "id": user.id.uuidString.lowercased(), "email": user.email, "displayName": user.displayName,
                        "isAdmin": user.isAdmin, "disabled": user.disabled,
                    ]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    let flags = [user.isAdmin ? "admin" : nil, user.disabled ? "disabled" : nil].compactMap { $0 }
                    print(
                        [user.email, user.displayName, flags.joined(separator: ","), user.id.uuidString.lowercased()]
                            .joined(separator: "\t"))
                }
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user: their sessions end at once.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Their email address.") var email: String

        func run() async throws {
            try await setDisabled(true, email: email, store: store)
            print("disabled \(email.lowercased())")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Their email address.") var email: String

        func run() async throws {
            try await setDisabled(false, email: email, store: store)
            print("enabled \(email.lowercased())")
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password", abstract: "Set a new password; the user's sessions end.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var password: PasswordInput
        @Argument(help: "Their email address.") var email: String

        func run() async throws {
            let secret = try password.read(prompt: "New password: ")
            try await store.withService { service in
                let user = try await UserCommand.find(email, in: service)
                try await service.resetPassword(of: user.id, to: secret, context: .commandLine())
            }
            print("password reset for \(email.lowercased())")
        }
    }

    static func find(_ email: String, in service: IdentityService) async throws -> User {
        guard let user = try await service.store.user(email: email.trimmingCharacters(in: .whitespaces)) else {
            throw CommandFailure(message: "no user has the email \(email)")
        }
        return user
    }

    static func setDisabled(_ disabled: Bool, email: String, store: StoreOptions) async throws {
        try await store.withService { service in
            let user = try await find(email, in: service)
            _ = try await service.updateUser(
                user.id, displayName: nil, isAdmin: nil, disabled: disabled, context: .commandLine())
        }
    }
}
