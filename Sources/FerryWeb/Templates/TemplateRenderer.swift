import Foundation
import Mustache
import NIOConcurrencyHelpers

/// Renders `Templates/*.mustache` with swift-mustache (HTML-escaped by default; `{{{ }}}` only
/// where a value is already safe). Throws on a missing template instead of rendering nothing.
public final class TemplateRenderer: Sendable {
    public let directory: String
    /// `--dev`: re-read the templates before each render, so edits show without a restart.
    public let reloadsOnRender: Bool
    private let library: NIOLockedValueBox<MustacheLibrary>

    public init(directory: String, reloadsOnRender: Bool = false) throws(TemplateError) {
        self.directory = directory
        self.reloadsOnRender = reloadsOnRender
        self.library = NIOLockedValueBox(try Self.load(directory))
    }

    /// Names of the loaded templates (relative paths without `.mustache`).
    public var templateNames: [String] {
        library.withLockedValue { library in
            Self.names(in: directory).filter { library.getTemplate(named: $0) != nil }
        }
    }

    public func render(_ name: String, context: Any) throws(TemplateError) -> String {
        let current: MustacheLibrary
        if reloadsOnRender {
            current = try Self.load(directory)
            library.withLockedValue { $0 = current }
        } else {
            current = library.withLockedValue { $0 }
        }
        guard let output = current.render(context, withTemplate: name) else {
            throw .missing(name)
        }
        return output
    }

    static func load(_ directory: String) throws(TemplateError) -> MustacheLibrary {
        var library = MustacheLibrary()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .unreadableDirectory(directory)
        }
        for name in names(in: directory) {
            let file = (directory as NSString).appendingPathComponent(name + ".mustache")
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw .invalid(file: file, reason: "not readable as UTF-8")
            }
            do {
                library.register(try MustacheTemplate(string: text), named: name)
            } catch {
                throw .invalid(file: file, reason: "\(error)")
            }
        }
        return library
    }

    static func names(in directory: String) -> [String] {
        // A folder given as a symbolic link is walked where it points (the enumerator would take
        // the link for a file, and find no template at all).
        let folder = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var names: [String] = []
        for case let path as String in enumerator where path.hasSuffix(".mustache") {
            names.append(String(path.dropLast(".mustache".count)))
        }
        return names.sorted()
    }
}
