import Testing

@testable import LoketUI

@Suite("Cell buffer")
struct CellBufferTests {
    @Test func writesAndClipsText() {
        var buffer = CellBuffer(width: 10, height: 2)
        let end = buffer.write("Antrian (4) panjang", x: 1, y: 0)
        #expect(end == 10)
        buffer.write("ok", x: 0, y: 1, maxX: 1)
        #expect(buffer.lines == [" Antrian (", "o         "])
    }

    @Test func wideCharactersTakeTwoColumnsAndNeverStraddleTheEdge() {
        var buffer = CellBuffer(width: 6, height: 2)
        buffer.write("a🙏b", x: 0, y: 0)
        buffer.write("xyz🙏", x: 0, y: 1)
        #expect(buffer.lines == ["a🙏b  ", "xyz🙏 "])
        var edge = CellBuffer(width: 4, height: 1)
        edge.write("abc🙏", x: 0, y: 0)
        #expect(edge.lines == ["abc "], "a wide character that does not fit becomes a space")
        #expect(edge[3, 0].isContinuation == false)
    }

    @Test func overwritingHalfAWideCharacterClearsTheOtherHalf() {
        var buffer = CellBuffer(width: 4, height: 1)
        buffer.write("漢字", x: 0, y: 0)
        buffer.write("x", x: 1, y: 0)
        #expect(buffer.lines == [" x字"])
    }

    @Test func stylesAreKeptPerCell() {
        var buffer = CellBuffer(width: 4, height: 1)
        buffer.write("ab", x: 1, y: 0, style: CellStyle(role: .chatCitizen, bold: true))
        #expect(buffer[0, 0].style == .plain)
        #expect(buffer[1, 0].style.role == .chatCitizen)
        #expect(buffer[2, 0].style.bold)
    }

    @Test(arguments: [("a", 1), ("é", 1), ("e\u{301}", 1), ("漢", 2), ("🙏", 2), ("👍🏽", 2), ("❤️", 2), ("\u{7}", 0)])
    func displayWidths(text: String, width: Int) {
        #expect(DisplayWidth.of(text) == width)
    }
}
