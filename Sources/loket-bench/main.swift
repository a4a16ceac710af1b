import Foundation
import LoketCore

// Benchmarks for the engine budgets in DESIGN.md. Run in release mode: `swift run -c release loket-bench`.
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
