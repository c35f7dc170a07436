import Foundation
import NIOConcurrencyHelpers

/// A one-line progress bar on standard error (bytes, speed, ETA), redrawn at most five times a
/// second; silent when `visible` is false (standard error is not a terminal). Safe to count from
/// any task.
public final class TransferProgress: Sendable {
    private struct State {
        var done: Int64 = 0
        var skipped: Int64 = 0
        var lastDraw: Double = 0
        var drawn = false
    }

    /// Bytes the transfer moves in all.
    public let total: Int64
    /// Shown before the bar ("send", "get").
    public let label: String
    /// Whether anything is drawn.
    public let visible: Bool
    private let start = Date().timeIntervalSince1970
    private let state = NIOLockedValueBox(State())

    public init(total: Int64, label: String, visible: Bool) {
        self.total = total
        self.label = label
        self.visible = visible
    }

    /// Counts `bytes` more.
    public func add(_ bytes: Int) {
        let line: String? = state.withLockedValue { state in
            state.done += Int64(bytes)
            let now = Date().timeIntervalSince1970
            guard visible, now - state.lastDraw >= 0.2 || state.done >= total else { return nil }
            state.lastDraw = now
            state.drawn = true
            return Self.line(
                label: label, done: state.done, total: total, seconds: now - start, skipped: state.skipped)
        }
        if let line { FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8)) }
    }

    /// Counts `bytes` as done by an earlier run: in the bar, not in the speed.
    public func skip(_ bytes: Int64) {
        state.withLockedValue {
            $0.done += bytes
            $0.skipped += bytes
        }
        add(0)
    }

    /// Sets the bytes done (after a chunk is acknowledged, or where a resumed transfer starts).
    public func set(_ done: Int64) {
        state.withLockedValue { $0.done = done }
        add(0)
    }

    /// Ends the bar's line.
    public func finish() {
        let drawn = state.withLockedValue { $0.drawn }
        if visible, drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// The bar's text: `label [#####-----]  12.0 MiB / 200.0 MiB  45.1 MiB/s  ETA 0:04`; the speed
    /// leaves out the `skipped` bytes an earlier run moved.
    public static func line(label: String, done: Int64, total: Int64, seconds: Double, skipped: Int64 = 0) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let speed = seconds > 0 ? Double(max(0, done - skipped)) / seconds : 0
        var eta = "--:--"
        if speed > 0 {
            let left = Int(Double(max(0, total - done)) / speed)
            eta = "\(left / 60):" + (left % 60 < 10 ? "0" : "") + "\(left % 60)"
        }
        return "\(label) [\(bar)] \(bytes(done)) / \(bytes(total))  \(bytes(Int64(speed)))/s  ETA \(eta)"
    }

    /// Bytes with a binary unit, one decimal (whole bytes below 1 KiB), as the server's messages
    /// write them (FerryApp's `ByteCount`; the CLI does not link the server's modules).
    public static func bytes(_ count: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        guard count >= 1024 else { return "\(count) B" }
        var value = Double(count) / 1024
        var unit = 0
        // Rounded before the unit is chosen: 1,048,575 bytes are "1.0 MiB", not "1024.0 KiB".
        while (value * 10).rounded() / 10 >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.1f %@", value, units[unit])
    }
}
