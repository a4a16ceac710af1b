import Foundation
import LoketCore
import Testing

@testable import LoketUI

@Suite("Counter screen under stress")
struct ScreenHardeningTests {
    /// `--theme nosuch` was only mentioned after the screen closed; the officer now reads it at once.
    @Test func aThemeNoticeTakesTheStatusBarAtOnceAndThenGoes() throws {
        var screen = try ScreenFixture(width: 100, height: 20)
        screen.state.announce(Catalogue.Terminal.themeFallbackShort("nosuch"), for: 10)
        #expect(screen.lines[19].hasPrefix(" Tema 'nosuch' tidak dapat dipakai; memakai tema default."))
        let statusCell = screen.frame.buffer[1, 19]
        #expect(statusCell.style.role == Role.statusAlert)
        screen.advance(11)
        #expect(screen.lines[19].hasPrefix(" F1 Bantuan"))
    }

    /// A 20,000-character paste froze the screen for 63 s: every key copied and re-split the whole draft. Each key
    /// now costs the same however long the draft is; the bound is far above what that needs.
    @Test func aLongPasteIsTypedInLinearTime() throws {
        var screen = try ScreenFixture(width: 100, height: 20)
        screen.arrive("Ani")
        let paste = String(repeating: "mohon dibantu é 😀 ", count: 1_100)
        let started = ContinuousClock.now
        screen.type(paste)
        let typed = ContinuousClock.now - started
        #expect(screen.state.input.text == paste)
        #expect(screen.state.input.cursor == Array(paste).count)
        #expect(typed < .seconds(10))
        // The frame after the paste shows the end of the draft with the cursor on it.
        let frame = screen.frame
        #expect(frame.cursor != nil)
    }
}
