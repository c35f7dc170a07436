import Crypto
import Foundation
import NIOCore

/// An immutable index of `Public/`, built at start: per file its type, validators, fingerprint,
/// small files' bytes and compressed variants (precompressed `.br`/`.gz` siblings from disk, or
/// made in memory for small compressible files). Serving then needs no file-system call for small
/// files and one `open` for large ones.
///
/// A class: every request takes the current index from a lock, and copying a struct of
/// dictionaries and strings cost a retain and release per member.
public final class StaticFileIndex: Sendable {
    /// Limits for building the index.
    public struct Options: Sendable {
        /// Files up to this size are kept in memory.
        public var memoryFileLimit: Int64
        /// Compressible files up to this size without siblings get in-memory gzip/brotli variants.
        public var compressInMemoryLimit: Int64
        /// Files up to this size get a content-hash ETag; larger ones use size and mtime.
        public var hashLimit: Int64
        /// The brotli quality of the in-memory variants. 9, not the 11 of `ferry precompress`:
        /// the index is built before the server listens, and on the client's 590 KB of modules
        /// quality 11 takes 1.1 s of CPU against 0.05 s for 9, for 8 % less (136 KB against
        /// 148 KB). A deployment that wants the last 8 % writes siblings once with `precompress`.
        public var brotliQuality: Int32

        public init(
            memoryFileLimit: Int64 = 256 * 1024, compressInMemoryLimit: Int64 = 512 * 1024,
            hashLimit: Int64 = 64 * 1024 * 1024, brotliQuality: Int32 = 9
        ) {
            self.memoryFileLimit = memoryFileLimit
            self.compressInMemoryLimit = compressInMemoryLimit
            self.hashLimit = hashLimit
            self.brotliQuality = brotliQuality
        }
    }

    public let root: String
    /// By relative path (`js/app.js`).
    public let files: [String: StaticFile]
    /// Fingerprinted relative path → relative path.
    public let fingerprinted: [String: String]
    public let manifest: AssetManifest

    init(root: String, files: [String: StaticFile]) {
        self.root = root
        self.files = files
        var fingerprinted: [String: String] = [:]
        for (path, file) in files { fingerprinted[file.fingerprintedPath] = path }
        self.fingerprinted = fingerprinted
        self.manifest = Self.makeManifest(files)
    }

    /// Walks `root`, skipping dotfiles and anything whose real path leaves the root (symlinks).
    public static func build(root: String, options: Options = Options()) throws -> StaticFileIndex {
        let fileManager = FileManager.default
        let realRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: realRoot, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StaticFileIndexError.notADirectory(root)
        }
        guard let enumerator = fileManager.enumerator(atPath: realRoot) else {
            throw StaticFileIndexError.notADirectory(root)
        }
        var candidates: [String] = []
        for case let relative as String in enumerator {
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                if relative.split(separator: "/").last?.hasPrefix(".") == true { enumerator.skipDescendants() }
                continue
            }
            candidates.append(relative)
        }
        let candidateSet = Set(candidates)
        var files: [String: StaticFile] = [:]
        for relative in candidates {
            let absolute = realRoot + "/" + relative
            let real = URL(fileURLWithPath: absolute).resolvingSymlinksInPath().path
            guard real.hasPrefix(realRoot + "/") else { continue }
            guard let attributes = try? fileManager.attributesOfItem(atPath: real),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            // A precompressed sibling is served through its base file, never on its own.
            if let base = siblingBase(relative), candidateSet.contains(base) { continue }
            if let file = try makeFile(
                relative: relative, path: real, attributes: attributes, root: realRoot, options: options)
            {
                files[relative] = file
            }
        }
        return StaticFileIndex(root: realRoot, files: files)
    }

    static func siblingBase(_ relative: String) -> String? {
        for suffix in [".gz", ".br"] where relative.hasSuffix(suffix) {
            return String(relative.dropLast(suffix.count))
        }
        return nil
    }

    static func makeFile(
        relative: String, path: String, attributes: [FileAttributeKey: Any], root: String, options: Options
    ) throws -> StaticFile? {
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        let modified = Int64((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
        let ext =
            relative.split(separator: "/").last.flatMap { name -> String? in
                guard let dot = name.lastIndex(of: ".") else { return nil }
                return String(name[name.index(after: dot)...])
            } ?? ""
        let contentType = MIMEType.contentType(forPathExtension: ext)
        var memory: ByteBuffer?
        let digest: String
        if size <= options.hashLimit {
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
            if size <= options.memoryFileLimit { memory = ByteBuffer(bytes: data) }
        } else {
            digest = String(size, radix: 16) + String(modified, radix: 16)
        }
        let etag = EntityTag(opaque: digest)
        let identity = StaticFile.Representation(
            coding: .identity, length: size, etag: etag, memory: memory, path: path)
        var variants: [ContentCoding: StaticFile.Representation] = [:]
        for coding in [ContentCoding.br, .gzip] {
            let siblingPath = path + (coding.fileSuffix ?? "")
            if let siblingAttributes = try? FileManager.default.attributesOfItem(atPath: siblingPath),
                let siblingSize = (siblingAttributes[.size] as? NSNumber)?.int64Value
            {
                let siblingMemory =
                    siblingSize <= options.memoryFileLimit
                    ? FileManager.default.contents(atPath: siblingPath).map { ByteBuffer(bytes: $0) } : nil
                variants[coding] = .init(
                    coding: coding, length: siblingSize, etag: EntityTag(opaque: digest + "-" + coding.rawValue),
                    memory: siblingMemory, path: siblingPath)
            } else if let memory, size <= options.compressInMemoryLimit, size >= 256,
                MIMEType.isCompressible(contentType)
            {
                let compressed =
                    coding == .br
                    ? Compressor.brotli(memory, quality: options.brotliQuality) : Compressor.gzip(memory)
                if let compressed, compressed.readableBytes < Int(Double(size) * 0.9) {
                    variants[coding] = .init(
                        coding: coding, length: Int64(compressed.readableBytes),
                        etag: EntityTag(opaque: digest + "-" + coding.rawValue), memory: compressed, path: path)
                }
            }
        }
        let file = StaticFile(
            relativePath: relative, contentType: contentType, lastModified: modified,
            fingerprint: String(digest.prefix(10)), identity: identity, variants: variants)
        file.precomputeHeaders()
        return file
    }

    static func makeManifest(_ files: [String: StaticFile]) -> AssetManifest {
        var urls: [String: String] = [:]
        var keys: [String: String] = [:]
        var modules: [(String, String)] = []
        for (path, file) in files {
            let url = "/" + file.fingerprintedPath
            urls["/" + path] = url
            keys[AssetManifest.templateKey(for: path)] = url
            if path.hasSuffix(".js") || path.hasSuffix(".mjs") { modules.append(("/" + path, url)) }
        }
        let entries = modules.sorted { $0.0 < $1.0 }.map { "\(jsonString($0.0)):\(jsonString($0.1))" }
        let json = "{\"imports\":{" + entries.joined(separator: ",") + "}}"
        let hash = Data(SHA256.hash(data: Data(json.utf8))).base64EncodedString()
        return AssetManifest(urls: urls, importMapJSON: json, importMapHash: hash, templateKeys: keys)
    }

    /// A JSON string literal safe inside `<script>`: `<`, `>` and `&` are escaped so a file name
    /// can never close the element.
    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "<", ">", "&": out += String(format: "\\u%04x", scalar.value)
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
