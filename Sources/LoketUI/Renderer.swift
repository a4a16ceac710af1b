import Foundation
import LoketCore

/// What a cell shows, named the way themes refer to it; themes give each a colour.
public enum Role: String, CaseIterable, Sendable {
    case text = "text"
    case border = "border"
    case title = "title"
    case queueSelected = "queue.selected"
    case queueWarn = "queue.sla_warn"
    case queueBreach = "queue.sla_breach"
    case queuePriority = "queue.priority"
    case queueUnread = "queue.unread"
    case chatTime = "chat.time"
    case chatCitizen = "chat.citizen"
    case chatOfficer = "chat.officer"
    case chatSystem = "chat.system"
    case chatTyping = "chat.typing"
    case chatNew = "chat.new"
    case chatCoach = "chat.coach"
    case suggestion = "suggestion"
    case suggestionSelected = "suggestion.selected"
    case suggestionNumber = "suggestion.number"
    case input = "input"
    case status = "status"
    case statusAlert = "status.alert"
    case help = "help"
}

/// A drawn frame: the cells and where the terminal cursor goes (the input line's insertion point).
public struct Frame: Sendable, Equatable {
    public var buffer: CellBuffer
    public var cursor: (x: Int, y: Int)?

    public static func == (lhs: Frame, rhs: Frame) -> Bool {
        lhs.buffer == rhs.buffer && lhs.cursor?.x == rhs.cursor?.x && lhs.cursor?.y == rhs.cursor?.y
    }
}

/// Draws the counter screen from the app state. Pure; its cost follows the screen size, not the length of the
/// queue or of a transcript.
public struct Renderer: Sendable {
    public static let minimumWidth = 60
    public static let minimumHeight = 16
    /// The input line grows to this many rows for long drafts.
    public static let maximumInputRows = 3

    let calendar: OfficeCalendar

    public init(calendar: OfficeCalendar) {
        self.calendar = calendar
    }

    public func render(_ state: AppState) -> Frame {
        var buffer = CellBuffer(width: state.width, height: state.height)
        guard state.width >= Self.minimumWidth, state.height >= Self.minimumHeight else {
            drawTooSmall(into: &buffer)
            return Frame(buffer: buffer, cursor: nil)
        }
        let width = state.width
        let height = state.height
        let inputLayout = layoutInput(state.input, width: width - 2)
        let inputRows = min(max(inputLayout.lines.count, 1), Self.maximumInputRows)
        let statusY = height - 1
        let inputY = statusY - inputRows
        let suggestionY = inputY - 1
        let paneHeight = suggestionY
        let queueWidth = min(max(width / 4, 22), 32)

        drawQueue(state, into: &buffer, x: 0, width: queueWidth, height: paneHeight)
        drawChat(state, into: &buffer, x: queueWidth, width: width - queueWidth, height: paneHeight)
        drawSuggestions(state, into: &buffer, y: suggestionY, width: width)
        let cursor = drawInput(inputLayout, of: state.input, into: &buffer, y: inputY, rows: inputRows, width: width)
        drawStatus(state, into: &buffer, y: statusY, width: width)
        if state.showHelp { drawHelp(into: &buffer) }
        return Frame(buffer: buffer, cursor: state.showHelp ? nil : cursor)
    }

    /// The end-of-shift report as a full screen of text, from line `first` on.
    public func renderReport(_ text: String, width: Int, height: Int, first: Int = 0) -> Frame {
        var buffer = CellBuffer(width: width, height: height)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { WordWrap.lines(String($0), width: max(width - 2, 1)) }
        for (row, line) in lines.dropFirst(first).prefix(max(height - 1, 0)).enumerated() {
            let isTitle = line.hasPrefix("#") || (row == 0 && first == 0)
            let style = isTitle ? CellStyle(role: Role.title, bold: true) : CellStyle(role: Role.text)
            buffer.write(line, x: 1, y: row, style: style)
        }
        buffer.fill(" ", count: width, x: 0, y: height - 1, style: CellStyle(role: Role.status))
        buffer.write(WordWrap.truncate(" " + Catalogue.Report.closeHint, width: width), x: 0, y: height - 1, style: CellStyle(role: Role.status))
        return Frame(buffer: buffer, cursor: nil)
    }

    // MARK: Panes

    private func drawTooSmall(into buffer: inout CellBuffer) {
        let lines = [Catalogue.Screen.tooSmall, Catalogue.Screen.minimumSize(Self.minimumWidth, Self.minimumHeight)]
        for (offset, line) in lines.enumerated() {
            let y = buffer.height / 2 - 1 + offset
            let x = max(0, (buffer.width - DisplayWidth.of(line)) / 2)
            buffer.write(WordWrap.truncate(line, width: buffer.width), x: x, y: y, style: CellStyle(role: Role.statusAlert, bold: true))
        }
    }

    private func drawBox(_ title: String, into buffer: inout CellBuffer, x: Int, width: Int, height: Int) {
        let border = CellStyle(role: Role.border)
        guard width >= 2, height >= 2 else { return }
        buffer.fill("┌", count: 1, x: x, y: 0, style: border)
        buffer.fill("─", count: width - 2, x: x + 1, y: 0, style: border)
        buffer.fill("┐", count: 1, x: x + width - 1, y: 0, style: border)
        for row in 1..<(height - 1) {
            buffer.fill("│", count: 1, x: x, y: row, style: border)
            buffer.fill("│", count: 1, x: x + width - 1, y: row, style: border)
        }
        buffer.fill("└", count: 1, x: x, y: height - 1, style: border)
        buffer.fill("─", count: width - 2, x: x + 1, y: height - 1, style: border)
        buffer.fill("┘", count: 1, x: x + width - 1, y: height - 1, style: border)
        let label = WordWrap.truncate(" \(title) ", width: width - 4)
        buffer.write(label, x: x + 1, y: 0, style: CellStyle(role: Role.title, bold: true))
    }

    private func drawQueue(_ state: AppState, into buffer: inout CellBuffer, x: Int, width: Int, height: Int) {
        drawBox("\(Catalogue.Screen.queueTitle) (\(state.order.count))", into: &buffer, x: x, width: width, height: height)
        // Two rows a citizen: name, marks and wait; then service and stage.
        let slots = (height - 2) / 2
        guard slots > 0 else { return }
        // Scroll so the selected citizen stays visible; only the visible slice is read.
        let selectedPosition = state.selected.flatMap { state.order.firstIndex(of: $0) } ?? 0
        let first = max(0, min(selectedPosition - slots / 2, state.order.count - slots))
        let inner = width - 2
        for slot in 0..<min(slots, state.order.count - first) {
            let index = state.order[first + slot]
            let chat = state.chats[index]
            let isSelected = index == state.selected
            let waited = state.waited(chat)
            let wait = chat.waitingSince == nil ? "" : Self.formatWait(waited)
            let marks = (chat.priority ? "!" : "") + (chat.unread > 0 ? "•\(chat.unread)" : "")
            let rightWidth = 6 + (marks.isEmpty ? 0 : DisplayWidth.of(marks) + 1)
            let nameWidth = inner - 2 - rightWidth
            let base = isSelected ? CellStyle(role: Role.queueSelected, bold: true) : CellStyle(role: Role.text)
            let y = 1 + slot * 2
            buffer.fill(" ", count: inner, x: x + 1, y: y, style: base)
            buffer.write(isSelected ? "▶ " : "  ", x: x + 1, y: y, style: base)
            buffer.write(WordWrap.pad(chat.displayName, width: nameWidth), x: x + 3, y: y, style: base)
            if !marks.isEmpty {
                let markStyle = isSelected ? base : CellStyle(role: chat.priority ? Role.queuePriority : Role.queueUnread, bold: true)
                buffer.write(" " + marks, x: x + 3 + nameWidth, y: y, style: markStyle)
            }
            let waitStyle: CellStyle = switch state.thresholds.level(waited) {
            case .normal: base
            case .warning: CellStyle(role: Role.queueWarn, bold: true, reverse: isSelected)
            case .breach, .overLimit: CellStyle(role: Role.queueBreach, bold: true, reverse: isSelected)
            }
            buffer.write(wait.leftPadded(6), x: x + 1 + inner - 6, y: y, style: waitStyle)
            let stage = Catalogue.stage(chat.conversation.stage)
            let detail = chat.conversation.serviceID.map { "\($0.replacingOccurrences(of: "_", with: " ")) · \(stage)" } ?? stage
            var detailX = x + 3
            if let until = chat.replyUntil {
                // WhatsApp chats carry their reply window, so a closing one is seen without opening it.
                let remaining = until.timeIntervalSince(state.now)
                let mark = Catalogue.Screen.whatsAppQueueMark(remaining) + " "
                let role = remaining <= 0 ? Role.queueBreach : remaining <= 3600 ? Role.queueWarn : Role.chatTime
                let markStyle = CellStyle(role: role, bold: remaining <= 3600)
                buffer.write(WordWrap.truncate(mark, width: inner - 3), x: detailX, y: y + 1, style: markStyle)
                detailX += DisplayWidth.of(mark)
            }
            let detailWidth = inner - 3 - (detailX - x - 3)
            if detailWidth > 0 {
                let detailStyle = CellStyle(role: Role.chatTime)
                buffer.write(WordWrap.truncate(detail, width: detailWidth), x: detailX, y: y + 1, style: detailStyle)
            }
        }
    }

    /// "02:15" under an hour, "1j05" (hours and minutes) from an hour on.
    public static func formatWait(_ seconds: TimeInterval) -> String {
        let total = Int(seconds)
        if total < 3600 { return "\(twoDigits(total / 60)):\(twoDigits(total % 60))" }
        let hours = min(total / 3600, 99)
        return "\(hours)j\(twoDigits(total / 60 % 60))"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private func clock(_ date: Date) -> String {
        let local = calendar.localTime(date)
        return "\(Self.twoDigits(local.hour)):\(Self.twoDigits(local.minute))"
    }

    private func drawChat(_ state: AppState, into buffer: inout CellBuffer, x: Int, width: Int, height: Int) {
        guard let chat = state.selectedChat else {
            drawBox(Catalogue.Screen.queueTitle, into: &buffer, x: x, width: width, height: height)
            buffer.write(WordWrap.truncate(Catalogue.Screen.noConversation, width: width - 4), x: x + 2, y: 1,
                         style: CellStyle(role: Role.chatSystem))
            return
        }
        let conversation = chat.conversation
        var titleParts = [chat.displayName]
        if let service = conversation.serviceID { titleParts.append(service.replacingOccurrences(of: "_", with: " ")) }
        titleParts.append(Catalogue.stage(conversation.stage))
        if let intent = conversation.lastUnderstanding?.intent { titleParts.append(Catalogue.Screen.intentLabel(Catalogue.intent(intent))) }
        if let officer = chat.assignedTo { titleParts.append(Catalogue.Screen.handledBy(officer)) }
        drawBox(titleParts.joined(separator: " · "), into: &buffer, x: x, width: width, height: height)

        let inner = width - 2
        let rows = height - 2
        guard rows > 0, inner > 10 else { return }
        let authorWidth = 8
        let prefixWidth = 5 + 1 + authorWidth + 1
        let textWidth = inner - prefixWidth - 1
        // The whole name, cut at the author column: "Mr.", "H." or "drg." alone would not say who wrote.
        let citizenLabel = chat.displayName

        // Lines at the bottom that are not messages: typing indicator, new-message marker.
        var footer: [(String, CellStyle)] = []
        if let until = chat.typingUntil, until > state.now {
            footer.append(("\(citizenLabel) \(Catalogue.Screen.typing)", CellStyle(role: Role.chatTyping)))
        }
        if chat.scrollBack > 0 && chat.newWhileScrolled {
            footer.append((Catalogue.Screen.newMessages, CellStyle(role: Role.chatNew, bold: true)))
        }
        if let until = chat.replyUntil, chat.status == .active {
            // WhatsApp allows free-form replies for 24 hours after the citizen wrote: the last hour is a warning.
            let remaining = until.timeIntervalSince(state.now)
            if remaining <= 0 {
                footer.append((Catalogue.Screen.whatsAppWindowOver, CellStyle(role: Role.statusAlert, bold: true)))
            } else {
                let urgent = remaining <= 3600
                footer.append((
                    Catalogue.Screen.whatsAppWindow(remaining),
                    CellStyle(role: urgent ? Role.statusAlert : Role.chatSystem, bold: urgent)))
            }
        }
        let messageRows = max(rows - footer.count, 0)

        // Walk back from the newest message, wrapping only what can be seen.
        var lines: [(prefix: String, text: String, role: Role, labelRole: Role)] = []
        let needed = messageRows + chat.scrollBack
        var index = chat.messages.count - 1
        while index >= 0, lines.count < needed {
            let message = chat.messages[index]
            let (author, role): (String, Role) = switch message.author {
            case .citizen: (citizenLabel, Role.chatCitizen)
            case .officer:
                (message.pending
                    ? Catalogue.Screen.youPending
                    : message.delivery.map(Catalogue.Screen.youWithDelivery) ?? Catalogue.Screen.you, Role.chatOfficer)
            case .system: (Catalogue.Screen.system, Role.chatSystem)
            case .coach: (Catalogue.Screen.coach, Role.chatCoach)
            }
            let wrapped = WordWrap.lines(message.text, width: textWidth)
            // A reply the citizen has read stands out; one that failed carries the alert colour.
            let labelRole: Role = switch message.delivery {
            case .read?: Role.chatNew
            case .failed?: Role.statusAlert
            default: role
            }
            var block: [(String, String, Role, Role)] = []
            for (number, line) in wrapped.enumerated() {
                let prefix = number == 0
                    ? "\(clock(message.time)) \(WordWrap.pad(author, width: authorWidth)) "
                    : String(repeating: " ", count: prefixWidth)
                block.append((prefix, line, role, labelRole))
            }
            lines.insert(contentsOf: block, at: 0)
            index -= 1
        }
        let end = max(lines.count - chat.scrollBack, min(lines.count, messageRows))
        let start = max(0, end - messageRows)
        for (row, line) in lines[start..<end].enumerated() {
            let y = 1 + row
            buffer.write(String(line.prefix.prefix(5)), x: x + 1, y: y, style: CellStyle(role: Role.chatTime))
            let labelStyle = CellStyle(role: line.labelRole, bold: true)
            buffer.write(String(line.prefix.dropFirst(5)), x: x + 6, y: y, style: labelStyle)
            buffer.write(line.text, x: x + 1 + prefixWidth, y: y, style: CellStyle(role: line.role), maxX: x + width - 1)
        }
        for (offset, item) in footer.enumerated() {
            buffer.write(WordWrap.truncate(item.0, width: inner - 1), x: x + 2, y: 1 + messageRows + offset, style: item.1)
        }
    }

    private func drawSuggestions(_ state: AppState, into buffer: inout CellBuffer, y: Int, width: Int) {
        let base = CellStyle(role: Role.suggestion)
        buffer.fill(" ", count: width, x: 0, y: y, style: base)
        let stage = state.selectedChat.map { Catalogue.stage($0.conversation.stage) } ?? ""
        let label = " \(Catalogue.Screen.suggestions)\(stage.isEmpty ? "" : " · \(stage)") ▸ "
        var column = buffer.write(label, x: 0, y: y, style: CellStyle(role: Role.suggestion, bold: true))
        if state.hideSuggestions {
            buffer.write(WordWrap.truncate(Catalogue.Screen.suggestionsHidden, width: width - column), x: column, y: y, style: base)
            return
        }
        if state.suggestions.isEmpty {
            buffer.write(WordWrap.truncate(Catalogue.Screen.noSuggestions, width: width - column), x: column, y: y, style: base)
            return
        }
        if state.showWhy {
            let chosen = state.suggestionIndex ?? 0
            let suggestion = state.suggestions[min(chosen, state.suggestions.count - 1)]
            let text = "\(Catalogue.Screen.why) \(min(chosen, state.suggestions.count - 1) + 1): \(suggestion.why)"
            buffer.write(WordWrap.truncate(text, width: width - column), x: column, y: y, style: CellStyle(role: Role.suggestionSelected))
            return
        }
        let count = state.suggestions.count
        let each = max((width - column) / count, 6)
        for (index, suggestion) in state.suggestions.enumerated() where column < width - 4 {
            let selected = index == state.suggestionIndex
            let number = "\(index + 1) "
            column = buffer.write(number, x: column, y: y, style: CellStyle(role: Role.suggestionNumber, bold: true))
            let room = min(each - DisplayWidth.of(number) - 1, width - column)
            let style = selected ? CellStyle(role: Role.suggestionSelected, reverse: true) : base
            column = buffer.write(WordWrap.truncate(suggestion.text, width: room), x: column, y: y, style: style)
            column += 1
        }
    }

    /// The input text wrapped at spaces to the line width (long words are cut), and where the cursor falls.
    /// Lines hold character indices; only the rows drawn become text, so a long draft costs one pass per frame.
    private func layoutInput(_ input: InputLine, width: Int) -> (lines: [[Int]], cursorLine: Int, cursorColumn: Int) {
        // Lines of character indices, so the cursor can be found after words have moved down.
        var lines: [[Int]] = [[]]
        var lineWidth = 0
        let widths = input.characters.map { DisplayWidth.of($0) }
        for (index, character) in input.characters.enumerated() {
            if lineWidth + widths[index] > width {
                var carried: [Int] = []
                if !character.isWhitespace, let space = lines[lines.count - 1].lastIndex(where: { input.characters[$0].isWhitespace }),
                    space + 1 < lines[lines.count - 1].count
                {
                    carried = Array(lines[lines.count - 1][(space + 1)...])
                    lines[lines.count - 1].removeSubrange((space + 1)...)
                }
                lines.append(carried)
                lineWidth = carried.reduce(0) { $0 + widths[$1] }
            }
            lines[lines.count - 1].append(index)
            lineWidth += widths[index]
        }
        var cursor = (line: lines.count - 1, column: lineWidth)
        if let line = lines.firstIndex(where: { $0.contains(input.cursor) }) {
            let before = lines[line].prefix { $0 < input.cursor }
            cursor = (line, before.reduce(0) { $0 + widths[$1] })
        } else if lineWidth >= width {
            lines.append([])
            cursor = (lines.count - 1, 0)
        }
        return (lines, cursor.line, cursor.column)
    }

    private func drawInput(
        _ layout: (lines: [[Int]], cursorLine: Int, cursorColumn: Int), of input: InputLine, into buffer: inout CellBuffer,
        y: Int, rows: Int, width: Int
    ) -> (x: Int, y: Int) {
        let style = CellStyle(role: Role.input)
        // Longer drafts show the rows around the cursor.
        let first = max(0, min(layout.cursorLine - rows + 1, layout.lines.count - rows))
        for row in 0..<rows {
            buffer.fill(" ", count: width, x: 0, y: y + row, style: style)
            buffer.write(row == 0 && first == 0 ? "> " : "  ", x: 0, y: y + row, style: CellStyle(role: Role.input, bold: true))
            let lineIndex = first + row
            if lineIndex < layout.lines.count {
                buffer.write(String(layout.lines[lineIndex].map { input.characters[$0] }), x: 2, y: y + row, style: style)
            }
        }
        return (2 + layout.cursorColumn, y + layout.cursorLine - first)
    }

    private func drawStatus(_ state: AppState, into buffer: inout CellBuffer, y: Int, width: Int) {
        if state.confirmingQuit {
            let style = CellStyle(role: Role.statusAlert, bold: true)
            buffer.fill(" ", count: width, x: 0, y: y, style: style)
            buffer.write(WordWrap.truncate(" " + Catalogue.Screen.confirmQuit, width: width), x: 0, y: y, style: style)
            return
        }
        let style = CellStyle(role: Role.status)
        buffer.fill(" ", count: width, x: 0, y: y, style: style)
        // A lost hub connection outranks everything else in the bar: the officer must know replies are queued.
        if let problem = state.connectionProblem {
            let alert = CellStyle(role: Role.statusAlert, bold: true)
            buffer.fill(" ", count: width, x: 0, y: y, style: alert)
            buffer.write(WordWrap.truncate(" \(problem)", width: width), x: 0, y: y, style: alert)
            return
        }
        // The coach's verdict on the reply just sent, or a notice, takes the bar for a few seconds.
        if let flash = state.coachFlash, state.now < flash.until {
            buffer.write(WordWrap.truncate(" \(flash.text)", width: width), x: 0, y: y, style: CellStyle(role: Role.chatCoach, bold: true))
            return
        }
        if let notice = state.notice, state.now < notice.until {
            let alert = CellStyle(role: Role.statusAlert, bold: true)
            buffer.fill(" ", count: width, x: 0, y: y, style: alert)
            buffer.write(WordWrap.truncate(" \(notice.text)", width: width), x: 0, y: y, style: alert)
            return
        }
        let time = "\(clock(state.now)) \(calendar.zoneAbbreviation(at: state.now)) "
        let keysWidth = DisplayWidth.of(Catalogue.Screen.statusKeys) + 2
        var right = "\(Catalogue.Screen.counts(waiting: state.waitingCount, active: state.activeCount, done: state.doneCount)) · \(time)"
        // On narrower screens the keys stay whole and the counts shrink to the one that matters most.
        if keysWidth + DisplayWidth.of(right) > width {
            right = "\(Catalogue.Screen.waitingOnly(state.waitingCount)) · \(time)"
        }
        let rightWidth = DisplayWidth.of(right)
        buffer.write(WordWrap.truncate(" " + Catalogue.Screen.statusKeys, width: max(width - rightWidth - 1, 0)), x: 0, y: y, style: style)
        buffer.write(right, x: max(width - rightWidth, 0), y: y, style: style)
    }

    private func drawHelp(into buffer: inout CellBuffer) {
        let entries = Catalogue.Screen.help
        let keyWidth = entries.map { DisplayWidth.of($0.key) }.max() ?? 0
        let lines = entries.map { WordWrap.pad($0.key, width: keyWidth) + "  " + $0.action } + ["", Catalogue.Screen.helpFooter]
        let contentWidth = min((lines.map { DisplayWidth.of($0) }.max() ?? 0), buffer.width - 6)
        let boxWidth = contentWidth + 4
        let boxHeight = min(lines.count + 2, buffer.height - 2)
        let left = (buffer.width - boxWidth) / 2
        let top = (buffer.height - boxHeight) / 2
        let style = CellStyle(role: Role.help)
        for row in 0..<boxHeight {
            let y = top + row
            let edge = row == 0 ? ("┌", "─", "┐") : row == boxHeight - 1 ? ("└", "─", "┘") : ("│", " ", "│")
            buffer.write(edge.0 + String(repeating: edge.1, count: boxWidth - 2) + edge.2, x: left, y: y, style: style)
        }
        buffer.write(" \(Catalogue.Screen.helpTitle) ", x: left + 2, y: top, style: CellStyle(role: Role.help, bold: true))
        for (row, line) in lines.prefix(boxHeight - 2).enumerated() {
            buffer.write(WordWrap.truncate(line, width: contentWidth), x: left + 2, y: top + 1 + row, style: style)
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        let columns = DisplayWidth.of(self)
        return columns >= width ? self : String(repeating: " ", count: width - columns) + self
    }
}
