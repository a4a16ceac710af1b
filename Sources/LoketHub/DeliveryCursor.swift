import LoketWire

/// What a hub of a cluster has delivered, and what it holds back: every `seq` up to `watermark` is delivered (or
/// known never to exist); stored events above it wait in `held` until the gap below them is filled.
///
/// On PostgreSQL a `seq` is drawn when a transaction inserts, not when it commits, so hub B may commit 9 after
/// hub A committed 10. Delivering 10 at once and 9 later would break the promise that each connection sees `seq`
/// in increasing order (and a client resuming from 10 would never see 9). So events are delivered strictly in
/// `seq` order; a gap that stays open for `gapTimeout` is taken for a rolled-back transaction and skipped.
struct DeliveryCursor {
    private(set) var watermark: Int64
    private(set) var held: [Int64: HubEvent] = [:]
    let gapTimeout: Duration
    /// When the lowest gap was first seen (nil while nothing is held).
    private var stuckSince: ContinuousClock.Instant?

    init(watermark: Int64, gapTimeout: Duration = .seconds(3)) {
        self.watermark = watermark
        self.gapTimeout = gapTimeout
    }

    /// True when `seq` is neither delivered nor held: worth reading from the store.
    func isNew(_ seq: Int64) -> Bool { seq > watermark && held[seq] == nil }

    /// Takes stored events (from this hub or read from the store, in any order, repeats ignored); returns those
    /// now deliverable, in `seq` order.
    mutating func add(_ events: [HubEvent], now: ContinuousClock.Instant = .now) -> [HubEvent] {
        for event in events {
            guard let seq = event.seq, isNew(seq) else { continue }
            held[seq] = event
        }
        return release(now: now)
    }

    /// Gives up on a gap open longer than `gapTimeout` (its transaction rolled back, or its hub died before
    /// committing); returns what that releases.
    mutating func settle(now: ContinuousClock.Instant = .now) -> [HubEvent] {
        guard let since = stuckSince, now - since >= gapTimeout, let lowest = held.keys.min() else { return [] }
        watermark = lowest - 1
        stuckSince = nil
        return release(now: now)
    }

    private mutating func release(now: ContinuousClock.Instant) -> [HubEvent] {
        var ready: [HubEvent] = []
        while let next = held.removeValue(forKey: watermark + 1) {
            ready.append(next)
            watermark += 1
        }
        if held.isEmpty {
            stuckSince = nil
        } else if !ready.isEmpty || stuckSince == nil {
            // A new lowest gap: its clock starts now.
            stuckSince = now
        }
        return ready
    }
}
