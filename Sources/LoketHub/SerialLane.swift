import NIOCore
import Synchronization

/// An async mutex for the hub's actor. The hub stores and fans out one event at a time under it, so every
/// connection receives events in `seq` order and a resume from the last `seq` seen never skips one.
///
/// A release frees the lane and wakes the longest waiter, which takes it when it runs unless a newcomer took it
/// first (then it waits again, first in line): a lane handed to a waiter stays held, doing nothing, until that
/// waiter's turn on the busy actor comes.
final class SerialLane: Sendable {
    private struct State {
        var busy = false
        /// Waiters in arrival order (a woken waiter that lost the lane goes back to the front).
        var waiters = CircularBuffer<CheckedContinuation<Bool, Never>>()
    }

    private let state = Mutex(State())

    /// Runs on the caller's actor. As a plain nonisolated async function it left the hub's actor for the global
    /// pool and queued to come back, holding the lane meanwhile: at 3,000 citizens every message waited for the
    /// lane (81,034 waits for 78,508 messages); now only a `hello`, which holds it across a store write, makes
    /// others wait (2,898).
    func acquire(isolation: isolated (any Actor)? = #isolation) async {
        var woken = false
        while true {
            // True: taken at once; false: woken by a release, so try again.
            let taken = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let free = state.withLock { state -> Bool in
                    if !state.busy {
                        state.busy = true
                        return true
                    }
                    if woken { state.waiters.prepend(continuation) } else { state.waiters.append(continuation) }
                    return false
                }
                if free { continuation.resume(returning: true) }
            }
            if taken { return }
            woken = true
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.busy = false
            return state.waiters.popFirst()
        }
        next?.resume(returning: false)
    }
}

/// A token bucket: a burst of `capacity`, then `rate` per second.
struct RateLimiter: Sendable {
    let capacity: Double
    let rate: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    init(capacity: Double, rate: Double, now: ContinuousClock.Instant = .now) {
        self.capacity = capacity
        self.rate = rate
        tokens = capacity
        last = now
    }

    /// Takes one token; false when the bucket is empty.
    mutating func allow(now: ContinuousClock.Instant = .now) -> Bool {
        let elapsed = now - last
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(capacity, tokens + seconds * rate)
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// The outcome of a write queued for group commit, awaited by the handler that queued it.
final class WriteTicket: Sendable {
    private let state = Mutex<(result: Result<AppendOutcome, any Error>?, waiter: CheckedContinuation<AppendOutcome, any Error>?)>(
        (nil, nil))

    func settle(_ result: Result<AppendOutcome, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<AppendOutcome, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    /// Waits until the write is committed (or failed).
    var outcome: AppendOutcome {
        get async throws {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<AppendOutcome, any Error>) in
                let settled = state.withLock { state -> Result<AppendOutcome, any Error>? in
                    if state.result == nil { state.waiter = continuation }
                    return state.result
                }
                if let settled { continuation.resume(with: settled) }
            }
        }
    }
}

/// Items handed from many producers to one consumer task, in order. The hub uses two: its actor hands writes (in
/// `seq` order) to the committer, which takes them a batch at a time off the actor; citizen connections hand
/// their frames to one task on the actor, without a hop onto it and back per message (that cost about a seventh
/// of the hub's CPU per message, `loket-bench hub-core`). At most one consumer runs: `add` says when to start one,
/// and it stops when `take` finds nothing left. With a `capacity`, a producer that fills the queue waits for room
/// (`waitForRoom`), so a flood holds at most about twice that.
final class HandOffQueue<Item: Sendable>: Sendable {
    private struct State {
        var items = CircularBuffer<Item>()
        var consuming = false
        var batchesTaken = 0
        var roomWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = .max) {
        self.capacity = capacity
    }

    /// Adds an item: `startConsumer` when none is running, `full` when the caller should `waitForRoom` before its
    /// next.
    func add(_ item: Item) -> (startConsumer: Bool, full: Bool) {
        state.withLock { state in
            state.items.append(item)
            defer { state.consuming = true }
            return (!state.consuming, state.items.count >= capacity)
        }
    }

    /// Returns once the queue has room again (at once when it has).
    func waitForRoom() async {
        await withCheckedContinuation { continuation in
            let roomNow = state.withLock { state -> Bool in
                guard state.items.count >= capacity else { return true }
                state.roomWaiters.append(continuation)
                return false
            }
            if roomNow { continuation.resume() }
        }
    }

    /// The next batch, oldest first and at most `maximum` items, with its number counting from 0; nil, and the
    /// consumer is done, when nothing is waiting.
    func take(maximum: Int = .max) -> (number: Int, items: [Item])? {
        let (batch, roomWaiters) = state.withLock { state -> ((number: Int, items: [Item])?, [CheckedContinuation<Void, Never>]) in
            guard !state.items.isEmpty else {
                state.consuming = false
                return (nil, [])
            }
            let items = Array(state.items.prefix(maximum))
            state.items.removeFirst(items.count)
            let number = state.batchesTaken
            state.batchesTaken += 1
            guard state.items.count < capacity else { return ((number, items), []) }
            defer { state.roomWaiters = [] }
            return ((number, items), state.roomWaiters)
        }
        for waiter in roomWaiters { waiter.resume() }
        return batch
    }
}
