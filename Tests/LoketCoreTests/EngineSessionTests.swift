import Foundation
import Testing

@testable import LoketCore

@Suite("loket engine JSON Lines")
struct EngineSessionTests {
    let engine: Engine
    let now = RFC3339.parse("2026-11-30T08:00:00+07:00") ?? Date()

    init() throws {
        engine = try Fixtures.engine()
    }

    private func run(_ lines: [String]) -> [JSON] {
        var session = EngineSession(engine: engine)
        return lines.map { line in
            let output = session.handle(line: line, now: now)
            #expect(!output.contains("\n"), "one output line per input line")
            return JSON.parse(output) ?? .null
        }
    }

    @Test func citizenLineGetsTheFullContract() throws {
        let output = run([
            #"{"conversation":"c1","from":"citizen","text":"Saya mau perpanjang izin usaha","time":"2026-11-30T08:05:00+07:00"}"#
        ])[0]
        #expect(output["conversation"]?.stringValue == "c1")
        #expect(output["intent"]?.stringValue == "request_service")
        guard case .number(let confidence)? = output["confidence"] else { Issue.record("no confidence"); return }
        #expect(confidence > 0.5 && confidence <= 1)
        guard case .array(let intents)? = output["intents"] else { Issue.record("no intents"); return }
        #expect(intents.first?["intent"]?.stringValue == "request_service")
        #expect(output["entities"]?["service"]?.stringValue == "izin_usaha")
        #expect(output["stage"]?.stringValue == "service_requested")
        guard case .array(let suggestions)? = output["suggestions"] else { Issue.record("no suggestions"); return }
        #expect(suggestions.count >= 3)
        #expect(suggestions[0]["kind"]?.stringValue == "ask_documents")
        #expect(suggestions[0]["text"]?.stringValue?.hasPrefix("Tentu, Bapak/Ibu.") == true)
        #expect(suggestions[0]["why"]?.stringValue?.isEmpty == false)
        // Keys in the order of the contract.
        guard case .object(let members) = output else { return }
        #expect(members.map(\.0) == ["conversation", "intent", "confidence", "intents", "entities", "stage", "suggestions"])
    }

    @Test func officerLineWithAndWithoutKind() {
        let outputs = run([
            #"{"conversation":"c1","from":"citizen","text":"mau urus nib"}"#,
            #"{"conversation":"c1","from":"officer","kind":"ask_documents","text":"Silakan dilampirkan"}"#,
            #"{"conversation":"c1","from":"officer","text":"Baik, saya periksa dulu dokumennya ya"}"#,
        ])
        #expect(outputs[1].serialized.hasPrefix(#"{"conversation":"c1","kind":"ask_documents","stage":"documents_requested","coach":{"score":"#))
        #expect(outputs[2]["kind"]?.stringValue == "check_documents")
        #expect(outputs[2]["stage"]?.stringValue == "documents_checking")
    }

    @Test func stateIsKeptPerConversation() {
        let outputs = run([
            #"{"conversation":"a","from":"citizen","text":"mau tanya soal PBG"}"#,
            #"{"conversation":"b","from":"citizen","text":"mau daftar nib"}"#,
            #"{"conversation":"a","from":"citizen","text":"berapa biayanya?"}"#,
            #"{"conversation":"b","from":"citizen","text":"berapa biayanya?"}"#,
        ])
        #expect(outputs[2]["entities"]?["service"]?.stringValue == "pbg")
        #expect(outputs[3]["entities"]?["service"]?.stringValue == "nib")
    }

    @Test(arguments: [
        ("not json", "not valid JSON"),
        ("", "not valid JSON"),
        (#"["array"]"#, "expected a JSON object"),
        (#"{"from":"citizen","text":"halo"}"#, "missing field \"conversation\""),
        (#"{"conversation":"c","text":"halo"}"#, "missing field \"from\""),
        (#"{"conversation":"c","from":"citizen"}"#, "missing field \"text\""),
        (#"{"conversation":5,"from":"citizen","text":"halo"}"#, "field \"conversation\" must be a string"),
        (#"{"conversation":"c","from":"robot","text":"halo"}"#, "field \"from\" must be"),
        (#"{"conversation":"c","from":"citizen","text":"halo","time":"yesterday"}"#, "RFC 3339"),
        (#"{"conversation":"c","from":"officer","text":"halo","kind":"dance"}"#, "unknown reply kind"),
        (#"{"conversation":"c","from":"citizen","text":"halo","honorific":"Tuan Besar"}"#, "honorific"),
        (#"{"conversation":"c","from":"citizen","text":"halo""#, "not valid JSON"),
    ])
    func badLinesGetAnErrorLine(line: String, message: String) {
        var session = EngineSession(engine: engine)
        let output = session.handle(line: line, now: now)
        let parsed = JSON.parse(output)
        #expect(parsed?["error"]?.stringValue?.contains(message) == true, "\(output)")
        guard case .object(let members)? = parsed else { return }
        #expect(members.count == 1)
    }

    @Test func processingGoesOnAfterABadLine() {
        let outputs = run([
            #"{"conversation":"c","from":"citizen","text":"mau urus slf"}"#,
            "{broken",
            #"{"conversation":"c","from":"citizen","text":"berapa lama?"}"#,
        ])
        #expect(outputs.count == 3)
        #expect(outputs[1]["error"]?.stringValue?.hasPrefix("line 2:") == true)
        #expect(outputs[2]["entities"]?["service"]?.stringValue == "slf", "state survived the bad line")
        #expect(outputs[2]["intent"]?.stringValue == "ask_duration")
    }

    @Test func nameAndHonorificFields() {
        let output = run([#"{"conversation":"c","from":"citizen","text":"halo","name":"Budi","honorific":"Bapak"}"#])[0]
        #expect(output["entities"]?["name"]?.stringValue == "Budi")
        #expect(output["entities"]?["honorific"]?.stringValue == "Bapak")
        guard case .array(let suggestions)? = output["suggestions"] else { return }
        #expect(suggestions.first?["text"]?.stringValue?.contains("Bapak.") == true)
    }

    @Test func jsonEscapesAndUnicodeRoundTrip() {
        let value = JSON.object([("t", .string("kutip \" garis \\ baris\n emoji 🙏 \u{1}"))])
        #expect(JSON.parse(value.serialized) == value)
        #expect(JSON.parse(#"{"a":"\ud83d\ude4f"}"#)?["a"]?.stringValue == "🙏")
        #expect(JSON.parse("{\"a\":1} trailing") == nil)
    }
}

/// `loket engine` writes citizen answers straight into its output; the hub builds the same answer as a JSON value.
/// Both must give the same bytes for every story message, with names, receipts and every stage along the way.
@Suite("The engine's direct answer writer")
struct CitizenOutputWriterTests {
    @Test func writesWhatTheJSONValueWrites() throws {
        let engine = try Fixtures.engine()
        var receipts = ReceiptBook()
        var compared = 0
        for story in try StoryLoader.loadDefault() {
            var conversation = Conversation(id: "cerita \"\(story.name)\"")
            for turn in story.turns {
                switch turn {
                case .citizen(let citizen):
                    let understanding = engine.receiveCitizen(
                        citizen.text, in: &conversation, at: Fixtures.mondayMorning, name: "Budi\u{2028}Santoso",
                        honorific: .bapak)
                    let suggestions = engine.suggestions(for: &conversation, receipts: &receipts, at: Fixtures.mondayMorning)
                    var direct: [UInt8] = []
                    EngineSession.writeCitizenOutput(conversation.id, understanding, conversation, suggestions, into: &direct)
                    let value = EngineSession.citizenOutput(conversation.id, understanding, conversation, suggestions)
                    #expect(String(decoding: direct, as: UTF8.self) == value.serialized)
                    compared += 1
                case .officer(let text, let kind):
                    engine.recordOfficer(text, kind: kind, in: &conversation)
                }
            }
        }
        #expect(compared > 100)
    }
}
