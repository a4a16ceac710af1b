import Synchronization

/// A first-come, first-served async mutex. The hub stores and fans out one event at a time under it, so every
/// connection receives events in `seq` order and a resume from the last `seq` seen never skips one.
final class SerialLane: Sendable {
    private let state = Mutex<(busy: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let runNow = state.withLock { state -> Bool in
                if state.busy {
                    state.waiters.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if runNow { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.busy = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
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
