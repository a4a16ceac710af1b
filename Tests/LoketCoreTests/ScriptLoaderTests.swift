import Foundation
import Testing

@testable import LoketCore

@Suite("Script loading")
struct ScriptLoaderTests {
    @Test func defaultScriptHasTheMinimumVocabulary() throws {
        let script = try ScriptLoader.loadDefault()
        for intent in Intent.required {
            #expect(script.intents.contains { $0.id == intent }, "intent \(intent) missing")
        }
        for kind in ReplyKind.all { #expect(script.templates[kind]?.isEmpty == false, "reply \(kind) missing") }
        #expect(Set(script.services.map(\.id)).isSuperset(of: ["izin_usaha", "nib", "pbg", "slf", "reklame", "sip"]))
    }

    @Test func defaultScriptHasEnoughRealisticExamples() throws {
        let script = try ScriptLoader.loadDefault()
        for intent in script.intents {
            #expect(intent.examples.count >= 25, "\(intent.id) has \(intent.examples.count) examples")
        }
        for kind in [ReplyKind.greeting, .askDocuments, .anythingElse, .farewell] {
            #expect((script.templates[kind]?.count ?? 0) >= 2, "\(kind) needs two variants")
        }
        let pbg = try #require(script.service(id: "pbg"))
        #expect(pbg.aliases.contains("imb"))
        let reklame = try #require(script.service(id: "reklame"))
        #expect(["baliho", "spanduk", "papan nama", "billboard"].allSatisfy(reklame.aliases.contains))
    }

    @Test func defaultScriptHasOfficeFactsAndHolidays() throws {
        let office = try ScriptLoader.loadDefault().office
        #expect(office.timeZone.identifier == "Asia/Jakarta")
        #expect(office.receiptPrefix == "PTSP")
        #expect(office.holidays.contains(CivilDate(year: 2026, month: 8, day: 17)))
        #expect(office.holidays.contains(CivilDate(year: 2026, month: 12, day: 25)))
        #expect(office.holidays.contains(CivilDate(year: 2027, month: 8, day: 17)))
        #expect(office.holidays.filter { $0.year == 2027 }.count >= 14)
    }

    /// The default script with one line replaced, to make a bad script from a good one.
    private func defaultText(replacing old: String, with new: String) throws -> String {
        let text = BundledFiles.defaultScript
        #expect(text.contains(old), "fixture text not found: \(old)")
        return text.replacingOccurrences(of: old, with: new)
    }

    private func loadError(_ text: String) -> DataFileError? {
        do {
            _ = try ScriptLoader.parse(text, source: "bad.toml")
            return nil
        } catch {
            return error
        }
    }

    private func line(of needle: String, in text: String) -> Int? {
        text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) }.map { $0 + 1 }
    }

    @Test func syntaxErrorNamesFileAndLine() throws {
        let text = try defaultText(replacing: "duration_days = 2\n", with: "duration_days = = 2\n")
        let error = try #require(loadError(text))
        #expect(error.file == "bad.toml")
        #expect(error.line == line(of: "duration_days = = 2", in: text))
        #expect(error.description.contains("TOML syntax error"))
    }

    @Test func unknownReplyKindNamesLineAndKey() throws {
        let text = try defaultText(replacing: "[reply.clarify]", with: "[reply.clarifyy]")
        let error = try #require(loadError(text))
        #expect(error.key == "reply.clarifyy")
        #expect(error.line == line(of: "[reply.clarifyy]", in: text))
        #expect(error.message.contains("unknown reply kind"))
    }

    @Test func unknownSlotNamesLineAndKey() throws {
        let text = try defaultText(replacing: "\"Ada lagi yang bisa kami bantu, {honorific}?\"", with: "\"Ada lagi, {nama_warga}?\"")
        let error = try #require(loadError(text))
        #expect(error.key == "reply.anything_else.templates[2]")
        #expect(error.line == line(of: "{nama_warga}", in: text))
        #expect(error.message.contains("unknown slot {nama_warga}"))
    }

    @Test func unclosedSlotIsAnError() throws {
        let text = try defaultText(replacing: "\"Ada lagi yang bisa kami bantu, {honorific}?\"", with: "\"Ada lagi, {honorific?\"")
        let error = try #require(loadError(text))
        #expect(error.key == "reply.anything_else.templates[2]")
        #expect(error.message.contains("no partner"))
    }

    @Test func intentWithEmptyExampleListIsRejected() {
        let minimal = Self.minimalScript(intentExamples: "[]")
        let error = loadError(minimal)
        #expect(error?.key == "intent.greet.examples")
        #expect(error?.message.contains("at least one example") == true)
        #expect(error?.line != nil)
    }

    @Test func missingRequiredReplyKindIsNamed() throws {
        let text = try defaultText(replacing: "[reply.clarify]", with: "[unused.clarify]")
        let error = try #require(loadError(text))
        #expect(error.key == "unused")
    }

    @Test func wrongTypeIsReported() throws {
        let text = try defaultText(replacing: "duration_days = 2\n", with: "duration_days = \"dua\"\n")
        let error = try #require(loadError(text))
        #expect(error.key == "service.izin_usaha.duration_days")
        #expect(error.message.contains("expected a number"))
    }

    @Test func unknownTimeZoneIsReported() throws {
        let text = try defaultText(replacing: "time_zone = \"Asia/Jakarta\"", with: "time_zone = \"Asia/Atlantis\"")
        let error = try #require(loadError(text))
        #expect(error.key == "office.time_zone")
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: DataFileError.self) { try ScriptLoader.load(contentsOf: "/nonexistent/script.toml") }
    }

    /// A script with every required part and one intent whose examples are given.
    static func minimalScript(intentExamples: String) -> String {
        var text = """
            [office]
            name = "PTSP"
            hours = "08.00–15.00"
            address = "Jl. Merdeka 1"
            contact = "0812"
            time_zone = "Asia/Jakarta"
            receipt_prefix = "PTSP"
            complaint_followup_hours = 24
            holidays = []
            [info_requests]
            service = "layanan"
            receipt = "nomor"
            complaint_reference = "nomor"
            question = "pertanyaan"
            [coach]
            courtesy = ["terima kasih"]
            apology = ["maaf"]
            vague = ["tunggu saja"]
            next_step = ["pukul"]
            rude = ["baca sendiri"]
            jargon = [{ term = "KBLI", explain = ["kode usaha"] }]
            [[service]]
            id = "nib"
            name = "NIB"
            aliases = ["nib"]
            requirements = ["KTP"]
            duration_days = 1
            fee = "gratis"

            """
        for kind in ReplyKind.all { text += "[reply.\(kind)]\ntemplates = [\"Baik, {honorific}.\"]\n" }
        text += "[[intent]]\nid = \"greet\"\nexamples = \(intentExamples)\n"
        for intent in Intent.required where intent != .greet {
            text += "[[intent]]\nid = \"\(intent)\"\nexamples = [\"contoh \(intent)\"]\n"
        }
        return text
    }

    @Test func minimalScriptLoads() throws {
        let script = try ScriptLoader.parse(Self.minimalScript(intentExamples: "[\"halo\"]"), source: "min.toml")
        #expect(script.intents.count == Intent.required.count)
    }
}
