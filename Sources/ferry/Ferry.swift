import ArgumentParser
import FerryApp

/// `ferry`: the server and its tools in one binary.
@main
struct Ferry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Self-hosted file and message drop for teams.",
        version: FerryVersion.current,
        subcommands: [
            Serve.self, UserCommand.self, TeamCommand.self, TokenCommand.self, AdminCommand.self, MigrateCommand.self,
            Precompress.self, TLSCommand.self, SendCommand.self, GetCommand.self,
        ],
        defaultSubcommand: Serve.self
    )
}
