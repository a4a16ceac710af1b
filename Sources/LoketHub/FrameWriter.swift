import NIOCore
import NIOWebSocket
import Synchronization

/// Writes one WebSocket connection's outgoing text frames on its event loop, all that are waiting in one flush.
///
/// Hummingbird's outbound writer wakes a task and flushes (one `writev`) for every frame. Under load an officer's
/// socket is sent a whole committed batch of events at once, and each went out on its own: writing below that
/// writer, on the channel, lets the frames queued since the last flush go out together. Frames are the hub's own
/// finished JSON, so nothing the writer skips (extensions, client masking) applies to them.
final class FrameWriter: Sendable {
    private struct State {
        var frames: [String] = []
        var writeScheduled = false
        var finishing = false
        var finished = false
        var finishWaiter: CheckedContinuation<Void, Never>?
    }

    private let channel: any Channel
    private let state = Mutex(State())

    init(channel: any Channel) {
        self.channel = channel
    }

    /// Queues a frame; the first one since the last flush schedules the write on the event loop.
    func write(_ text: String) {
        let schedule = state.withLock { state -> Bool in
            guard !state.finishing else { return false }
            state.frames.append(text)
            defer { state.writeScheduled = true }
            return !state.writeScheduled
        }
        if schedule { channel.eventLoop.execute { self.writeQueued() } }
    }

    /// No more frames: what is queued still goes out, then `waitUntilFinished` returns.
    func finish() {
        let first = state.withLock { state -> Bool in
            defer { state.finishing = true }
            return !state.finishing
        }
        guard first else { return }
        channel.eventLoop.execute {
            self.writeQueued()
            let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.finished = true
                defer { state.finishWaiter = nil }
                return state.finishWaiter
            }
            waiter?.resume()
        }
    }

    /// Returns once `finish` was called and every frame queued before it was handed to the channel.
    func waitUntilFinished() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.finished { return true }
                state.finishWaiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func writeQueued() {
        let frames = state.withLock { state -> [String] in
            state.writeScheduled = false
            let frames = state.frames
            state.frames = []
            return frames
        }
        guard !frames.isEmpty else { return }
        for text in frames {
            var buffer = channel.allocator.buffer(capacity: text.utf8.count)
            buffer.writeString(text)
            channel.write(WebSocketFrame(fin: true, opcode: .text, data: buffer), promise: nil)
        }
        channel.flush()
    }
}
