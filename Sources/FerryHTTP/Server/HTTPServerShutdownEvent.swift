/// Sent down every open connection when the server begins a graceful shutdown: idle connections
/// close at once, busy ones after their current response.
struct HTTPServerShutdownEvent: Sendable {}
