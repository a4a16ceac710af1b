import Foundation
import Testing

@testable import LoketCore

/// The JSON reader against RFC 8259 and the engine session against input meant to hurt it.
@Suite("engine hardening")
struct EngineHardeningTests {
    let engine: Engine
    let now = Fixtures.mondayMorning

    init() throws {
        engine = try Fixtures.engine()
    }

    private func error(_ text: String) -> String? {
        do {
            _ = try JSON.parseOrThrow(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [
        (#"{"a":"\u+123"}"#, #"\u needs four hexadecimal digits"#),
        (#"{"a":1.}"#, "a digit must follow '.'"),
        (#"{"a":.5}"#, "expected a value, found '.'"),
        (#"{"a":-01}"#, "no leading zeros"),
        (#"{"a":1.e5}"#, "a digit must follow '.'"),
        (#"{"a":1e}"#, "the exponent needs digits"),
        (#"{"a":+1}"#, "expected a value, found '+'"),
        (#"{"a":-}"#, "a digit must follow '-'"),
        ("\u{FEFF}{}", "byte order mark"),
        ("", "empty line"),
        ("   ", "empty line"),
        (String(repeating: "[", count: 65) + String(repeating: "]", count: 65), "nested deeper than 64 levels"),
        (#"{"a":"x"#, "unterminated string"),
        ("{\"a\":\"\u{1}\"}", "control character 0x1"),
        (#"{"a":"\q"}"#, #"invalid escape '\q'"#),
        (#"{"a" 1}"#, "expected ':'"),
        (#"{"a":1} x"#, "unexpected text after the JSON value"),
        (#"{"a":tru}"#, "expected a value, found 't'"),
    ])
    func invalidJSONSaysWhatIsWrong(text: String, message: String) {
        let description = error(text)
        #expect(description?.hasPrefix("not valid JSON") == true, "\(text)")
        #expect(description?.contains(message) == true, "\(description ?? "accepted") for \(text)")
    }

    @Test func validNumbersAndNesting() throws {
        for text in ["0", "-0", "1.5", "-1.5e-3", "1E+2", "10", "123456789"] {
            #expect(JSON.parse(#"{"a":\#(text)}"#)?["a"] == .number(Double(text) ?? .nan), "\(text)")
        }
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(JSON.parse(deepest) != nil, "64 levels are allowed")
    }

    @Test func loneSurrogatesBecomeTheReplacementCharacterEitherWay() {
        #expect(JSON.parse(#"{"a":"\ud800 x"}"#)?["a"]?.stringValue == "\u{FFFD} x")
        #expect(JSON.parse(#"{"a":"\ud800\u0041"}"#)?["a"]?.stringValue == "\u{FFFD}A")
        #expect(JSON.parse(#"{"a":"\udc00"}"#)?["a"]?.stringValue == "\u{FFFD}")
        #expect(JSON.parse(#"{"a":"\ud83d\ude4f"}"#)?["a"]?.stringValue == "🙏")
    }

    @Test func aRepeatedKeyKeepsItsPlaceAndTheLastValue() {
        let parsed = JSON.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(parsed?.serialized == #"{"a":3,"b":2}"#)
    }

    /// Was quadratic: each key removed earlier copies of itself from all keys before it (80,000 keys took 12 s).
    /// The bound is far above what the linear reader needs, so only a return of the stall can fail it.
    @Test func manyKeysAreReadInLinearTime() {
        let text = "{" + (0..<200_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        let started = ContinuousClock.now
        guard case .object(let members)? = JSON.parse(text) else {
            Issue.record("not parsed")
            return
        }
        #expect(members.count == 200_000)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    // MARK: The session

    @Test(arguments: [
        #"{"conversation":"x1","from":"robot","text":"halo"}"#,
        #"{"conversation":"x2","from":"officer","kind":"dance","text":"halo"}"#,
        #"{"conversation":"x3","from":"citizen","text":"halo","honorific":"Tuan"}"#,
        #"{"conversation":"x4","from":"citizen","text":"halo","time":"kemarin"}"#,
        #"{"conversation":"x5","from":"officer","text":""}"#,
    ])
    func aRefusedLineLeavesNoConversation(line: String) {
        var session = EngineSession(engine: engine)
        #expect(session.handle(line: line, now: now).hasPrefix(#"{"error":"line 1: "#))
        #expect(session.conversations.isEmpty)
    }

    @Test(arguments: ["Tuan", "mas", "Pak", "Bu", "Mbak", "sir"])
    func theHonorificFieldTakesOnlyBapakOrIbu(word: String) {
        var session = EngineSession(engine: engine)
        let output = session.handle(line: #"{"conversation":"c","from":"citizen","text":"halo","honorific":"\#(word)"}"#, now: now)
        #expect(output.contains(#"field \"honorific\" must be \"Bapak\" or \"Ibu\""#), "\(word): \(output)")
    }

    @Test func anEmptyOfficerLineCannotHandOverAReceipt() {
        var session = EngineSession(engine: engine)
        _ = session.handle(line: #"{"conversation":"c","from":"citizen","text":"mau urus nib"}"#, now: now)
        let output = session.handle(line: #"{"conversation":"c","from":"officer","kind":"receipt","text":""}"#, now: now)
        #expect(output == #"{"error":"line 2: field \"text\" must not be empty"}"#)
        #expect(session.conversations["c"]?.stage == .serviceRequested)
    }

    @Test func idleConversationsAreForgotten() {
        var session = EngineSession(engine: engine, retention: .init(idleSeconds: 3600, maximumConversations: 100))
        _ = session.handle(line: #"{"conversation":"old","from":"citizen","text":"mau urus nib"}"#, now: now)
        _ = session.handle(line: #"{"conversation":"recent","from":"citizen","text":"halo"}"#, now: now.addingTimeInterval(1800))
        #expect(Set(session.conversations.keys) == ["old", "recent"])
        _ = session.handle(line: #"{"conversation":"new","from":"citizen","text":"halo"}"#, now: now.addingTimeInterval(3700))
        #expect(Set(session.conversations.keys) == ["recent", "new"])
        // A forgotten conversation starts again from the greeting.
        let again = session.handle(line: #"{"conversation":"old","from":"citizen","text":"berapa biayanya?"}"#, now: now.addingTimeInterval(3700))
        #expect(!again.contains(#""service":"nib""#))
    }

    @Test func theLongestIdleGoFirstPastTheCap() {
        var session = EngineSession(engine: engine, retention: .init(idleSeconds: 86_400, maximumConversations: 10))
        for number in 0..<10 {
            _ = session.handle(
                line: #"{"conversation":"c\#(number)","from":"citizen","text":"halo"}"#, now: now.addingTimeInterval(Double(number)))
        }
        #expect(session.conversations.count == 10)
        // The eleventh passes the cap: the longest idle go, down to nine tenths of it, and the newest stays.
        _ = session.handle(line: #"{"conversation":"c10","from":"citizen","text":"halo"}"#, now: now.addingTimeInterval(20))
        #expect(Set(session.conversations.keys) == Set((2...10).map { "c\($0)" }))
    }
}
