import Foundation
import Testing

@testable import LoketCore

/// The coach's verdicts on what matters most at a counter, and its agreement with the engine's own suggestions.
@Suite("Coach verdicts")
struct CoachVerdictTests {
    let engine: Engine

    init() throws {
        engine = try Fixtures.engine()
    }

    /// The verdict on `reply` sent 20 seconds after the citizen's `messages` (officer lines start with "> ").
    private func verdict(_ reply: String, after messages: [String], name: String? = nil) -> Assessment {
        var conversation = Conversation(id: "verdict")
        var time = Fixtures.mondayMorning.addingTimeInterval(2 * 3600)
        for message in messages {
            if message.hasPrefix("> ") {
                engine.recordOfficer(String(message.dropFirst(2)), in: &conversation)
            } else {
                engine.receiveCitizen(message, in: &conversation, at: time, name: name)
            }
            time = time.addingTimeInterval(20)
        }
        var copy = conversation
        return engine.recordOfficer(reply, in: &copy, judgedAt: time).assessment
    }

    @Test(arguments: [
        "Bodoh banget sih, Bapak. Terima kasih.",
        "Mohon maaf Pak, b0d0h amat pertanyaannya. Syaratnya KTP dan NPWP.",
        "Dasar goblog, syaratnya KTP, NPWP dan NIB, Pak. Terima kasih.",
        "Gratis lah, masa gitu aja nggak tahu. Baca dong di website.",
        "Silakan cek sendiri persyaratannya di website, bukan urusan saya",
        "Persyaratannya sudah saya jawab tadi Pak, baca sendiri.",
        "Mohon maaf Pak, itu tanya bagian lain saja.",
        "SUDAH SAYA JAWAB, BUKA JAM 8 SAMPAI JAM 3",
    ])
    func disrespectScoresAtMostThirty(reply: String) {
        let result = verdict(reply, after: ["Selamat siang, syarat izin usaha apa saja ya?"])
        #expect(result.score <= Coach.disrespectCap, "\(reply): \(result.score) \(result.tips)")
        #expect(result.tips.first?.hasPrefix("Jangan") == true, "\(reply): \(result.tips)")
    }

    @Test func aReferralThatSaysWhoAndHowIsNotBuckPassing() {
        let result = verdict(
            "Mohon maaf Bu, untuk STR silakan hubungi Dinas Kesehatan di nomor 0274-555-123, kami bantu bila ada kendala.",
            after: ["Selamat siang, STR saya hilang, bisa diurus di sini?"])
        #expect(result.score > Coach.disrespectCap, "\(result.tips)")
    }

    @Test(arguments: [
        "Biaya NIB Rp500.000, silakan dibayar tunai ke petugas.",
        "Bisa dibantu Pak, biar cepat ada uang rokoknya ya.",
        "Silakan transfer ke rekening saya Rp200.000 supaya cepat selesai, Pak.",
        "Kalau mau langsung jadi, bayar 100 ribu saja Pak, tidak usah antre.",
        "Mohon maaf Pak, uang pelicinnya seikhlasnya saja.",
    ])
    func unofficialMoneyScoresAtMostTwentyAndNamesTheRule(reply: String) {
        let result = verdict(reply, after: ["Selamat siang, saya mau urus NIB, biayanya berapa?"])
        #expect(result.score <= Coach.paymentCap, "\(reply): \(result.score)")
        #expect(result.tips.contains { $0.contains("melalui bank") && $0.contains("gratifikasi") }, "\(result.tips)")
    }

    @Test func theOfficialFeeIsNotAskingForMoney() {
        let result = verdict(
            "Untuk PBG dikenakan retribusi daerah (pungutan resmi) sesuai Perda, dibayar melalui bank, bukan ke petugas, Pak.",
            after: ["Selamat siang, biaya PBG berapa?"])
        #expect(result.score >= 85, "\(result.tips)")
    }

    /// (citizen, reply, the right fact the tip must quote)
    @Test(arguments: [
        ("Selamat siang, biaya NIB berapa?", "Biaya NIB Rp500.000, Pak. Terima kasih.", "tidak dipungut biaya"),
        ("Selamat siang, biaya PBG berapa?", "PBG gratis Pak, tidak ada biaya.", "retribusi daerah"),
        ("Selamat siang, izin praktik bidan berapa lama jadinya?", "Prosesnya 14 hari kerja, Bu. Terima kasih.", "5 hari kerja"),
        ("Selamat siang, jam buka kantor kapan?", "Kami buka jam 9 sampai jam 4 sore, Pak. Terima kasih.", "08.00–15.00"),
        ("Selamat siang, alamat kantornya di mana?", "Kantor kami di Jl. Sudirman No. 5, Pak. Terima kasih.", "Jl. Merdeka No. 10"),
        ("Selamat siang, nomor WA kantor berapa?", "Silakan WA ke 0812-1111-2222, Pak. Terima kasih.", "0812-3456-7890"),
        ("Selamat siang, status berkas PTSP-20261120-0042 bagaimana?",
         "Terima kasih Pak, berkas PTSP-20261120-0043 masih diproses, kami kabari paling lambat besok pukul 12.00.",
         "PTSP-20261120-0042"),
    ] as [(String, String, String)])
    func aWrongFactCostsFortyAndTheTipQuotesTheRightOne(citizen: String, reply: String, right: String) {
        let wrong = verdict(reply, after: [citizen])
        #expect(wrong.score <= 60, "\(reply): \(wrong.score) \(wrong.tips)")
        #expect(wrong.tips.contains { $0.contains(right) }, "\(reply): \(wrong.tips)")
    }

    @Test func rightFactsPass() {
        for (citizen, reply) in [
            ("Selamat siang, jam buka kantor kapan?", "Buka jam 8 sampai jam 3 sore Pak, Jumat istirahat 11.30 sampai 13.00. Terima kasih."),
            ("Selamat siang, alamat kantornya di mana?", "Kantor kami di Jl. Merdeka No. 10 lantai 2, Pak. Silakan datang."),
            ("Selamat siang, biaya NIB berapa?", "NIB gratis, Pak, tidak dipungut biaya. Terima kasih."),
        ] {
            let result = verdict(reply, after: [citizen])
            #expect(result.score >= 85, "\(reply): \(result.score) \(result.tips)")
        }
    }

    @Test func aReplyAboutSomethingElseCostsThirtyAndSaysWhatIsAwaited() {
        let result = verdict(
            "Persyaratan izin usaha: KTP, NPWP dan NIB, Bapak. Terima kasih.",
            after: ["Selamat siang, kantor PTSP buka jam berapa ya?"])
        #expect(result.score <= 70, "\(result.score)")
        #expect(result.tips.contains("Jawab dulu pertanyaan warga tentang jam layanan."), "\(result.tips)")
    }

    @Test(arguments: ["Mas Dimas", "Mbak Sari", "Kak Rina", "Bang Ucok", "Dik Ayu", "Pak Budi", "Bu Ratna", "drg. Ratna", "H. Suparman"])
    func namesAfterHonorificsAndTitlesAddressTheCitizen(name: String) {
        let result = verdict(
            "Selamat pagi, \(name). Ada yang bisa kami bantu?", after: ["Selamat pagi"], name: nil)
        #expect(!result.tips.contains(Catalogue.CoachTips.honorific), "\(name): \(result.tips)")
        #expect(result.score >= 90, "\(name): \(result.score) \(result.tips)")
    }

    @Test func jargonTheCitizenUsedFirstIsFine() {
        let theirs = verdict(
            "Baik Bu, STR yang masih berlaku silakan dilampirkan bersama KTP.",
            after: ["Selamat siang, saya dokter gigi, mau urus SIP. STR saya masih berlaku, perlu dilampirkan?"])
        #expect(!theirs.tips.contains { $0.contains("Jelaskan istilah \"STR\"") }, "\(theirs.tips)")
        let ours = verdict("Baik Bu, STR yang masih berlaku silakan dilampirkan bersama KTP.", after: ["Selamat siang, saya mau urus SIP"])
        #expect(ours.tips.contains { $0.contains("Jelaskan istilah \"STR\"") }, "\(ours.tips)")
    }

    @Test func aWrongSalamIsNotHiddenBehindLesserTips() {
        var conversation = Conversation(id: "late")
        let late = Fixtures.mondayMorning.addingTimeInterval(8 * 3600 + 59 * 60)  // 16:59
        engine.receiveCitizen("halo", in: &conversation, at: late)
        let result = engine.coach.assess(
            "Selamat siang. Ada yang bisa dibantu?", kind: .greeting, in: conversation, at: late.addingTimeInterval(20))
        #expect(result.tips.contains("Salam tidak sesuai waktu: sekarang \"Selamat sore\"."), "\(result.tips)")
    }

    @Test func assalamualaikumIsAnsweredInKind() {
        var dialogue = Dialogue(engine: engine)
        var turn = dialogue.citizen("Assalamualaikum")
        #expect(turn.suggestions.first?.text.hasPrefix("Waalaikumsalam, selamat pagi, Bapak/Ibu.") == true, "\(turn.suggestions.map(\.text))")
        dialogue = Dialogue(engine: engine)
        turn = dialogue.citizen("Assalamualaikum, mau tanya syarat NIB")
        #expect(turn.suggestions.first?.kind == .requirementsInfo)
        #expect(turn.suggestions.first?.text.hasPrefix("Waalaikumsalam, selamat pagi, Bapak/Ibu. Persyaratan") == true, "\(turn.suggestions.map(\.text))")
    }
}
