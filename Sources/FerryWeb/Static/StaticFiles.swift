import FerryHTTP
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore

/// Serves `Public/` with RFC 9110/9111 semantics, inline on the event loop: conditional requests,
/// single and multiple ranges, precompressed variants, fingerprinted immutable URLs.
public final class StaticFiles: Sendable {
    private let state: NIOLockedValueBox<StaticFileIndex>
    public let root: String
    let options: StaticFileIndex.Options
    static let immutable = "public, max-age=31536000, immutable"

    public init(root: String, options: StaticFileIndex.Options = .init()) throws {
        self.root = root
        self.options = options
        self.state = NIOLockedValueBox(try StaticFileIndex.build(root: root, options: options))
    }

    /// The current index.
    public var index: StaticFileIndex { state.withLockedValue { $0 } }

    /// The current asset manifest, for pages.
    public var manifest: AssetManifest { index.manifest }

    /// Re-reads `Public/` (for `--dev`); keeps the old index if the folder cannot be read.
    public func reload() throws {
        let fresh = try StaticFileIndex.build(root: root, options: options)
        state.withLockedValue { $0 = fresh }
    }

    /// The route handler for `GET /*`.
    public func respond(_ request: Request) throws -> Response {
        let index = self.index
        let (relative, isDirectory) = try Self.relativePath(of: request.path)
        var isImmutable = false
        var file = index.files[relative]
        if file == nil, let original = index.fingerprinted[relative] {
            file = index.files[original]
            isImmutable = true
        }
        if file == nil, !isDirectory, index.files[relative + "/index.html"] != nil {
            return .redirect(to: String(request.path) + "/", status: .movedPermanently)
        }
        guard let file else {
            throw HTTPError(.notFound, detail: "Nothing is found at this address.")
        }
        return serve(file, request: request, immutable: isImmutable)
    }

    /// The path relative to the root (`index.html` for directories), refusing anything that could
    /// leave it. Plain paths — printable ASCII without `%`, `\`, dot segments or empty segments,
    /// as the parser already guarantees printable ASCII — skip the full decoder.
    static func relativePath(of path: Substring) throws -> (String, isDirectory: Bool) {
        let resolved: ResolvedPath
        if isPlain(path) {
            let trimmed = path.dropFirst()
            if !trimmed.isEmpty && trimmed.utf8.last != UInt8(ascii: "/") {
                return (String(trimmed), false)  // the common case: a file, no joining needed
            }
            let relative = String(trimmed.dropLast(trimmed.isEmpty ? 0 : 1))
            resolved = ResolvedPath(segments: relative.isEmpty ? [] : [relative], isDirectory: true)
        } else {
            do {
                resolved = try RequestPath.resolve(String(path))
            } catch .hiddenSegment {
                throw HTTPError(.notFound, detail: "Nothing is found at this address.")
            } catch {
                throw HTTPError(
                    .badRequest, detail: "This address is not allowed: \(error.reason).", type: "invalid-path")
            }
        }
        let relative = resolved.relativePath
        if resolved.isDirectory || relative.isEmpty {
            return (relative.isEmpty ? "index.html" : relative + "/index.html", true)
        }
        return (relative, false)
    }

    static func isPlain(_ path: Substring) -> Bool {
        let bytes = path.utf8
        guard bytes.first == UInt8(ascii: "/"), bytes.count <= 256 else { return false }
        var previous: UInt8 = 0
        var slashes = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "\\"), 0...0x20, 0x7F...0xFF: return false
            case UInt8(ascii: "/"):
                if previous == UInt8(ascii: "/") { return false }
                slashes += 1
            case UInt8(ascii: "."):
                if previous == UInt8(ascii: "/") { return false }
            default: break
            }
            previous = byte
        }
        return slashes <= 32
    }

    func serve(_ file: StaticFile, request: Request, immutable: Bool) -> Response {
        let fields = RepresentationRequestFields(request.headers)
        // Ranges address the identity bytes: a range of a compressed variant is rarely what a
        // client resuming a download can use.
        let ranged = request.method == .get && fields.range != nil
        let coding =
            ranged || file.variants.isEmpty
            ? ContentCoding.identity : AcceptEncoding.choose(fields.acceptEncoding, available: file.availableCodings)
        return RepresentationResponse.respond(
            method: request.method, fields: fields,
            with: StaticFile.Served(file: file, representation: file.representation(for: coding), immutable: immutable))
    }
}
