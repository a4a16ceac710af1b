import Foundation
import LoketCore
import LoketUI

// Benchmarks for the engine budgets in DESIGN.md. Run in release mode: `swift run -c release loket-bench`
// (`loket-bench hub` for the hub under load).
// Figures are medians over repeated runs, measured with the monotonic clock on one thread.

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func measure(runs: Int, _ body: () -> Void) -> [Double] {
    let clock = ContinuousClock()
    return (0..<runs).map { _ in
        let elapsed = clock.measure(body)
        return Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
    }
}

func format(_ microseconds: Double) -> String {
    microseconds >= 1000 ? String(format: "%.2f ms", microseconds / 1000) : String(format: "%.2f µs", microseconds)
}

// `loket-bench hub` measures the live hub under citizen load instead (HubBenchmark.swift); its servers and
// sockets would distort the engine figures below, so it runs alone.
if CommandLine.arguments.dropFirst().first == "hub" {
    exit(await HubBenchmark.main(arguments: Array(CommandLine.arguments.dropFirst(2))))
}

// Memory first, while nothing else has grown the heap.
// Memory: trainee mode holding 1,000 conversations, each with a short exchange analysed by the engine.
do {
    let script = try? ScriptLoader.loadDefault()
    if let script {
        print("  (resident before the engine: \(residentMemory()))")
        let engine = Engine(script: script)
        print("  (resident with the engine trained: \(residentMemory()))")
        var state = AppState(now: Date(timeIntervalSince1970: 1_796_000_400), width: 200, height: 60, simulator: nil)
        let lines = ["Selamat pagi", "saya mau urus izin usaha", "sudah, ini dokumennya", "berapa lama prosesnya?",
                     "tidak, itu saja, terima kasih"]
        for number in 0..<1_000 {
            let index = state.addCitizen(name: "Warga \(number)", honorific: .bapak, priority: false, engine: engine)
            for line in lines {
                state.receive(line, chat: index, engine: engine)
                _ = state.update(.tick(state.now.addingTimeInterval(30)), engine: engine)
            }
        }
        let rss = residentMemory()
        print("resident memory with \(state.chats.count) conversations (\(state.chats.reduce(0) { $0 + $1.messages.count }) messages): \(rss) (budget 25 MB)")
    }
}

do {
    // Load + train: the bundled script, parsed, checked and both classifiers trained, from the file each time.
    var engine: Engine?
    let loadTimes = measure(runs: 30) {
        do {
            engine = Engine(script: try ScriptLoader.loadDefault())
        } catch {
            fatalError("bundled script failed to load: \(error)")
        }
    }
    guard let engine else { fatalError("no engine") }
    print("load script + train: median \(format(median(loadTimes))) over \(loadTimes.count) runs (budget 20 ms)")

    // Understand + suggest: the reference dialogue's citizen turns and a mix of chat messages, each in a fresh
    // copy of a conversation at the right stage, so every message is analysed from scratch.
    let messages = [
        "Selamat pagi, Saya ingin mengurus perpanjangan izin usaha, apakah bisa dibantu?",
        "Sudah, ini dokumen-dokumennya", "Tidak, itu saja. Terima kasih atas bantuannya.",
        "Terima kasih, selamat pagi.", "brp lama ya proses imb nya", "syarat sip dokter gigi apa aja min",
        "KENAPA IZIN SAYA BELUM JADI JUGA, SUDAH 3 MINGGU", "cek status PTSP-20261125-0012",
        "jam buka kantor ptsp jam berapa?", "mau pasang baliho di depan toko",
    ]
    let time = Date(timeIntervalSince1970: 1_796_000_400)
    var receipts = ReceiptBook()
    var perMessage: [Double] = []
    for _ in 0..<2000 {
        for message in messages {
            var conversation = Conversation(id: "bench")
            let elapsed = measure(runs: 1) {
                engine.receiveCitizen(message, in: &conversation, at: time)
                _ = engine.suggestions(for: &conversation, receipts: &receipts, at: time)
            }
            perMessage.append(elapsed[0])
        }
    }
    print("understand + suggest, one citizen message: median \(format(median(perMessage))) over \(perMessage.count) messages (budget 20 µs)")
    let understandOnly = measure(runs: 20_000) { _ = engine.understand(messages[0], in: Conversation(id: "u")) }
    print("understand only (longest message): median \(format(median(understandOnly)))")
}

// Rendering: a 200×60 frame with 10,000 queued citizens and a 100,000-message transcript, against a small
// screen state, to show the cost follows the screen and not the queue or transcript.
do {
    let script: Script
    do {
        script = try ScriptLoader.loadDefault()
    } catch {
        fatalError("bundled script failed to load: \(error)")
    }
    let engine = Engine(script: script)
    let renderer = Renderer(calendar: script.calendar)
    let start = Date(timeIntervalSince1970: 1_796_000_400)

    func busyState(citizens: Int, messages: Int) -> AppState {
        var state = AppState(now: start, width: 200, height: 60, simulator: nil)
        for number in 0..<citizens {
            let index = state.addCitizen(name: "Warga Nomor \(number)", honorific: nil, priority: number % 97 == 0, engine: engine)
            if number < 50 { state.receive("mau urus izin usaha", chat: index, engine: engine) }
        }
        let history = (0..<messages).map { number in
            ChatMessage(
                author: number % 2 == 0 ? .citizen : .officer,
                text: "Pesan nomor \(number): saya ingin mengurus perpanjangan izin usaha, apakah bisa dibantu? 🙏",
                time: start.addingTimeInterval(Double(number)))
        }
        state.appendHistory(history, chat: 0)
        return state
    }

    for (citizens, messages) in [(10_000, 100_000), (60, 200)] {
        let state = busyState(citizens: citizens, messages: messages)
        var checksum = 0
        let times = measure(runs: 300) { checksum &+= renderer.render(state).buffer.width }
        print("render 200×60, \(citizens) citizens, \(messages) messages: median \(format(median(times))) (budget 1 ms)")
    }
    if CommandLine.arguments.contains("--profile-render") {
        let state = busyState(citizens: 10_000, messages: 100_000)
        var checksum = 0
        for _ in 0..<2_000 { checksum &+= renderer.render(state).buffer.width }
        print(checksum)
    }
}

/// Resident set size of this process, as /proc reports it.
func residentMemory() -> String {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    return status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        .map { $0.dropFirst(6).trimmingCharacters(in: .whitespaces) } ?? "?"
}
