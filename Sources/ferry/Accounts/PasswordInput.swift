import ArgumentParser
import Foundation

/// How a command gets a password without it showing up in the shell history or `ps`: from the
/// first line of standard input (`--password-stdin`), or typed at a prompt that does not echo.
struct PasswordInput: ParsableArguments {
    @Flag(help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    func read(prompt: String = "Password: ") throws -> String {
        if passwordStdin {
            guard let line = readLine(strippingNewline: true) else {
                throw ValidationError("--password-stdin: standard input is empty")
            }
            return line
        }
        guard isatty(STDIN_FILENO) == 1, let typed = getpass(prompt) else {
            throw ValidationError("no terminal to ask for the password; use --password-stdin")
        }
        return String(cString: typed)
    }
}
