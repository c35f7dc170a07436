/// Byte counts in the server's messages, with a binary unit: "45.8 MiB", "512 B".
enum ByteCount {
    /// `count` in the largest unit it reaches, one decimal (whole bytes below 1 KiB).
    static func text(_ count: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        guard count >= 1024 else { return "\(count) B" }
        var value = Double(count) / 1024
        var unit = 0
        // Rounded before the unit is chosen: 1,048,575 bytes are "1.0 MiB", not "1024.0 KiB".
        while (value * 10).rounded() / 10 >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
