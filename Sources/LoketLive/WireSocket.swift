import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOSSL
import Synchronization

/// One WebSocket connection with a pull interface: `send` queues a text frame, `receive` waits for the next one.
/// Used by the officer's hub link, the citizen tool and the tests; the WebSocket library's callback style stays
/// inside this type.
public final class WireSocket: Sendable {
    /// Why a connection could not be opened or ended.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case cannotConnect(String)
        case closed

        public var description: String {
            switch self {
            case .cannotConnect(let reason): "cannot connect: \(reason)"
            case .closed: "connection closed"
            }
        }
    }

    private struct State {
        var frames: [String] = []
        var waiter: CheckedContinuation<String?, Never>?
        var closed = false
        var ready: CheckedContinuation<Void, any Error>?
        var opened = false
    }

    private let state = Mutex(State())
    private let outgoing: AsyncStream<String>.Continuation
    private let outgoingFrames: AsyncStream<String>
    private let task = Mutex<Task<Void, Never>?>(nil)

    private init() {
        (outgoingFrames, outgoing) = AsyncStream<String>.makeStream(bufferingPolicy: .unbounded)
    }

    /// Opens a connection to `url` (`ws://` or `wss://`), with `bearer` as the Authorization token when given.
    public static func connect(url: String, bearer: String? = nil, maxFrameSize: Int = 1 << 20) async throws -> WireSocket {
        let socket = WireSocket()
        try await withCheckedThrowingContinuation { (ready: CheckedContinuation<Void, any Error>) in
            socket.state.withLock { $0.ready = ready }
            let task = Task {
                var headers = HTTPFields()
                if let bearer { headers[.authorization] = "Bearer \(bearer)" }
                var logger = Logger(label: "loket-live")
                logger.logLevel = .critical
                let configuration = WebSocketClientConfiguration(maxFrameSize: maxFrameSize, additionalHeaders: headers)
                let tls: TLSConfiguration? = url.hasPrefix("wss://") ? .makeClientConfiguration() : nil
                do {
                    try await WebSocketClient.connect(
                        url: url, configuration: configuration, tlsConfiguration: tls, logger: logger
                    ) { inbound, outbound, _ in
                        socket.opened()
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                for await frame in socket.outgoingFrames { try await outbound.write(.text(frame)) }
                                try? await outbound.close(.normalClosure, reason: nil)
                            }
                            for try await message in inbound.messages(maxSize: maxFrameSize) {
                                if case .text(let text) = message { socket.received(text) }
                            }
                            group.cancelAll()
                        }
                    }
                    socket.ended(error: nil)
                } catch {
                    socket.ended(error: error)
                }
            }
            socket.task.withLock { $0 = task }
        }
        return socket
    }

    private func opened() {
        let ready = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.opened = true
            defer { state.ready = nil }
            return state.ready
        }
        ready?.resume()
    }

    private func received(_ text: String) {
        let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.frames.append(text)
            return nil
        }
        waiter?.resume(returning: text)
    }

    private func ended(error: (any Error)?) {
        let (ready, waiter) = state.withLock { state in
            state.closed = true
            defer {
                state.ready = nil
                state.waiter = nil
            }
            return (state.ready, state.waiter)
        }
        outgoing.finish()
        ready?.resume(throwing: Failure.cannotConnect(error.map { "\($0)" } ?? "closed during the handshake"))
        waiter?.resume(returning: nil)
    }

    /// Queues a text frame; false when the connection has ended.
    @discardableResult
    public func send(_ text: String) -> Bool {
        guard !isClosed else { return false }
        if case .terminated = outgoing.yield(text) { return false }
        return true
    }

    public var isClosed: Bool { state.withLock { $0.closed } }

    /// The next text frame; nil when the connection ended (after every frame received before is read).
    public func receive() async -> String? {
        await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let immediate: String?? = state.withLock { state in
                if !state.frames.isEmpty { return .some(state.frames.removeFirst()) }
                if state.closed { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// The next text frame within `seconds`; nil on timeout or when the connection ended.
    public func receive(within seconds: Double) async -> String? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let frame = state.withLock({ $0.frames.isEmpty ? nil : $0.frames.removeFirst() }) { return frame }
            if isClosed { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    /// Closes the connection (a normal close) and waits until it has ended.
    public func close() async {
        outgoing.finish()
        let running = task.withLock { $0 }
        await running?.value
    }

    /// Drops the connection at once, without a closing handshake (as a network failure would).
    public func abort() {
        let running = task.withLock { $0 }
        running?.cancel()
        outgoing.finish()
    }
}
