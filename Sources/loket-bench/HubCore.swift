import Foundation
import Logging
import LoketCore
import LoketHub
import LoketWire

/// `loket-bench hub-core`: the hub's own cost per citizen message, without sockets — frames handed straight to the
/// `Hub` actor, the SQLite store on disk as shipped, one officer receiving everything. Separates what the hub does
/// (engine, store, group commit, fan-out) from what WebSocket and NIO cost in `loket-bench hub`.
enum HubCoreBenchmark {
    static let usage = """
        usage: loket-bench hub-core [--citizens N] [--messages N]   (defaults 500 and 20, closed loop; at most 20 \
        messages per citizen, the hub's burst allowance per connection, so that none is refused for speed)
        """

    static func main(arguments: [String]) async -> Int32 {
        var citizens = 500
        var messages = 20
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst().flatMap(Int.init), value >= 1 else {
                print(usage)
                return 2
            }
            switch flag {
            case "--citizens" where value <= 100_000: citizens = value
            case "--messages" where value <= 20: messages = value
            default:
                print(usage)
                return 2
            }
        }
        do {
            try await run(citizens: citizens, messages: messages)
            return 0
        } catch {
            print("hub-core: \(error)")
            return 1
        }
    }

    static func run(citizens: Int, messages: Int) async throws {
        var logger = Logger(label: "loket-bench")
        logger.logLevel = .error
        let engine = Engine(script: try ScriptLoader.loadDefault())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loket-hub-core-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteHubStore(path: SQLiteHubStore.file(in: directory.path))
        let began = Date()
        let hub = Hub(engine: engine, store: store, logger: logger, clock: { HubBenchmark.officeOpen.addingTimeInterval(Date().timeIntervalSince(began)) })
        let (officerFrames, officerOutbox) = AsyncStream<String>.makeStream()
        let officer = await hub.connectOfficer(OfficerRecord(username: "bench", name: "Petugas Bench", passwordHash: "!"), outbox: Hub.Outbox(officerOutbox))
        await hub.officerFrame(OfficerCommand.hello(since: 0).frame.serialized, connection: officer)
        let received = Task {
            var messages = 0
            // Not parsed: a 2 KB event parsed here would count as the hub's cost (the hub writes `event` near the start).
            for await frame in officerFrames where frame.utf8.prefix(64).contains(#""event":"message""#.utf8) {
                messages += 1
            }
            return messages
        }

        // Conversations are created first (each is its own durable write); the clock starts when every citizen
        // has said hello, so the figures are the message path's alone.
        let residentBefore = residentBytes()
        let start = StartingLine(runners: citizens)
        let acked = await withTaskGroup(of: Int.self) { group in
            for index in 0..<citizens {
                group.addTask {
                    let (frames, outbox) = AsyncStream<String>.makeStream()
                    let connection = await hub.connectCitizen(outbox: Hub.Outbox(outbox))
                    var replies = frames.makeAsyncIterator()
                    await hub.citizenFrame(
                        CitizenCommand.hello(name: "Warga \(index)", honorific: "Bapak", resume: nil).frame.serialized,
                        connection: connection)
                    _ = await replies.next()
                    await start.arrive()
                    var acked = 0
                    for message in 0..<messages {
                        let text = "Permisi, syarat izin usaha apa saja ya? (\(message))"
                        await hub.citizenFrame(CitizenCommand.message(id: "m\(message)", text: text).frame.serialized, connection: connection)
                        if let reply = await replies.next(), JSON.parse(reply)?["type"]?.stringValue == "ack" { acked += 1 }
                    }
                    return acked
                }
            }
            return await group.reduce(0, +)
        }
        let (started, cpuBefore) = await start.mark
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        let cpu = processCPUSeconds() - cpuBefore
        let total = citizens * messages
        let commits = await hub.commitFigures
        // Every conversation is still open and connected here: what the hub holds for each, sockets aside.
        let perConversation = Double(residentBytes() - residentBefore) / Double(citizens) / 1024
        await hub.disconnectAll()
        let delivered = await received.value
        print(String(
            format: "hub core: %d citizens × %d messages closed loop: %.0f messages/s, %.1f µs CPU per message "
                + "(all threads), %.1f events per group commit; %d acked, %d delivered to the officer; "
                + "%.1f KiB resident per open conversation",
            citizens, messages, Double(total) / seconds, cpu / Double(total) * 1e6,
            Double(commits.events) / Double(max(1, commits.transactions)), acked, delivered, perConversation))
    }
}

/// Holds every runner until the last one arrives, then lets them all go and notes when that was.
private actor StartingLine {
    private let runners: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private(set) var mark = (ContinuousClock.now, processCPUSeconds())

    init(runners: Int) { self.runners = runners }

    func arrive() async {
        if waiting.count + 1 == runners {
            mark = (ContinuousClock.now, processCPUSeconds())
            for runner in waiting { runner.resume() }
            waiting = []
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}
