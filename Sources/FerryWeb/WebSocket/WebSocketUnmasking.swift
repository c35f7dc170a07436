/// Removes a client frame's mask (RFC 6455 §5.3) while copying the payload out of the read
/// buffers, eight bytes at a time.
///
/// NIOWebSocket's `webSocketUnmask` goes byte by byte through the buffer's indices, and for a
/// 64 KiB message that loop was half of the server's CPU (perf, echo benchmark); unmasking in
/// place also copied the read buffer first (copy-on-write, NIO's receive pool still holds it).
/// Here the payload is read once and written once: the 4-byte key is repeated into a 64-bit word
/// and XORed word by word (the compiler widens the loop further into vector instructions), the
/// tail byte by byte.
enum WebSocketUnmasking {
    /// Writes `source` XORed with the mask to `destination` (which may be `source` itself).
    /// `key` holds the mask's four bytes in wire order as its in-memory bytes (read with host
    /// byte order); `phase` is the payload offset of `source`'s first byte, modulo 4.
    static func unmask(
        _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawPointer, key: UInt32, phase: Int
    ) {
        guard let from = source.baseAddress, source.count > 0 else { return }
        var rotated = key
        if phase & 3 != 0 {
            withUnsafeBytes(of: key) { keyBytes in
                withUnsafeMutableBytes(of: &rotated) { rotatedBytes in
                    for index in 0..<4 { rotatedBytes[index] = keyBytes[(index + phase) & 3] }
                }
            }
        }
        let count = source.count
        // Both halves equal, so the word's memory layout is key, key whatever the byte order.
        let word = UInt64(rotated) | UInt64(rotated) << 32
        var offset = 0
        while offset + 8 <= count {
            let value = from.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            destination.storeBytes(of: value ^ word, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        // `offset` is a multiple of 8 here, so the rotated key starts over at its first byte.
        withUnsafeBytes(of: rotated) { keyBytes in
            var index = 0
            while offset < count {
                destination.storeBytes(
                    of: from.load(fromByteOffset: offset, as: UInt8.self) ^ keyBytes[index & 3],
                    toByteOffset: offset, as: UInt8.self)
                offset += 1
                index += 1
            }
        }
    }
}
