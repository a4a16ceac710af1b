import Foundation
import Testing

@testable import LoketCore

@Suite("Coach")
struct CoachTests {
    let engine: Engine
    static let start = Fixtures.mondayMorning

    init() throws {
        engine = try Fixtures.engine()
    }

    /// A conversation in which the citizen has written `messages`, the last one `waited` seconds before the reply.
    private func context(_ messages: [String], officerFirst: [String] = [], waited: TimeInterval = 20) -> (Conversation, Date) {
        var conversation = Conversation(id: "coach")
        var time = Self.start
        for (index, message) in messages.enumerated() {
            if index < officerFirst.count { engine.recordOfficer(officerFirst[index], in: &conversation) }
            engine.receiveCitizen(message, in: &conversation, at: time)
            time = time.addingTimeInterval(30)
        }
        return (conversation, time.addingTimeInterval(waited - 30))
    }

    private func assess(_ reply: String, _ setup: (Conversation, Date), kind: ReplyKind? = nil) -> Assessment {
        engine.coach.assess(reply, kind: kind ?? engine.recognizeReplyKind(reply), in: setup.0, at: setup.1)
    }

    @Test func theReferenceOfficerScoresHigh() {
        var conversation = Conversation(id: "reference")
        var time = Self.start
        var scores: [Int] = []
        let turns: [(citizen: String, officer: String)] = [
            ("Selamat pagi", "Selamat pagi, Bapak/Ibu, Selamat datang di PTSP, ada yang bisa kami bantu?"),
            ("Selamat pagi, Saya ingin mengurus perpanjangan izin usaha, apakah bisa dibantu?",
             "Tentu, Bapak/Ibu.Mohon izin, apakah bapak/ibu sudah membawa dokumen persyaratan yang dibutuhkan?"),
            ("Sudah, ini dokumen-dokumennya",
             "Baik, terima kasih, izinkan saya memeriksa dokumen-dokumen ini terlebih dahulu ya bapak/ibu. Dokumen-dokumennya sudah lengkap bapak/ibu, proses berikutnya membutuhkan waktu 2 hari kerja. Apakah ada lain yang ingin ditanyakan."),
            ("Tidak, itu saja. Terima kasih atas bantuannya.",
             "Dengan senang hati bapak/ibu. Ini tanda terima dokumennya. Jangan ragu untuk menghubungi kami jika ada kebutuhan lain. Semoga hari bapak/ibu menyenangkan"),
            ("Terima kasih, selamat pagi.", "Selamat pagi, Bapak/Ibu. Terima kasih."),
        ]
        for turn in turns {
            engine.receiveCitizen(turn.citizen, in: &conversation, at: time)
            time = time.addingTimeInterval(25)
            let kind = engine.recognizeReplyKind(turn.officer)
            scores.append(engine.coach.assess(turn.officer, kind: kind, in: conversation, at: time).score)
            engine.recordOfficer(turn.officer, kind: kind, in: &conversation)
            time = time.addingTimeInterval(35)
        }
        #expect(scores.allSatisfy { $0 >= 85 }, "\(scores)")
    }

    @Test(arguments: [
        // (citizen says, reply, lowest score, highest score, a tip that must be given)
        ("Selamat pagi, mau urus izin usaha", "Selamat pagi, Bapak/Ibu. Tentu, mohon dilampirkan KTP, NPWP dan NIB.", 85, 100, ""),
        ("Selamat pagi, mau urus izin usaha", "tunggu saja", 0, 40, "Hindari \"tunggu saja\""),
        ("syarat izin usaha apa?", "BACA SENDIRI DI WEBSITE", 0, 40, "huruf kapital"),
        ("syarat nib apa?", "Siapkan KBLI, akun OSS-RBA dan bayar retribusi.", 0, 40, "Jelaskan istilah \"KBLI\""),
        ("kok lama sekali, izin saya belum jadi", "Memang prosesnya begitu, Pak.", 0, 40, "permintaan maaf"),
        ("izin saya sudah jadi?", "tidak tahu", 0, 40, "kalimat lengkap"),
        ("halo", "ok", 0, 40, "kalimat lengkap"),
        ("syarat nib apa?", "Bapak perlu KBLI (kode bidang usaha), KTP dan NPWP. Terima kasih.", 85, 100, ""),
        ("kok lama sekali, izin saya belum jadi", "Mohon maaf atas keterlambatannya, Bapak. Boleh kami minta nomor tanda terimanya agar segera kami cek?", 85, 100, ""),
        ("izin saya sudah jadi?", "Nanti dikabari ya Pak.", 0, 55, "Hindari \"nanti dikabari\""),
        ("izin saya sudah jadi?", "Mohon maaf Pak, berkasnya kami cek dan kami kabari paling lambat besok pukul 12.00.", 85, 100, ""),
    ] as [(String, String, Int, Int, String)])
    func replyTable(citizen: String, reply: String, low: Int, high: Int, tip: String) {
        let result = assess(reply, context([citizen]))
        #expect((low...high).contains(result.score), "\(reply): \(result.score) \(result.tips)")
        #expect(result.tips.count <= 3)
        if !tip.isEmpty { #expect(result.tips.contains { $0.contains(tip) }, "\(reply): \(result.tips)") }
    }

    @Test func aSlowFirstReplyScoresLowEvenWhenPolite() {
        let polite = "Selamat pagi, Bapak/Ibu. Terima kasih sudah menghubungi kami, ada yang bisa kami bantu?"
        let quick = assess(polite, context(["halo"], waited: 20), kind: .greeting)
        let slow = assess(polite, context(["halo"], waited: 10 * 60), kind: .greeting)
        #expect(quick.score >= 95)
        #expect(slow.score <= 40)
        #expect(slow.tips.first?.hasPrefix("Balas lebih cepat: warga menunggu 10 menit") == true)
    }

    @Test func salamMustFitTheTimeOfDay() {
        let result = assess("Selamat malam, Bapak. Ada yang bisa kami bantu?", context(["halo"]), kind: .greeting)
        #expect(result.tips.contains("Salam tidak sesuai waktu: sekarang \"Selamat pagi\"."))
    }

    @Test func closingWithoutOfferingFurtherHelpIsNoted() {
        let result = assess("Selamat pagi, Bapak. Terima kasih.", context(["mau tanya syarat nib"]), kind: .farewell)
        #expect(result.tips.contains { $0.contains("Tawarkan bantuan lain") })
    }

    @Test func engineCommandReportsTheCoach() {
        var session = EngineSession(engine: engine)
        _ = session.handle(line: #"{"conversation":"c","from":"citizen","text":"halo","time":"2026-11-30T08:00:00+07:00"}"#, now: Self.start)
        let output = session.handle(
            line: #"{"conversation":"c","from":"officer","text":"tunggu saja","time":"2026-11-30T08:00:30+07:00"}"#, now: Self.start)
        let parsed = JSON.parse(output)
        guard case .integer(let score)? = parsed?["coach"]?["score"] ?? nil else {
            guard case .number(let number)? = parsed?["coach"]?["score"] else { Issue.record("no score in \(output)"); return }
            #expect(number <= 40)
            return
        }
        #expect(score <= 40)
    }
}
