import HTTPTypes
import NIOCore

/// The one hop to Swift concurrency per request, shared by both protocols: an async handler runs
/// in a task, and its response (or streamed body) hops back to the driver's event loop.
enum ExchangeTasks {
    static func spawnHandler<Driver: ExchangeDriver>(
        _ work: @escaping @Sendable () async -> HTTPServerResponse,
        exchangeID: UInt64,
        driver: NIOLoopBound<Driver>,
        eventLoop: any EventLoop,
        ownerOnEventLoop: Bool
    ) -> Task<Void, Never> {
        Task {
            let response = await work()
            await deliver(
                response, exchangeID: exchangeID, driver: driver, eventLoop: eventLoop,
                ownerOnEventLoop: ownerOnEventLoop)
        }
    }

    /// Runs the body of a response answered on the event loop that needs a task: a stream's
    /// producer or a tunnel's owner.
    static func spawnBody<Driver: ExchangeDriver>(
        _ response: HTTPServerResponse,
        exchangeID: UInt64,
        driver: NIOLoopBound<Driver>,
        eventLoop: any EventLoop,
        ownerOnEventLoop: Bool
    ) -> Task<Void, Never> {
        Task {
            await deliver(
                response, exchangeID: exchangeID, driver: driver, eventLoop: eventLoop,
                ownerOnEventLoop: ownerOnEventLoop)
        }
    }

    /// Hops a response produced by an async handler back onto the event loop and, for a stream,
    /// runs the producer in this task with a writer whose writes hop per chunk.
    private static func deliver<Driver: ExchangeDriver>(
        _ response: HTTPServerResponse,
        exchangeID: UInt64,
        driver: NIOLoopBound<Driver>,
        eventLoop: any EventLoop,
        ownerOnEventLoop: Bool
    ) async {
        switch response.body {
        case .segments:
            eventLoop.execute { driver.value.sendIfCurrent(response, exchangeID: exchangeID) }
        case .stream(let produce):
            eventLoop.execute {
                driver.value.noteRoute(response.route, requestID: response.requestID, exchangeID: exchangeID)
            }
            await runStream(produce, head: response.head, exchangeID: exchangeID, driver: driver, eventLoop: eventLoop)
        case .tunnel(let run):
            eventLoop.execute {
                driver.value.noteRoute(response.route, requestID: response.requestID, exchangeID: exchangeID)
            }
            await runTunnel(
                run, head: response.head, exchangeID: exchangeID, driver: driver, eventLoop: eventLoop,
                ownerOnEventLoop: ownerOnEventLoop)
        }
    }

    /// Opens the tunnel on the event loop, then runs its owner in this task. Writes go through the
    /// same writer as a streaming body; the engine frames nothing once the tunnel is open.
    private static func runTunnel<Driver: ExchangeDriver>(
        _ run: @Sendable (HTTPTunnel) async throws -> Void,
        head: HTTPResponse,
        exchangeID: UInt64,
        driver: NIOLoopBound<Driver>,
        eventLoop: any EventLoop,
        ownerOnEventLoop: Bool
    ) async {
        let opened = eventLoop.submit { driver.value.startTunnel(head, exchangeID: exchangeID) }
        guard let inbound = try? await opened.get() else { return }
        let writer = HTTPStreamWriter(driver: driver, eventLoop: eventLoop, exchangeID: exchangeID)
        let tunnel = HTTPTunnel(inbound: inbound, outbound: writer, eventLoop: eventLoop) {
            eventLoop.execute { driver.value.abortStream(exchangeID: exchangeID) }
        }
        func own() async {
            do {
                try await run(tunnel)
                eventLoop.execute { driver.value.finishStream(exchangeID: exchangeID) }
            } catch {
                eventLoop.execute { driver.value.abortStream(exchangeID: exchangeID) }
            }
        }
        if ownerOnEventLoop {
            // The owner runs on the tunnel's event loop (``EventLoopTaskExecutor``): each read
            // resumes it there, in the loop's turn, instead of waking a thread of the global
            // executor.
            await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop)) { await own() }
        } else {
            await own()
        }
    }

    private static func runStream<Driver: ExchangeDriver>(
        _ produce: @Sendable (any HTTPBodyWriter) async throws -> Void,
        head: HTTPResponse,
        exchangeID: UInt64,
        driver: NIOLoopBound<Driver>,
        eventLoop: any EventLoop
    ) async {
        let started = eventLoop.submit { driver.value.startStream(head, exchangeID: exchangeID) }
        guard (try? await started.get()) == true else { return }
        let writer = HTTPStreamWriter(driver: driver, eventLoop: eventLoop, exchangeID: exchangeID)
        do {
            try await produce(writer)
            eventLoop.execute { driver.value.finishStream(exchangeID: exchangeID) }
        } catch {
            // The head is out; the only honest way to report a failed body is to cut the exchange.
            eventLoop.execute { driver.value.abortStream(exchangeID: exchangeID) }
        }
    }
}
