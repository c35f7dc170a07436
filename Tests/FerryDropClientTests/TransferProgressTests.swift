import Testing

@testable import FerryDropClient

@Suite("The progress bar's text")
struct TransferProgressTests {
    @Test("bytes, speed and ETA")
    func line() {
        #expect(
            TransferProgress.line(label: "send", done: 50 << 20, total: 200 << 20, seconds: 2)
                == "send [######------------------] 50.0 MiB / 200.0 MiB  25.0 MiB/s  ETA 0:06")
        #expect(
            TransferProgress.line(label: "get", done: 0, total: 1000, seconds: 0)
                == "get [------------------------] 0 B / 1000 B  0 B/s  ETA --:--")
        #expect(
            TransferProgress.line(label: "send", done: 150 << 20, total: 200 << 20, seconds: 2, skipped: 100 << 20)
                == "send [##################------] 150.0 MiB / 200.0 MiB  25.0 MiB/s  ETA 0:02")
        #expect(TransferProgress.bytes(1536) == "1.5 KiB")
        #expect(TransferProgress.bytes(3 << 30) == "3.0 GiB")
        #expect(TransferProgress.bytes(1023) == "1023 B")
        #expect(TransferProgress.bytes(1_048_575) == "1.0 MiB", "rounded before the unit is chosen")
        #expect(TransferProgress.bytes(1_048_524) == "1023.9 KiB")
    }
}
