import Foundation
import LoketCore
import LoketLive
import LoketWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Realistic citizen lines, so the hub's engine does the work it does at a counter; each message gets a tag.
let citizenLines = [
    "Selamat pagi, saya ingin mengurus perpanjangan izin usaha, apakah bisa dibantu?",
    "Sudah, ini dokumen-dokumennya", "brp lama ya proses imb nya", "syarat sip dokter gigi apa aja min",
    "jam buka kantor ptsp jam berapa?", "mau pasang baliho di depan toko", "cek status PTSP-20261125-0012",
    "Tidak, itu saja. Terima kasih atas bantuannya.",
]

/// Send times by tag, and what the officer's socket saw. The tag travels inside the message text (` [#N]`), so
/// the hub and the relay need nothing special to be measured.
final class DeliveryLog: Sendable {
    private struct State {
        var sent: [Int: ContinuousClock.Instant] = [:]
        var window: Range<ContinuousClock.Instant>?
        var latencies: [Double] = []
        var deliveredInWindow = 0
        var unexpected = 0
    }

    private let state = Mutex(State())

    func sent(_ tag: Int, at time: ContinuousClock.Instant) {
        state.withLock { $0.sent[tag] = time }
    }

    func delivered(_ tag: Int, at time: ContinuousClock.Instant) {
        state.withLock { state in
            guard let sent = state.sent.removeValue(forKey: tag) else {
                // Delivered twice, or a tag nobody sent: either is a protocol failure worth showing.
                state.unexpected += 1
                return
            }
            guard let window = state.window else { return }
            if window.contains(sent) { state.latencies.append(milliseconds(time - sent)) }
            if window.contains(time) { state.deliveredInWindow += 1 }
        }
    }

    /// Starts counting: only messages sent and deliveries made within `window` count.
    func measure(_ window: Range<ContinuousClock.Instant>) {
        state.withLock { state in
            state.window = window
            state.latencies = []
            state.deliveredInWindow = 0
            state.unexpected = 0
        }
    }

    /// Latencies in ms, deliveries within the window, sent in the window but never delivered, unexpected deliveries.
    func results() -> (latencies: [Double], delivered: Int, undelivered: Int, unexpected: Int) {
        state.withLock { state in
            let undelivered = state.window.map { window in state.sent.values.filter { window.contains($0) }.count } ?? 0
            return (state.latencies, state.deliveredInWindow, undelivered, state.unexpected)
        }
    }

    var outstanding: Int { state.withLock { $0.sent.count } }

    /// The tag in a frame: the first ` [#N]` (the message text comes before the engine's view in an event).
    static func tag(in frame: String) -> Int? {
        var copy = frame
        return copy.withUTF8 { bytes -> Int? in
            guard bytes.count > 3 else { return nil }
            var index = 0
            while index < bytes.count - 2 {
                if bytes[index] == UInt8(ascii: "["), bytes[index + 1] == UInt8(ascii: "#") {
                    var value = 0
                    var cursor = index + 2
                    var digits = 0
                    while cursor < bytes.count, bytes[cursor] >= UInt8(ascii: "0"), bytes[cursor] <= UInt8(ascii: "9") {
                        value = value * 10 + Int(bytes[cursor] - UInt8(ascii: "0"))
                        cursor += 1
                        digits += 1
                    }
                    if digits > 0, cursor < bytes.count, bytes[cursor] == UInt8(ascii: "]") { return value }
                }
                index += 1
            }
            return nil
        }
    }
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

/// One citizen's connection after `hello`; only the task driving it reads from its socket.
final class Citizen: Sendable {
    let index: Int
    let socket: WireSocket
    private let counter = Atomic<Int>(0)

    private init(index: Int, socket: WireSocket) {
        self.index = index
        self.socket = socket
    }

    static func open(index: Int, url: String) async throws -> Citizen {
        let socket = try await WireSocket.connect(url: url)
        socket.send(CitizenCommand.hello(name: "Warga \(index)", honorific: "Bapak", resume: nil).frame.serialized)
        while let text = await socket.receive() {
            if JSON.parse(text)?["type"]?.stringValue == "welcome" { return Citizen(index: index, socket: socket) }
        }
        throw BenchError("citizen \(index): connection closed before welcome")
    }

    enum Outcome: Sendable, Equatable {
        case acknowledged
        case refused(String)
        case closed
    }

    /// Sends the next message and waits for its ack (or error), the way a citizen's page would.
    func sendAndWait(log: DeliveryLog) async -> Outcome {
        let number = counter.add(1, ordering: .relaxed).newValue
        // A million messages per citizen is far beyond any run, so tags never collide.
        let tag = index * 1_000_000 + number
        let id = "c\(index)-\(number)"
        let text = "\(citizenLines[(index + number) % citizenLines.count]) [#\(tag)]"
        let frame = CitizenCommand.message(id: id, text: text).frame.serialized
        log.sent(tag, at: .now)
        guard socket.send(frame) else { return .closed }
        while let reply = await socket.receive() {
            guard let json = JSON.parse(reply), json["id"]?.stringValue == id else { continue }
            switch json["type"]?.stringValue {
            case "ack": return .acknowledged
            case "error": return .refused(json["code"]?.stringValue ?? "?")
            default: continue
            }
        }
        return .closed
    }
}

/// The officer's side: one socket receiving every event, stamping each tagged message as it arrives.
final class OfficerListener: Sendable {
    let socket: WireSocket
    private let reading: Task<Void, Never>

    init(url: String, bearer: String?, log: DeliveryLog) async throws {
        let socket = try await WireSocket.connect(url: url, bearer: bearer)
        socket.send(OfficerCommand.hello(since: 0).frame.serialized)
        var welcomed = false
        while let text = await socket.receive() {
            if JSON.parse(text)?["type"]?.stringValue == "welcome" {
                welcomed = true
                break
            }
        }
        guard welcomed else { throw BenchError("officer: no welcome") }
        self.socket = socket
        reading = Task {
            while let frame = await socket.receive() {
                let now = ContinuousClock.now
                if let tag = DeliveryLog.tag(in: frame) { log.delivered(tag, at: now) }
            }
        }
    }

    func close() async {
        await socket.close()
        await reading.value
    }
}

/// Counts what the citizens' side saw in one run.
struct SendTally: Sendable {
    var sent = 0
    var acknowledged = 0
    var refused: [String: Int] = [:]
    var closed = 0
    /// Sends that left more than 10 ms after their scheduled time: the generator itself fell behind.
    var late = 0

    mutating func add(_ other: SendTally) {
        sent += other.sent
        acknowledged += other.acknowledged
        closed += other.closed
        late += other.late
        for (code, count) in other.refused { refused[code, default: 0] += count }
    }

    mutating func record(_ outcome: Citizen.Outcome) {
        sent += 1
        switch outcome {
        case .acknowledged: acknowledged += 1
        case .refused(let code): refused[code, default: 0] += 1
        case .closed: closed += 1
        }
    }
}

/// How citizens send during a run.
enum Load: Sendable {
    /// Open loop: each citizen sends `rate` messages per second on a fixed schedule, spread evenly over the
    /// citizens so the offered load is smooth; a slow ack never delays the schedule of the others.
    case steady(rate: Double)
    /// Closed loop: each citizen sends its next message as soon as the previous one is acknowledged; with
    /// `protocolPacing`, never faster than the hub's per-connection limit allows (see `Pacer`).
    case saturation(protocolPacing: Bool)
}

/// A client-side token bucket just inside the hub's limit (a burst of 20, then 5 per second): the hub's bucket
/// counts arrivals, which jitter after the sends, so a client pacing at exactly 5/s would be refused now and then.
struct Pacer {
    static let capacity = 18.0
    static let rate = 4.5
    private var tokens = Pacer.capacity
    private var last = ContinuousClock.now
    private let rate = Pacer.rate

    /// How long to wait before the next send may go.
    mutating func delay() -> Duration {
        let now = ContinuousClock.now
        tokens = min(Self.capacity, tokens + milliseconds(now - last) / 1000 * rate)
        last = now
        if tokens >= 1 {
            tokens -= 1
            return .zero
        }
        let wait = (1 - tokens) / rate
        // Spend the token now; the caller sleeps until it has accrued.
        tokens -= 1
        return .milliseconds(Int((wait * 1000).rounded(.up)))
    }
}

/// Runs `load` from every citizen for `seconds`, measuring into `log`; returns the citizens' tally and the window.
func drive(
    _ citizens: [Citizen], load: Load, seconds: Double, log: DeliveryLog
) async -> (tally: SendTally, window: Range<ContinuousClock.Instant>) {
    let start = ContinuousClock.now + .milliseconds(100)
    let end = start + .milliseconds(Int(seconds * 1000))
    log.measure(start..<end)
    // Bounded even if the server under test stops answering: past this point the sockets are dropped.
    let watchdog = Task {
        try? await Task.sleep(until: end + .seconds(15), clock: .continuous)
        if !Task.isCancelled { for citizen in citizens { citizen.socket.abort() } }
    }
    let count = citizens.count
    let tally = await withTaskGroup(of: SendTally.self) { group in
        for (position, citizen) in citizens.enumerated() {
            group.addTask {
                var tally = SendTally()
                switch load {
                case .steady(let rate):
                    let offset = Double(position) / Double(count) / rate
                    let messages = Int((seconds * rate).rounded(.down))
                    for number in 0..<messages {
                        let due = start + .milliseconds(Int((offset + Double(number) / rate) * 1000))
                        try? await Task.sleep(until: due, clock: .continuous)
                        if ContinuousClock.now - due > .milliseconds(10) { tally.late += 1 }
                        let outcome = await citizen.sendAndWait(log: log)
                        tally.record(outcome)
                        if outcome == .closed { break }
                    }
                case .saturation(let paced):
                    var pacer = Pacer()
                    try? await Task.sleep(until: start, clock: .continuous)
                    while ContinuousClock.now < end {
                        if paced {
                            let wait = pacer.delay()
                            if wait > .zero {
                                if ContinuousClock.now + wait >= end { break }
                                try? await Task.sleep(for: wait)
                            }
                        }
                        let outcome = await citizen.sendAndWait(log: log)
                        tally.record(outcome)
                        if outcome == .closed { break }
                    }
                }
                return tally
            }
        }
        var total = SendTally()
        for await part in group { total.add(part) }
        return total
    }
    watchdog.cancel()
    // Deliveries still on their way to the officer: wait for them, briefly.
    let drainLimit = ContinuousClock.now + .seconds(5)
    while log.outstanding > 0, ContinuousClock.now < drainLimit { try? await Task.sleep(for: .milliseconds(20)) }
    return (tally, start..<end)
}

/// Opens `count` citizens, a few at a time so the listen backlog never overflows.
func openCitizens(count: Int, url: String, startingAt first: Int = 0) async throws -> [Citizen] {
    var citizens: [Citizen] = []
    citizens.reserveCapacity(count)
    let batch = 32
    var next = first
    while next < first + count {
        let upper = min(next + batch, first + count)
        let opened = try await withThrowingTaskGroup(of: Citizen.self) { group in
            for index in next..<upper { group.addTask { try await Citizen.open(index: index, url: url) } }
            var opened: [Citizen] = []
            for try await citizen in group { opened.append(citizen) }
            return opened
        }
        citizens.append(contentsOf: opened.sorted { $0.index < $1.index })
        next = upper
    }
    return citizens
}

func closeAll(_ citizens: [Citizen]) async {
    await withTaskGroup(of: Void.self) { group in
        for citizen in citizens { group.addTask { await citizen.socket.close() } }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: Process figures

/// Resident memory in bytes, from /proc/self/statm, after giving freed heap back so earlier phases do not hide
/// what this one allocates.
func residentBytes() -> Int {
    #if canImport(Glibc)
    // malloc.h is not part of the Glibc module; RTLD_DEFAULT is the null handle.
    if let symbol = dlsym(nil, "malloc_trim") {
        typealias Trim = @convention(c) (Int) -> Int32
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
    #endif
    let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
    let fields = statm.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// CPU time this process has used (every thread), in seconds.
func processCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// The machine's 1-minute load average, as the kernel reports it.
func loadAverage() -> String {
    let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
    return text.split(separator: " ").first.map(String.init) ?? "?"
}

func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
