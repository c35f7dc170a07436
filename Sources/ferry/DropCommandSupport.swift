import FerryDropClient
import Foundation

/// What `ferry send` and `ferry get` share: the server and token from flags or the environment,
/// the drop password from `FERRY_DROP_PASSWORD` or a prompt without echo, and notes on standard
/// error.
enum DropCommandSupport {
    /// Whether standard error is a terminal (the progress bar is drawn only then).
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// The resume states, old ones pruned first (they hold drop secrets; nothing prunes them
    /// otherwise).
    static func stateStore() -> StateStore {
        let store = StateStore(directory: StateStore.defaultDirectory())
        store.prune()
        return store
    }

    /// Writes a line to standard error.
    @Sendable static func note(_ text: String) {
        FileHandle.standardError.write(Data(("ferry: " + text + "\n").utf8))
    }

    /// The drop password: `FERRY_DROP_PASSWORD`, else typed at the terminal (twice with `confirm`).
    static func password(confirm: Bool) throws -> String {
        if let password = ProcessInfo.processInfo.environment["FERRY_DROP_PASSWORD"] {
            // As at the prompt: an empty password would protect nothing (a script whose variable
            // is set but empty must not make a "password drop" anyone opens).
            guard !password.isEmpty else {
                throw CommandFailure(message: "FERRY_DROP_PASSWORD is set but empty; set it to the password")
            }
            return password
        }
        let tty = open("/dev/tty", O_RDWR)
        guard tty >= 0 else {
            throw CommandFailure(message: "no terminal to ask for the drop password; set FERRY_DROP_PASSWORD")
        }
        close(tty)
        guard let typed = getpass("Drop password: ") else { throw CommandFailure(message: "no password typed") }
        let password = String(cString: typed)
        guard !password.isEmpty else { throw CommandFailure(message: "the password is empty") }
        if confirm {
            guard let again = getpass("Again: "), String(cString: again) == password else {
                throw CommandFailure(message: "the passwords differ")
            }
        }
        return password
    }

    /// Ctrl-C during work that a rerun continues: a line that says so, on a line of its own (not
    /// after the progress bar), then the interrupt itself, so a shell or a script sees a command
    /// stopped by Ctrl-C (and stops too). Resume states are saved as the work goes: nothing to
    /// tidy. The terminal's settings are put back first (a password prompt turns echo off).
    nonisolated(unsafe) private static let interrupt: any DispatchSourceSignal = {
        let terminal = open("/dev/tty", O_RDWR | O_NOCTTY)
        var settings = termios()
        let saved = terminal >= 0 && tcgetattr(terminal, &settings) == 0 ? settings : nil
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if var saved { tcsetattr(terminal, TCSANOW, &saved) }
            FileHandle.standardError.write(Data("\n".utf8))  // below the progress bar
            note("stopped; run the same command again to continue")
            signal(SIGINT, SIG_DFL)
            // To the process, not this thread: dispatch's threads block signals.
            kill(getpid(), SIGINT)
        }
        source.resume()
        return source
    }()

    /// Runs `body`, turning the client's errors into the command line's. With `resumable`, Ctrl-C
    /// says that running the same command again continues (a send from standard input or of a
    /// text cannot: there Ctrl-C just stops).
    static func run<T>(resumable: Bool = false, _ body: () async throws -> T) async throws -> T {
        if resumable { _ = interrupt }
        do {
            return try await body()
        } catch let error as DropClientError {
            throw CommandFailure(message: error.description)
        }
    }
}
