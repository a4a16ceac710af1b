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
if CommandLine.arguments.dropFirst().first == "hub-core" {
    exit(await HubCoreBenchmark.main(arguments: Array(CommandLine.arguments.dropFirst(2))))
}
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
        let trainedKB = residentBytes() / 1024
        // Where the memory goes: the trained models are most of the heap a trainee screen holds; the rest of its
        // resident memory is the binary's own pages and the shared C libraries (scripts/footprint.sh splits those).
        for model in engine.models {
            print("  (model, \(model.name): \(model.features) features × \(model.labels) labels, \(model.bytes / 1024) KB)")
        }
        print("  (bundled text: script \(BundledFiles.defaultScript.utf8.count / 1024) KB, scenarios \(BundledFiles.scenarios.utf8.count / 1024) KB, stories \(BundledFiles.stories.utf8.count / 1024) KB, in the binary)")
        var state = AppState(now: Date(timeIntervalSince1970: 1_796_000_400), width: 200, height: 60)
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
        let growth = residentBytes() / 1024 - trainedKB
        print("resident memory with \(state.chats.count) conversations (\(state.chats.reduce(0) { $0 + $1.messages.count }) messages): \(rss)")
        // This process maps the hub's libraries too (its file pages before any engine are most of the figure above);
        // trainee mode is the screen's start-up footprint (scripts/footprint.sh) plus what the conversations add.
        print("  the conversations add \(growth) kB: trainee mode with them ≈ its start-up footprint (scripts/footprint.sh) + \(growth) kB (budget 25 MB)")
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

// The engine through pipes, JSON in and out included, as `loket engine` runs it: 20,000 citizen messages over
// 500 conversations written into a pipe by one thread and drained from another; then an interactive bridge that
// writes one line and waits for its answer each time.
do {
    let engine: Engine
    do {
        engine = Engine(script: try ScriptLoader.loadDefault())
    } catch {
        fatalError("bundled script failed to load: \(error)")
    }
    let texts = [
        "Selamat pagi, Saya ingin mengurus perpanjangan izin usaha, apakah bisa dibantu?",
        "Sudah, ini dokumen-dokumennya", "Tidak, itu saja. Terima kasih atas bantuannya.",
        "Terima kasih, selamat pagi.", "brp lama ya proses imb nya", "syarat sip dokter gigi apa aja min",
        "KENAPA IZIN SAYA BELUM JADI JUGA, SUDAH 3 MINGGU", "cek status PTSP-20261125-0012",
        "jam buka kantor ptsp jam berapa?", "mau pasang baliho di depan toko",
    ]
    let count = 20_000
    func line(_ number: Int) -> String {
        #"{"conversation":"c\#(number % 500)","from":"citizen","text":"\#(texts[number / 500 % texts.count])","time":"2026-11-30T08:05:00+07:00"}"#
    }
    let batch = Array((0..<count).map { line($0) + "\n" }.joined().utf8)

    func pipePair() -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { fatalError("pipe failed") }
        return (descriptors[0], descriptors[1])
    }

    /// CPU time this thread has used, in microseconds: on a loaded machine wall time also counts other programs.
    func threadCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1e6 + Double(time.tv_nsec) / 1e3
    }

    /// Microseconds per message for one run of the whole batch: wall time and the engine thread's CPU time.
    func batchRun() -> (wall: Double, cpu: Double) {
        let input = pipePair()
        let output = pipePair()
        let drained = DispatchSemaphore(value: 0)
        Thread {
            _ = FileDescriptorOutput.writeAll(batch, to: input.write)
            close(input.write)
        }.start()
        Thread {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var lines = 0
            while true {
                let got = read(output.read, &buffer, buffer.count)
                if got <= 0 { break }
                lines += buffer[0..<got].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            }
            if lines != count { fatalError("expected \(count) answers, got \(lines)") }
            drained.signal()
        }.start()
        var session = EngineSession(engine: engine)
        var cpu = 0.0
        let elapsed = ContinuousClock().measure {
            let before = threadCPU()
            guard session.run(input: input.read, output: output.write) == .finished else { fatalError("engine run failed") }
            cpu = threadCPU() - before
            close(output.write)
            drained.wait()
        }
        close(input.read)
        close(output.read)
        let wall = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
        return (wall / Double(count), cpu / Double(count))
    }
    if CommandLine.arguments.contains("--profile-engine") {
        // Where a message's time goes without pipes: parsing, the engine in context, writing.
        let lines = (0..<count).map(line)
        var session = EngineSession(engine: engine)
        let now = Date(timeIntervalSince1970: 1_796_000_400)
        let whole = measure(runs: 1) { for text in lines { _ = session.handle(line: text, now: now) } }
        print("  handle() in process: \(format(whole[0] / Double(count))) per message")
        let parse = measure(runs: 1) { for text in lines { _ = JSON.parse(text) } }
        print("  JSON.parse: \(format(parse[0] / Double(count))) per message")
        let answer = session.handle(line: lines[0], now: now)
        let parsed = JSON.parse(answer) ?? .null
        let serialize = measure(runs: 1) { for _ in 0..<count { _ = parsed.serialized } }
        print("  serialize one answer (\(answer.utf8.count) bytes): \(format(serialize[0] / Double(count)))")
    }
    let runs = (0..<7).map { _ in batchRun() }
    print("engine through pipes, \(count) citizen messages over 500 conversations, JSON in and out: median \(format(median(runs.map(\.wall)))) per message, engine thread CPU \(format(median(runs.map(\.cpu)))), over \(runs.count) runs (budget 20 µs)")

    // Interactive: each answer must come back before the next line is written (flush when no input waits).
    let input = pipePair()
    let output = pipePair()
    Thread {
        var session = EngineSession(engine: engine)
        _ = session.run(input: input.read, output: output.write)
        close(output.write)
    }.start()
    var roundTrips: [Double] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    let clock = ContinuousClock()
    for number in 0..<4_000 {
        let started = clock.now
        _ = FileDescriptorOutput.writeAll(Array((line(number) + "\n").utf8), to: input.write)
        // One answer is pending at a time, so the read that ends in a newline ends it.
        while true {
            let got = read(output.read, &buffer, buffer.count)
            if got <= 0 || buffer[got - 1] == 0x0A { break }
        }
        let elapsed = clock.now - started
        roundTrips.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
    }
    close(input.write)
    print("engine through pipes, one line then wait for its answer: median round trip \(format(median(roundTrips))) over \(roundTrips.count) lines")
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
        var state = AppState(now: start, width: 200, height: 60)
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
    // A key as the screen handles it: update the state, then render the frame, with a long draft in the input.
    for draftLength in [0, 20_000] {
        var state = busyState(citizens: 60, messages: 200)
        let draft = String(repeating: "mohon dibantu ", count: draftLength / 14)
        for character in draft { _ = state.update(.key(.character(character)), engine: engine) }
        var checksum = 0
        let times = measure(runs: 300) {
            _ = state.update(.key(.character("a")), engine: engine)
            checksum &+= renderer.render(state).buffer.width
        }
        print("one key typed and the 200×60 frame rendered, \(draft.count)-character draft: median \(format(median(times))) (a frame is 16 ms)")
    }
    if CommandLine.arguments.contains("--profile-render") {
        let state = busyState(citizens: 10_000, messages: 100_000)
        var checksum = 0
        for _ in 0..<2_000 { checksum &+= renderer.render(state).buffer.width }
        print(checksum)
    }
}

/// Resident set size of this process, as /proc reports it, with its anonymous (heap) and file-backed parts.
func residentMemory() -> String {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> String {
        status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
            .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) } ?? "?"
    }
    return "\(field("VmRSS")) (anonymous \(field("RssAnon")), files \(field("RssFile")))"
}
