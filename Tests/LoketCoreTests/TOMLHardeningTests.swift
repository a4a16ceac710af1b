import Foundation
import Testing

@testable import LoketCore

/// The TOML reader against files meant to hurt it: deep nesting, huge tables, numbers out of range.
@Suite("TOML hardening")
struct TOMLHardeningTests {
    private func syntaxError(_ text: String) -> TOMLSyntaxError? {
        do {
            _ = try TOMLParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    /// Each of these overflowed the stack (SIGSEGV) at 20,000 levels; now each is refused at its line.
    @Test(arguments: [
        "a = " + String(repeating: "[", count: 20_000),
        "a = " + String(repeating: "{ b = ", count: 20_000),
        "a" + String(repeating: ".b", count: 20_000) + " = 1",
        "[a" + String(repeating: ".b", count: 20_000) + "]",
        "[[a" + String(repeating: ".b", count: 20_000) + "]]",
    ])
    func deepNestingIsRefusedWithItsLine(nested: String) {
        let error = syntaxError("ok = 1\n" + nested)
        #expect(error?.line == 2)
        #expect(error?.message.contains("nested deeper than 64 levels") == true, "\(String(describing: error))")
    }

    @Test func nestingWithinTheCapIsRead() throws {
        let root = try TOMLParser.parse("a = " + String(repeating: "[", count: 60) + String(repeating: "]", count: 60))
        #expect(root["a"]?.array != nil)
    }

    @Test func aDeepScriptNamesItsFileAndLine() {
        #expect {
            try ScriptLoader.parse("x = 1\ny = " + String(repeating: "[", count: 5_000), source: "kantor.toml")
        } throws: { error in
            (error as? DataFileError)?.description.hasPrefix("kantor.toml:2: TOML syntax error: nested deeper") == true
        }
    }

    @Test(arguments: ["99999999999999999999", "-99999999999999999999", "+9223372036854775808"])
    func anIntegerOutOfRangeSaysSo(number: String) {
        let error = syntaxError("n = \(number)")
        #expect(error?.message == "integer '\(number)' is out of range (-9223372036854775808 to 9223372036854775807)")
    }

    /// Were quadratic: every key copied the table it went into (40,000 keys took 23 s), and every `[[x]]` walked
    /// all earlier elements. The bounds are far above what the linear reader needs.
    @Test func manyKeysAndManyArrayTablesAreReadInLinearTime() throws {
        let keys = "[t]\n" + (0..<100_000).map { "k\($0) = \($0)" }.joined(separator: "\n")
        let tables = (0..<40_000).map { "[[x]]\na = \($0)" }.joined(separator: "\n")
        let started = ContinuousClock.now
        let root = try TOMLParser.parse(keys)
        #expect(root["t"]?.table?.keys.count == 100_000)
        #expect(root["t"]?.table?["k99999"]?.line == 100_001)
        let arrays = try TOMLParser.parse(tables)
        #expect(arrays["x"]?.array?.count == 40_000)
        #expect(arrays["x"]?.array?.last?.table?["a"]?.integer == 39_999)
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func anArrayValueStillCannotBeExtendedAsATableArray() {
        #expect(syntaxError("x = [{ a = 1 }]\n[[x]]")?.message.contains("not an array of tables") == true)
        #expect(syntaxError("x = []\n[[x]]")?.message.contains("not an array of tables") == true)
    }
}
