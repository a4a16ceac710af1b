import Foundation
import Testing

@testable import LoketCore

/// Suggestions and coach must agree: the engine's own top suggestion, sent as it is and on time, scores at least
/// 90 at every stage and with every template of its kind.
@Suite("Suggestions and coach agree")
struct SuggestionAgreementTests {
    /// Citizen messages; between two of them the officer sends the top suggestion, except before a line marked
    /// with a leading "…" (the officer stayed silent, so the citizen nudges).
    static let paths: [[String]] = [
        ["Selamat pagi", "Saya ingin mengurus perpanjangan izin usaha, apakah bisa dibantu?", "Sudah, ini dokumen-dokumennya",
         "Baik, saya tunggu.", "Tidak, itu saja. Terima kasih atas bantuannya.", "Terima kasih, selamat pagi."],
        ["jam buka kantor kapan?", "alamatnya di mana?", "biaya nib berapa?", "berapa lama prosesnya?", "syaratnya apa saja?",
         "oke makasih", "tidak ada, terima kasih"],
        ["Izin saya sudah 3 minggu belum jadi, saya kecewa", "PTSP-20261110-0003", "Jadi kapan saya dikabari?",
         "Baik, terima kasih", "tidak ada"],
        ["mau cek status berkas", "PTSP-20261120-0042", "oke terima kasih", "sudah cukup"],
        ["syarat pbg apa?", "…Halo? Masih ada petugas?", "oke, kalau biayanya?", "…Maaf, pertanyaan saya belum terjawab."],
        ["asdf qwerty", "mau urus SIP bidan", "belum punya STR, bagaimana?", "ini dokumennya", "kapan selesai?", "makasih"],
        ["Selamat siang, saya mau mengajukan SIP dokter gigi.",
         "Ini KTP dan STR saya. Rekomendasi PDGI dan surat keterangan dari klinik belum ada, bagaimana ya?",
         "Baik, saya lengkapi. Ini rekomendasi PDGI dan surat keterangan dari klinik.", "Terima kasih. Kira-kira kapan selesai?",
         "Baik, itu saja. Terima kasih."],
        ["Assalamualaikum, mau tanya syarat NIB", "kalau KTP saya hilang gimana?", "ok, ini dokumennya", "wassalamualaikum"],
        ["Hello, I want to apply for a business license", "what documents do I need?", "thank you"],
        ["halo", "…halo?", "mau pasang baliho", "berapa biayanya?", "saya tidak terima kalau harus bayar pajak", "ya sudah, terima kasih"],
    ]

    /// Monday morning, Friday after the prayer break, Thursday late afternoon and a Saturday.
    static let starts = ["2026-11-30T08:00:00+07:00", "2026-12-04T13:05:00+07:00", "2026-12-03T16:30:00+07:00",
                         "2026-12-05T10:00:00+07:00"]

    @Test(arguments: starts)
    func theTopSuggestionScoresAtLeastNinetyWithEveryTemplate(start: String) throws {
        let engine = try Fixtures.engine()
        var failures: [String] = []
        var checked = 0
        for path in Self.paths {
            var conversation = Conversation(id: "agree")
            var receipts = ReceiptBook()
            var time = RFC3339.parse(start) ?? Fixtures.mondayMorning
            for line in path {
                let text = line.hasPrefix("…") ? String(line.dropFirst()) : line
                engine.receiveCitizen(text, in: &conversation, at: time)
                let sentAt = time.addingTimeInterval(20)
                let top = engine.suggestions(for: &conversation, receipts: &receipts, at: sentAt).first
                guard let top else {
                    failures.append("\(text): no suggestion")
                    break
                }
                // Every template of the top kind, as it would be offered on a later turn.
                let variants = engine.script.templates[top.kind]?.count ?? 1
                for variant in 0..<variants {
                    var trial = conversation
                    var trialReceipts = receipts
                    trial.sentKinds[top.kind] = variant
                    guard let suggestion = engine.suggestions(for: &trial, receipts: &trialReceipts, at: sentAt)
                        .first(where: { $0.kind == top.kind })
                    else { continue }
                    let verdict = engine.recordOfficer(suggestion.text, kind: suggestion.kind, in: &trial, judgedAt: sentAt)
                    checked += 1
                    if verdict.assessment.score < 90 {
                        failures.append("\(start) \(text) → \(suggestion.kind) \(verdict.assessment.score) \(verdict.assessment.tips): \(suggestion.text)")
                    }
                }
                let next = path.firstIndex(of: line).map { path.index(after: $0) }
                let silent = next.map { $0 < path.endIndex && path[$0].hasPrefix("…") } ?? false
                if !silent {
                    var sent = conversation
                    _ = engine.recordOfficer(top.text, kind: top.kind, in: &sent, judgedAt: sentAt)
                    conversation = sent
                }
                // A nudge comes soon after the silence it breaks, so the late reply is still on time.
                time = time.addingTimeInterval(silent ? 15 : 60)
            }
        }
        #expect(checked >= 50)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
