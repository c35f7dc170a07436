import Foundation
import Logging

/// A swift-log handler in `StreamLogHandler`'s format that hands lines to a ``BufferedLogSink``
/// instead of writing them on the caller's thread.
public struct BufferedLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    let label: String
    let sink: BufferedLogSink

    public init(label: String, sink: BufferedLogSink) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = event.metadata ?? [:]
        if !metadata.isEmpty { merged.merge(metadata) { event, _ in event } }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let timestamp = sink.timestamp()
        sink.append("\(timestamp) \(event.level) \(label): \(fields) \(event.message)\n")
    }
}
