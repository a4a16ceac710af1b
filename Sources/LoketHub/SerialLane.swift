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
        /// Waiters in arrival order from `head` on; the slots before it are spent.
        var waiters: [CheckedContinuation<Bool, Never>] = []
        var head = 0

        mutating func popFirst() -> CheckedContinuation<Bool, Never>? {
            guard head < waiters.count else { return nil }
            let first = waiters[head]
            head += 1
            if head == waiters.count {
                waiters.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= waiters.count {
                waiters.removeFirst(head)
                head = 0
            }
            return first
        }

        mutating func pushFront(_ waiter: CheckedContinuation<Bool, Never>) {
            if head > 0 {
                head -= 1
                waiters[head] = waiter
            } else {
                waiters.insert(waiter, at: 0)
            }
        }
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
                    if woken { state.pushFront(continuation) } else { state.waiters.append(continuation) }
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
            return state.popFirst()
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

/// Writes waiting for group commit, shared by the hub's actor, which adds them in `seq` order, and the committer
/// that runs off the actor and takes them a batch at a time. At most one committer runs: `add` says when to start
/// one, and the committer stops when `nextBatch` finds nothing left.
final class CommitQueue<Write: Sendable>: Sendable {
    private struct State {
        var writes: [Write] = []
        var committing = false
        var batchesTaken = 0
    }

    private let state = Mutex(State())

    /// Adds a write; true when no committer is running, so the caller must start one.
    func add(_ write: Write) -> Bool {
        state.withLock { state in
            state.writes.append(write)
            if state.committing { return false }
            state.committing = true
            return true
        }
    }

    /// The next batch (oldest first) and its number, counting from 0; nil, and the committer is done, when empty.
    func nextBatch(maximum: Int) -> (number: Int, writes: [Write])? {
        state.withLock { state in
            guard !state.writes.isEmpty else {
                state.committing = false
                return nil
            }
            let writes = Array(state.writes.prefix(maximum))
            state.writes.removeFirst(writes.count)
            defer { state.batchesTaken += 1 }
            return (state.batchesTaken, writes)
        }
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

/// Citizen frames waiting for the hub's actor, in arrival order. Connections hand their frames over without waiting
/// for the actor, and one task on it works through them: a hop onto the actor and back for every message cost about
/// a seventh of the hub's CPU per message (`loket-bench hub-core`). At most one drainer runs (`add` says when to
/// start one); a connection that finds the inbox full waits for room, so a flood holds at most twice `capacity`.
final class FrameInbox<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var draining = false
        var roomWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds an item: `startDrainer` when none is running, `full` when the caller should `waitForRoom` before its next.
    func add(_ item: Item) -> (startDrainer: Bool, full: Bool) {
        state.withLock { state in
            state.items.append(item)
            defer { state.draining = true }
            return (!state.draining, state.items.count >= capacity)
        }
    }

    /// Returns once the inbox has room again (at once when it has).
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

    /// Everything waiting, oldest first; nil, and the drainer is done, when nothing is.
    func takeAll() -> [Item]? {
        let (items, waiters) = state.withLock { state -> ([Item], [CheckedContinuation<Void, Never>]) in
            guard !state.items.isEmpty else {
                state.draining = false
                return ([], [])
            }
            defer {
                state.items = []
                state.roomWaiters = []
            }
            return (state.items, state.roomWaiters)
        }
        for waiter in waiters { waiter.resume() }
        return items.isEmpty ? nil : items
    }
}
