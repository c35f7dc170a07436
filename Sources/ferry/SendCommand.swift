import ArgumentParser
import FerryDropClient
import Foundation

/// `ferry send`: encrypts files, a folder, standard input or a text as a drop, uploads it and
/// prints its link. The work is ``DropSender``'s.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Encrypt files, folders or a text, upload them as a drop and print its link.",
        discussion: """
            An interrupted send of the same files to the same server continues where it stopped \
            when run again with the same arguments (state in $XDG_CACHE_HOME/ferry or ~/.cache/ferry). \
            Standard input cannot be resumed.
            """)

    @Argument(help: "Files or folders to send; - reads a file from standard input.")
    var paths: [String] = []

    @Option(help: "Send this text instead of files; - reads the text from standard input.")
    var text: String?

    @Option(help: "The name of the file read from standard input.")
    var name = "stdin"

    @Option(help: "Expiry: 90s, 30m, 12h, 1d, 2w (default: the server's, 7 days).")
    var expires: String?

    @Option(help: "How many downloads are allowed (default: no limit).")
    var downloads: Int?

    @Flag(help: "Protect the drop with a password (asked without echo, or env FERRY_DROP_PASSWORD).")
    var password = false

    @Option(help: "The Ferry server's URL (env FERRY_SERVER).")
    var server: String?

    @Option(help: "An API token with the write scope (env FERRY_TOKEN).")
    var token: String?

    func validate() throws {
        guard (text == nil) != paths.isEmpty else {
            throw ValidationError("give files or folders to send, or --text (not both)")
        }
        guard paths.filter({ $0 == "-" }).count <= 1 else { throw ValidationError("- may be given once") }
        if let expires, ExpiryDuration.seconds(expires) == nil {
            throw ValidationError("--expires: a duration like 90s, 30m, 12h, 1d or 2w")
        }
        if let downloads, downloads < 1 { throw ValidationError("--downloads must be at least 1") }
        // Here, not in run(): a ValidationError from validate() is shown with this command's usage.
        guard let server = serverURL else { throw ValidationError("--server or FERRY_SERVER is required") }
        guard server.hasPrefix("http://") || server.hasPrefix("https://") else {
            throw ValidationError("--server: a URL like https://ferry.example")
        }
        guard tokenValue != nil else {
            throw ValidationError(
                "--token or FERRY_TOKEN is required: make a token with the write scope on Ferry's account page"
                    + " (Account → API tokens)")
        }
    }

    private var serverURL: String? { server ?? Environment.string("FERRY_SERVER") }
    private var tokenValue: String? { token ?? Environment.string("FERRY_TOKEN") }

    func run() async throws {
        guard let server = serverURL, let token = tokenValue else { throw ValidationError("--server and --token") }
        let options = SendOptions(
            password: password ? try DropCommandSupport.password(confirm: true) : nil,
            expiresIn: expires.flatMap(ExpiryDuration.seconds), maxDownloads: downloads)
        // Files are continued by a rerun; a text or standard input is sent in one go.
        let link = try await DropCommandSupport.run(resumable: text == nil && !paths.contains("-")) {
            try await DropAPI.with(server: server, token: token) { api in
                let sender = DropSender(
                    api: api, store: DropCommandSupport.stateStore(),
                    showProgress: DropCommandSupport.stderrIsTerminal, note: DropCommandSupport.note)
                if let text {
                    let body =
                        text == "-"
                        ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : text
                    return try await sender.send(text: body, options: options)
                }
                var spooled: URL?
                defer { spooled.map { try? FileManager.default.removeItem(at: $0) } }
                var items: [SendItem] = []
                for path in paths {
                    guard path == "-" else {
                        items += try SendItem.collect([path]) { left, reason in
                            let why =
                                switch reason {
                                case .notARegularFile: "not a regular file (a link, a pipe, a device)"
                                case .emptyFolder: "an empty folder (a drop holds files only)"
                                }
                            DropCommandSupport.note("left out \(left): \(why)")
                        }
                        continue
                    }
                    let item = try SendItem.spoolStandardInput(as: name)
                    spooled = URL(fileURLWithPath: item.diskPath)
                    items.append(item)
                }
                if spooled != nil { DropCommandSupport.note("standard input is sent in one go: it cannot be resumed") }
                return try await sender.send(items, options: options, resumable: spooled == nil)
            }
        }
        print(link)
    }
}
