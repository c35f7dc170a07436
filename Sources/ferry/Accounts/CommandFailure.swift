import ArgumentParser
import FerryStore
import FerryWeb

/// An error as the command line shows it: the problem's own words and exit code 1, not a dump.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ error: any Error) {
        switch error {
        case let error as HTTPError:
            // One invalid field is already the detail; several are listed under it.
            let fields = error.errors.count < 2 ? [] : error.errors.map { "  \($0.pointer.dropFirst()): \($0.detail)" }
            description = ([error.detail] + fields).joined(separator: "\n")
        case let error as CommandFailure:
            description = error.description
        default:
            description = "\(error)"
        }
    }

    init(message: String) {
        description = message
    }
}
