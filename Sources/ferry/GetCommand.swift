import ArgumentParser
import FerryDropClient
import Foundation

/// `ferry get`: downloads a drop by its link, verifying and decrypting as it goes. The work is
/// ``DropReceiver``'s.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Download and decrypt a drop from its link.",
        discussion: """
            Files are written under their paths in the drop (sanitised), each under a temporary name \
            until its whole stream verified. An interrupted get continues when run again, without \
            counting another download. A text is printed on standard output.
            """)

    @Argument(help: "The drop's link, SERVER/d/ID#SECRET (quote it: # starts a shell comment).")
    var link: String

    @Option(name: .shortAndLong, help: "Folder to write into; - writes a single file or a text to standard output.")
    var output = "."

    func validate() throws {
        var isFolder: ObjCBool = false
        if output != "-", FileManager.default.fileExists(atPath: output, isDirectory: &isFolder), !isFolder.boolValue {
            throw ValidationError("-o \(output) is a file: give a folder to write into, or - for standard output")
        }
    }

    func run() async throws {
        let link = try await DropCommandSupport.run { try DropLink(parsing: self.link) }
        let written = try await DropCommandSupport.run(resumable: true) {
            try await DropAPI.with(server: link.server, token: nil) { api in
                let receiver = DropReceiver(
                    api: api, store: DropCommandSupport.stateStore(),
                    showProgress: DropCommandSupport.stderrIsTerminal, note: DropCommandSupport.note)
                return try await receiver.receive(link, to: output == "-" ? .standardOutput : .directory(output)) {
                    try DropCommandSupport.password(confirm: false)
                }
            }
        }
        for path in written { DropCommandSupport.note("wrote \(path)") }
    }
}
