import Foundation
import Hummingbird
import Logging
import LoketCore
import LoketHub
import NIOCore
import ServiceLifecycle
import Synchronization

/// A stand-in for Meta's Graph API on 127.0.0.1: records every request and answers from a script (then 200 with
/// a fresh `wamid`), so tests see exactly what the hub sent and can make Meta fail on purpose.
final class FakeGraph: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var authorization: String?
        var contentType: String?
        var body: String
        var json: JSON? { JSON.parse(body) }
    }

    private struct State {
        var requests: [Request] = []
        var script: [(status: Int, body: String)] = []
        var sent = 0
    }

    private let state = Mutex(State())
    /// While held, requests wait unanswered (Meta being slow); `release` lets them through.
    private let gate = Mutex<(held: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    let port: Int

    init(port: Int) {
        self.port = port
    }

    /// The base URL with Meta's version path, as `--whatsapp-graph-url` takes it.
    var url: String { "http://127.0.0.1:\(port)/v21.0" }

    var requests: [Request] { state.withLock { $0.requests } }

    func hold() { gate.withLock { $0.held = true } }

    func release() {
        let waiters = gate.withLock { gate -> [CheckedContinuation<Void, Never>] in
            gate.held = false
            defer { gate.waiters = [] }
            return gate.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Held requests that arrived, still waiting.
    var waiting: Int { gate.withLock { $0.waiters.count } }

    fileprivate func pass() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = gate.withLock { gate -> Bool in
                guard gate.held else { return true }
                gate.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// The next answers, in order; after them every request succeeds.
    func answer(_ responses: [(status: Int, body: String)]) {
        state.withLock { $0.script += responses }
    }

    fileprivate func handle(_ request: Request) -> (Int, String) {
        state.withLock { state in
            state.requests.append(request)
            if !state.script.isEmpty { return state.script.removeFirst() }
            state.sent += 1
            return (
                200,
                #"{"messaging_product":"whatsapp","contacts":[{"input":"x","wa_id":"x"}],"#
                    + #""messages":[{"id":"wamid.OUT\#(state.sent)"}]}"#
            )
        }
    }

    /// Waits (polling, with a timeout) until `count` requests arrived.
    func waitForRequests(_ count: Int, within seconds: Double = 30) async throws -> [Request] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let seen = requests
            if seen.count >= count { return seen }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError(
            description: "the fake Graph API got \(requests.count) requests, not \(count), within \(seconds) s")
    }

    static let metaError =
        #"{"error":{"message":"(#131026) Message undeliverable","type":"OAuthException","code":131026,"#
        + #""fbtrace_id":"Az"}}"#
    static let serverError =
        #"{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1,"fbtrace_id":"B"}}"#
}

/// Runs a fake Graph API on 127.0.0.1 port 0 for `body`, and always stops it.
func withFakeGraph<T>(_ body: (FakeGraph) async throws -> T) async throws -> T {
    var logger = Logger(label: "fake-graph")
    logger.logLevel = .error
    let router = Router()
    let holder = Mutex<FakeGraph?>(nil)
    router.post("**") { request, _ -> Response in
        let bytes = try await request.body.collect(upTo: 1 << 20)
        let recorded = FakeGraph.Request(
            method: "POST", path: request.uri.path, authorization: request.headers[.authorization],
            contentType: request.headers[.contentType], body: String(buffer: bytes))
        let graph = holder.withLock { $0 }
        await graph?.pass()
        let (status, text) = graph?.handle(recorded) ?? (500, "{}")
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
    let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
    let running = Task { try await group.run() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next(), port > 0 else {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        throw HarnessError(description: "fake Graph API did not start")
    }
    let graph = FakeGraph(port: port)
    holder.withLock { $0 = graph }
    do {
        let result = try await body(graph)
        graph.release()
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        return result
    } catch {
        graph.release()
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        throw error
    }
}
