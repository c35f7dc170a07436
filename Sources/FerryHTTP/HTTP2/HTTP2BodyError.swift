/// Why a response body could not be produced for an HTTP/2 stream.
enum HTTP2BodyError: Error {
    case fileVanished
}
