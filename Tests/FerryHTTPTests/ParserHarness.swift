import HTTPTypes
import NIOCore

@testable import FerryHTTP

/// Feeds bytes to a parser the way a connection does (in pieces of `pieceSize`) and collects events.
struct ParserHarness {
    var parser: HTTP1RequestParser
    var buffer = ByteBuffer()

    init(limits: HTTP1RequestParser.Limits = .init()) {
        parser = HTTP1RequestParser(limits: limits)
    }

    /// Parsed events with body pieces merged, so results do not depend on how input was split.
    enum Item: Equatable {
        case head(HTTP1RequestHead)
        case body(String)
        case end
    }

    mutating func feed(_ input: String, pieceSize: Int = .max) throws(HTTP1ParseError) -> [Item] {
        var items: [Item] = []
        let bytes = Array(input.utf8)
        var offset = 0
        repeat {
            let end = min(bytes.count, offset + max(1, min(pieceSize, bytes.count - offset)))
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            while let event = try parser.next(from: &buffer) {
                switch event {
                case .head(let head): items.append(.head(head))
                case .body(let body):
                    let text = String(buffer: body)
                    if case .body(let previous) = items.last {
                        items[items.count - 1] = .body(previous + text)
                    } else {
                        items.append(.body(text))
                    }
                case .end: items.append(.end)
                }
            }
        } while offset < bytes.count
        return items
    }

    /// The status of the first parse error, or nil if all input parsed.
    static func rejection(_ input: String, limits: HTTP1RequestParser.Limits = .init()) -> HTTPResponse.Status? {
        var harness = ParserHarness(limits: limits)
        do {
            _ = try harness.feed(input)
            return nil
        } catch {
            return error.status
        }
    }
}
