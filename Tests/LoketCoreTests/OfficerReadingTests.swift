import Foundation
import Testing

@testable import LoketCore

@Suite("Officer text")
struct OfficerReadingTests {
    let engine: Engine

    init() throws {
        engine = try Fixtures.engine()
    }

    @Test func anAnswerWithAnOfferOfMoreHelpIsBothAndMovesNoDocumentStage() {
        var dialogue = Dialogue(engine: engine)
        dialogue.citizen("Halo, kantor PTSP buka jam berapa ya?")
        let reply = "Selamat sore, Bapak/Ibu. Kantor kami buka Senin sampai Kamis pukul 08.00-15.00 WIB, Jumat 08.00-11.30 "
            + "dan 13.00-15.00 WIB. Ada yang bisa kami bantu lagi?"
        let reading = engine.readOfficer(reply)
        #expect(reading.main == .hoursInfo)
        #expect(reading.kinds.contains(.anythingElse))
        #expect(reading.facts.contains(.hours))
        dialogue.officer(reply)
        #expect(dialogue.conversation.officerGreeted, "the salam of a first reply greets")
        #expect(dialogue.conversation.stage == .greeting, "an hours answer is not a document request")
        #expect(dialogue.conversation.offeredFurtherHelp)
        #expect(dialogue.conversation.pending == nil, "the question was answered")
    }

    @Test(arguments: ["ok", "oke", "Ok pak", "siap", "hmm", "👍", "baik"])
    func aReplyThatDoesNothingRecognisableMovesNothing(text: String) {
        var dialogue = Dialogue(engine: engine)
        dialogue.citizen("Saya mau urus NIB")
        let stage = dialogue.conversation.stage
        let kind = dialogue.officer(text)
        #expect(kind == .other, "\(text)")
        #expect(dialogue.conversation.stage == stage)
        #expect(dialogue.conversation.pending?.intent == .requestService, "the request is still waiting")
    }

    /// Officer messages as officers write them (none is a script example): short, long, several acts, slang,
    /// typos, all caps. The main act is the one that moves the conversation furthest.
    @Test(arguments: [
        ("Buka jam 8 sampai jam 3 sore Bu", ReplyKind.hoursInfo),
        ("SUDAH SAYA JAWAB, BUKA JAM 8 SAMPAI JAM 3", .hoursInfo),
        ("Hari Jumat istirahat jam 11.30 sampai 13.00 ya Pak", .hoursInfo),
        ("Kantor kami di Jl. Merdeka No. 10 lantai 2, Pak", .locationInfo),
        ("Bisa WA ke 0812-3456-7890 kak", .locationInfo),
        ("NIB gratis Pak, tidak ada biaya", .costInfo),
        ("Nomor tanda terimanya PTSP-20261130-0005 ya Bu", .receipt),
        ("Oke pak sdh sy terima, sy cek dl ya", .checkDocuments),
        ("dokumen lengkap pak, 2 hari kerja selesai. ada lg yg bs dibantu?", .documentsComplete),
        ("Maaf Bu NPWP nya blm ada, mohon dilengkapi", .documentsIncomplete),
        ("Selamat pagi Pak, syaratnya KTP, NPWP, surat domisili dan pas foto", .requirementsInfo),
        ("silakan kirim berkasnya di sini ya kak", .askDocuments),
        ("Mohon maaf atas keterlambatannya Pak, akan kami cek segera", .complaintAck),
        ("Sudah kami teruskan ke bidang teknis, paling lambat besok pukul 10.00 kami kabari", .complaintFollowup),
        ("Ada lagi yg mau ditanyain Bu?", .anythingElse),
        ("Sama-sama Pak, semoga harinya menyenangkan", .farewell),
        ("Mau urus izin apa ya Pak?", .askInfo),
        ("Selamat siang Bu, ada yang bisa kami bantu?", .greeting),
        ("Prosesnya 5 hari kerja Bu", .durationInfo),
    ] as [(String, ReplyKind)])
    func officerTextIsReadByItsMainAct(text: String, kind: ReplyKind) {
        #expect(engine.readOfficer(text).main == kind, "\(text): \(engine.readOfficer(text).kinds)")
    }

    @Test func factsInTheTextAreEvidence() {
        #expect(engine.readOfficer("Jam 08.00-15.00 WIB Pak").facts.contains(.hours))
        #expect(engine.readOfficer("Jl. Merdeka No. 10").facts.contains(.address))
        #expect(engine.readOfficer("hubungi 0812-3456-7890").facts.contains(.contact))
        #expect(engine.readOfficer("Biayanya Rp50.000").facts.contains(.fee))
        #expect(engine.readOfficer("selesai 2 hari kerja").facts.contains(.workingDays))
        #expect(engine.readOfficer("nomornya PTSP-20261130-0001").facts.contains(.receipt))
        #expect(engine.readOfficer("kami kabari paling lambat besok").facts.contains(.deadline))
        #expect(!engine.readOfficer("kami kabari paling lambat Senin pukul 10.00").facts.contains(.hours))
    }

    @Test func timesAndAmountsDoNotSplitClauses() {
        let text = engine.normalizer.normalize("Buka pukul 08.00-15.00, biaya Rp500.000.")
        #expect(text.segments.count == 2)
        #expect(text.segmentText(text.segments[0]) == "buka pukul 08 00 15 00")
    }

    @Test func aComplaintStaysAComplaintUntilAFollowUpWithATime() {
        var dialogue = Dialogue(engine: engine)
        dialogue.citizen("Izin saya sudah 3 minggu belum jadi, saya kecewa")
        dialogue.officer("Mohon maaf atas ketidaknyamanannya, Pak.")
        #expect(dialogue.conversation.stage == .complaint)
        // A vague reply does not leave the complaint.
        dialogue.officer("Baik Pak, silakan kirim dokumennya")
        #expect(dialogue.conversation.stage == .complaint)
        let turn = dialogue.citizen("Jadi kapan saya dikabari?")
        #expect(turn.suggestions.first?.kind == .complaintFollowup, "\(turn.suggestions.map(\.kind))")
        dialogue.officer("Sudah kami teruskan ke bidang perizinan, paling lambat besok pukul 12.00 kami kabari.")
        #expect(dialogue.conversation.stage == .complaintFollowup)
    }

    @Test func theTopSuggestionDoesNotRepeatWhatWasJustSent() {
        var dialogue = Dialogue(engine: engine)
        let first = dialogue.citizen("jam buka kantor kapan?").suggestions
        guard let top = first.first else { Issue.record("no suggestion"); return }
        dialogue.officer(top.text, kind: top.kind)
        let after = engine.suggestions(for: &dialogue.conversation, receipts: &dialogue.receipts, at: dialogue.time)
        #expect(!after.contains { $0.kind == top.kind || $0.text == top.text }, "\(after.map(\.kind))")
    }

    @Test func officerTextCrossValidates() throws {
        let script = try ScriptLoader.loadDefault()
        let counter = CrossValidation.runOfficer(script: script, folds: 5)
        print(counter.table(title: "5-fold cross-validated officer text"))
        #expect(counter.accuracy >= 0.78, "\(counter.accuracy)")
    }
}
