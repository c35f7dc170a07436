import FerryHTTP
import NIOCore

extension StaticFile {
    /// One representation of a `Public/` file as a response serves it: the mutable or the
    /// fingerprinted (immutable) heads, the bytes from memory when they are kept there.
    struct Served: ServableRepresentation {
        let file: StaticFile
        let representation: Representation
        let immutable: Bool

        var etag: EntityTag { representation.etag }
        var lastModified: Int64 { file.lastModified }
        var length: Int64 { representation.length }
        var contentType: String { file.contentType }
        var okHead: PreparedHead { immutable ? representation.immutableHeaders : representation.headers }
        var notModifiedHead: PreparedHead {
            immutable ? representation.immutableNotModifiedHeaders : representation.notModifiedHeaders
        }
        var fullBody: HTTPResponseBody { representation.fullBody }

        func segment(offset: Int64, count: Int64) -> HTTPResponseBody.Segment {
            if let memory = representation.memory {
                return .buffer(
                    memory.getSlice(at: memory.readerIndex + Int(offset), length: Int(count)) ?? ByteBuffer())
            }
            return .file(path: representation.path, offset: offset, count: count)
        }
    }
}
