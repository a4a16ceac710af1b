import Foundation
import Testing

@testable import LoketCore

/// General rules of reading citizen messages, each checked on wordings that are not script examples.
@Suite("Citizen understanding")
struct CitizenUnderstandingTests {
    let engine: Engine

    init() throws {
        engine = try Fixtures.engine()
    }

    @Test(arguments: [
        "Maaf, pertanyaan saya belum terjawab.", "Halo? Masih ada petugas?", "pak?? kok belum dibalas",
        "Mohon dibalas ya, saya sudah menunggu dari tadi.", "permisi min, masih ada orang?",
    ])
    func aNudgeIsNotAComplaintOrAStatusCheck(text: String) {
        var dialogue = Dialogue(engine: engine)
        dialogue.citizen("Syarat NIB apa saja ya?")
        #expect(dialogue.citizen(text).understanding.intent == .nudge, "\(text)")
        #expect(dialogue.conversation.stage != .complaint && dialogue.conversation.stage != .statusCheck)
    }

    @Test func aNudgeIsAnsweredWithAnApologyAndThePendingAnswer() {
        var dialogue = Dialogue(engine: engine)
        dialogue.citizen("Biaya PBG berapa ya?")
        let turn = dialogue.citizen("Halo? Masih ada petugas?")
        #expect(turn.understanding.intent == .nudge)
        #expect(turn.suggestions.first?.kind == .costInfo, "\(turn.suggestions.map(\.kind))")
        #expect(turn.suggestions.first?.text.hasPrefix("Mohon maaf menunggu, Bapak/Ibu.") == true)
        #expect(dialogue.conversation.stage != .complaint)
    }

    @Test(arguments: [
        ("Permisi, selamat pagi. Izin usaha saya bisa diambil kapan?", Intent.askDuration),
        ("Selamat siang Pak, boleh minta info syarat SLF?", .askRequirements),
        ("Assalamualaikum, selamat pagi, saya mau bikin NIB", .requestService),
        ("halo kak, pagi. kantornya di jalan apa ya?", .askLocation),
        ("Sore bu, berkas saya PTSP-20261120-0042 sudah sampai mana?", .askStatus),
    ] as [(String, Intent)])
    func aGreetingClauseDoesNotOutweighARequest(text: String, intent: Intent) {
        var dialogue = Dialogue(engine: engine)
        let understanding = dialogue.citizen(text).understanding
        #expect(understanding.intent == intent, "\(text): \(understanding.intents.map { "\($0.intent) \($0.confidence)" })")
    }

    @Test func theOfficersQuestionDecidesWhatATimeMeans() {
        var dialogue = Dialogue(engine: engine)
        dialogue.citizen("Saya mau lapor, petugas loket kemarin kasar sekali")
        dialogue.officer("Mohon maaf atas ketidaknyamanannya, Bapak. Kapan kejadiannya?")
        let turn = dialogue.citizen("kemarin sore sekitar jam 3")
        #expect(turn.understanding.intent == .provideInfo, "\(turn.understanding.intents.map(\.intent))")
        #expect(turn.suggestions.first?.kind == .complaintFollowup)
    }

    @Test(arguments: ["NPWP-nya belum punya pak", "surat domisilinya belum ada", "KTP ada, tapi NPWP masih kurang"])
    func aMissingDocumentAfterTheRequestIsIncompleteNotAComplaint(text: String) {
        var dialogue = Dialogue(engine: engine)
        dialogue.citizen("Saya mau urus izin usaha")
        dialogue.officer("Baik Pak, mohon dilampirkan dokumen persyaratannya.")
        let turn = dialogue.citizen(text)
        #expect(turn.understanding.intent == .deny, "\(text): \(turn.understanding.intent)")
        #expect(turn.suggestions.prefix(3).contains { $0.kind == .documentsIncomplete || $0.kind == .requirementsInfo })
        #expect(dialogue.conversation.stage != .complaint)
    }

    @Test(arguments: ["kalau izin lama saya hilang gimana ya pak", "klo str nya hilang gmn kak", "Kalau NPWP saya hilang, bagaimana?"])
    func whatIfSomethingIsLostIsARequirementsQuestion(text: String) {
        var dialogue = Dialogue(engine: engine)
        #expect(dialogue.citizen(text).understanding.intent == .askRequirements, "\(text)")
    }

    @Test(arguments: ["Saya tidak terima permohonan saya ditolak begitu saja", "keputusan penolakannya saya tidak terima pak",
                      "saya keberatan, kok izin saya ditolak"])
    func notAcceptingADecisionIsAComplaint(text: String) {
        var dialogue = Dialogue(engine: engine)
        #expect(dialogue.citizen(text).understanding.intent == .complaint, "\(text)")
    }

    @Test(arguments: ["izinnya bisa diambil kapan", "prosesnya lama berapa", "selesai kapan ya berkas saya"])
    func wordOrderVariantsAreUnderstood(text: String) {
        var dialogue = Dialogue(engine: engine)
        #expect(dialogue.citizen(text).understanding.intent == .askDuration, "\(text)")
    }

    @Test(arguments: [
        ("npwp wajib tidak untuk daftar nib?", Intent.askRequirements), ("perlu surat pengantar RT gak sih pak", .askRequirements),
        ("urus izin reklame bayar ga kak", .askCost), ("hari sabtu buka nggak ya?", .askHours),
    ] as [(String, Intent)])
    func aClosingTidakAsksAQuestionAndRefusesNothing(text: String, intent: Intent) {
        var dialogue = Dialogue(engine: engine)
        let understanding = dialogue.citizen(text).understanding
        #expect(understanding.intent == intent, "\(text): \(understanding.intents.map { "\($0.intent) \($0.confidence)" })")
    }

    @Test func aServiceIdWrittenAsAnAcronymNamesTheService() {
        #expect(engine.extractor.extract(raw: "berapa lama SIP jadinya?", normalized: engine.normalizer.normalize("berapa lama SIP jadinya?")).serviceID == "sip")
        #expect(engine.extractor.extract(raw: "Sip pak, makasih", normalized: engine.normalizer.normalize("Sip pak, makasih")).serviceID == nil)
    }

    @Test(arguments: [
        ("wah sudah jadi ternyata, makasih ya bu", Intent.thanks), ("oh 5 hari kerja, baik terima kasih", .thanks),
        ("oke makasih, tapi biayanya berapa?", .askCost), ("oke, mohon info syaratnya, terima kasih", .askRequirements),
        ("wah lambat sekali, makasih", .complaint),
    ] as [(String, Intent)])
    func aReactionToAnAnswerThatThanksIsThanks(text: String, intent: Intent) {
        var dialogue = Dialogue(engine: engine)
        let understanding = dialogue.citizen(text).understanding
        #expect(understanding.intent == intent, "\(text): \(understanding.intents.map { "\($0.intent) \($0.confidence)" })")
    }

    @Test func nobodyThanksBeforeBeingHelped() {
        var first = Dialogue(engine: engine)
        #expect(first.citizen("siang bu 🙏").understanding.intent == .greet)
        var alone = Dialogue(engine: engine)
        #expect(alone.citizen("makasih 🙏").understanding.intent == .thanks)
        var later = Dialogue(engine: engine)
        later.citizen("Biaya SLF berapa?")
        later.officer("Pengurusan SLF tidak dipungut biaya, Bapak.")
        #expect(later.citizen("siang bu 🙏").understanding.intent == .thanks)
    }

    @Test func anEmojiEndsAClause() {
        var dialogue = Dialogue(engine: engine)
        #expect(dialogue.citizen("selamat sore 🙏 mau tanya biaya slf").understanding.intent == .askCost)
        #expect(engine.normalizer.normalize("selamat sore 🙏 mau tanya").segments.count == 2)
    }

    @Test(arguments: [
        ("ijazahnya dilegalisir atau fotokopi biasa?", Intent.askRequirements),
        ("retribusinya dibayar tunai atau lewat bank?", .askCost),
        ("mohon info berkas atas nama Rudi Hartono", .askStatus),
        ("minta dicek ya, permohonan atas nama CV Sumber Rejeki", .askStatus),
        ("slf gedung kami sudah terbit atau belum", .askStatus),
    ] as [(String, Intent)])
    func aChoiceOrARequestForInformationAsks(text: String, intent: Intent) {
        var dialogue = Dialogue(engine: engine)
        let understanding = dialogue.citizen(text).understanding
        #expect(understanding.intent == intent, "\(text): \(understanding.intents.map { "\($0.intent) \($0.confidence)" })")
    }

    @Test(arguments: ["saya mau melaporkan calo di parkiran", "mau mengadukan pelayanan loket kemarin"])
    func reportingSomethingIsAComplaint(text: String) {
        var dialogue = Dialogue(engine: engine)
        #expect(dialogue.citizen(text).understanding.intent == .complaint, "\(text)")
    }

    @Test func theServiceTheOfficerNamesIsTheConversations() {
        var dialogue = Dialogue(engine: engine)
        dialogue.citizen("selamat pagi bu")
        dialogue.officer("Selamat pagi, Bu. Untuk usaha katering rumahan perlu NIB dulu. Apakah sudah punya NIB?")
        let turn = dialogue.citizen("belum punya bu")
        #expect(dialogue.conversation.serviceID == "nib")
        #expect(turn.suggestions.prefix(3).contains { $0.kind == .requirementsInfo }, "\(turn.suggestions.map(\.kind))")
    }
}
