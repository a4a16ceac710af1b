import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import LoketCore
import LoketWire
import Synchronization

/// The ceiling the hub is compared against: the same HTTP server, WebSocket upgrade and JSON code, the same frames
/// on the wire (`hello`/`welcome`, `message`/`ack`, `event` to officers), but no storage, no engine and no actor.
/// Whatever the hub delivers less than this is the price of durability, the engine and its own design.
final class Relay: Sendable {
    private let officers = Mutex<[Int: AsyncStream<String>.Continuation]>([:])
    private let counter = Atomic<Int>(0)

    private func next() -> Int { counter.add(1, ordering: .relaxed).newValue }

    private func broadcast(_ frame: String) {
        let outboxes = officers.withLock { Array($0.values) }
        for outbox in outboxes { outbox.yield(frame) }
    }

    func application(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router(context: BasicWebSocketRequestContext.self)

        router.ws("/officer/ws") { inbound, outbound, _ in
            // Many citizens write to one officer: one writer drains a stream, as in the hub.
            let (frames, outbox) = AsyncStream<String>.makeStream(bufferingPolicy: .unbounded)
            let key = self.next()
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await frame in frames {
                        do { try await outbound.write(.text(frame)) } catch { break }
                    }
                }
                do {
                    for try await message in inbound.messages(maxSize: Wire.maximumFrameSize) {
                        guard case .text(let text) = message, JSON.parse(text)?["type"]?.stringValue == "hello" else { continue }
                        outbox.yield(JSON.object([
                            ("type", .string("welcome")),
                            ("officer", .object([("username", .string("relay")), ("name", .string("Relay"))])),
                            ("seq", .integer(self.counter.load(ordering: .relaxed))),
                        ]).serialized)
                        self.officers.withLock { $0[key] = outbox }
                    }
                } catch {
                    logger.debug("officer connection ended", metadata: ["error": "\(error)"])
                }
                _ = self.officers.withLock { $0.removeValue(forKey: key) }
                outbox.finish()
                group.cancelAll()
            }
        }

        router.ws("/citizen/ws") { inbound, outbound, _ in
            var conversation: String?
            for try await message in inbound.messages(maxSize: Wire.maximumFrameSize) {
                guard case .text(let text) = message, let frame = JSON.parse(text) else { continue }
                switch frame["type"]?.stringValue {
                case "hello":
                    let id = "r-\(self.next())"
                    conversation = id
                    try await outbound.write(.text(JSON.object([
                        ("type", .string("welcome")), ("conversation", .string(id)), ("history", .array([])),
                    ]).serialized))
                case "message":
                    guard let conversation, let id = frame["id"]?.stringValue, let body = frame["text"]?.stringValue
                    else { continue }
                    let seq = self.next()
                    let event = HubEvent(
                        seq: Int64(seq), kind: .message, conversation: conversation, time: Date(), from: .citizen, text: body)
                    self.broadcast(event.officerFrame.serialized)
                    try await outbound.write(.text(HubFrame.ack(id: id, seq: Int64(seq)).serialized))
                default:
                    continue
                }
            }
        }

        return Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: router,
                configuration: .init(
                    ws: .init(maxFrameSize: Wire.maximumFrameSize, autoPing: .enabled(timePeriod: .seconds(20))))),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "loket-bench-relay"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
