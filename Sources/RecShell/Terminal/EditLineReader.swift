import CEditLine
import Foundation

/// Line editing on libedit's native histedit API (not its readline
/// emulation: histedit gives us EL_CLIENTDATA, named editor functions and
/// per-mode tty flags, which the emulation hides).
///
/// - History: kept in memory and in `historyPath` across runs.
/// - Tab: calls `completer` with the text before the cursor.
/// - Ctrl-C at the prompt: the edit-mode tty has ISIG off, so ^C is a key
///   bound to `recsh-interrupt`, which discards the line.
/// - Ctrl-D on an empty line: end of input.
public final class EditLineReader: LineReader {
    private let editor: OpaquePointer
    private let history: OpaquePointer
    private let historyPath: String
    /// Text before the cursor -> completion; set by the shell.
    public var completer: (String) -> Completer.Completion = { _ in Completer.Completion(word: "", candidates: []) }
    private var interruptedLine = false

    public init?(historyPath: String, historySize: Int32 = 1000) {
        recsh_set_ctype_locale()
        guard let el = recsh_el_init(CommandLine.arguments.first ?? "recsh") else { return nil }
        guard let h = history_init() else {
            el_end(el)
            return nil
        }
        editor = el
        history = h
        self.historyPath = historyPath
        recsh_history_setsize(h, historySize)
        recsh_history_setunique(h, 1)
        _ = recsh_history_load(h, historyPath)
        recsh_el_set_editor_emacs(el)
        recsh_el_set_prompt(el)
        recsh_el_set_history(el, h)
        recsh_el_set_signal(el, 1)
        recsh_el_set_tty_edit_noisig(el)
        recsh_el_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        recsh_el_add_function(el, "recsh-complete", "complete a command, option or value", { el, _ in
            guard let el, let me = EditLineReader.from(el) else { return UInt8(CC_ERROR) }
            return me.completeAtCursor()
        })
        recsh_el_add_function(el, "recsh-interrupt", "discard the line (Ctrl-C)", { el, _ in
            guard let el, let me = EditLineReader.from(el) else { return UInt8(CC_ERROR) }
            me.interruptedLine = true
            FileHandle.standardOutput.write(Data("^C".utf8))
            return UInt8(CC_NEWLINE)
        })
        recsh_el_bind(el, "^I", "recsh-complete")
        recsh_el_bind(el, "^C", "recsh-interrupt")
        recsh_el_source_default(el)
    }

    private static func from(_ el: OpaquePointer) -> EditLineReader? {
        guard let raw = recsh_el_get_clientdata(el) else { return nil }
        return Unmanaged<EditLineReader>.fromOpaque(raw).takeUnretainedValue()
    }

    public func readLine(prompt: String) -> LineEvent {
        recsh_set_prompt_text(prompt)
        interruptedLine = false
        recsh_clear_interrupt()
        var count: Int32 = 0
        var cLine: UnsafePointer<CChar>?
        while true {
            errno = 0
            cLine = el_gets(editor, &count)
            if cLine != nil { break }
            // A SIGINT that still reached us (e.g. sent with kill) discards the line.
            if recsh_interrupted() != 0 {
                recsh_clear_interrupt()
                FileHandle.standardOutput.write(Data("\n".utf8))
                return .interrupted
            }
            // Another signal interrupted the read: keep editing.
            if errno == EINTR { continue }
            return .endOfInput
        }
        if interruptedLine {
            FileHandle.standardOutput.write(Data("\n".utf8))
            return .interrupted
        }
        var line = String(cString: cLine!)
        while line.hasSuffix("\n") || line.hasSuffix("\r") { line.removeLast() }
        return .line(line)
    }

    public func remember(_ line: String) {
        recsh_history_enter(history, line)
        // Saved after each line, so a killed shell keeps its history.
        recsh_history_save(history, historyPath)
    }

    public func close() {
        recsh_history_save(history, historyPath)
        el_end(editor)
        history_end(history)
    }

    /// Tab: one match is inserted (with a space unless it ends in = or /),
    /// several extend the word to their common prefix or are listed.
    private func completeAtCursor() -> UInt8 {
        guard let info = el_line(editor)?.pointee, let start = info.buffer else { return UInt8(CC_ERROR) }
        let length = info.cursor - start
        let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(start), count: length)
        let text = String(decoding: bytes, as: UTF8.self)
        let completion = completer(text)
        guard !completion.candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
        let replacement: String
        if completion.candidates.count == 1 {
            let only = completion.candidates[0]
            replacement = only + (only.hasSuffix("=") || only.hasSuffix("/") ? "" : " ")
        } else {
            replacement = completion.commonPrefix
        }
        if replacement.count > completion.word.count || (completion.candidates.count == 1 && replacement != completion.word) {
            el_deletestr(editor, Int32(completion.word.count))
            el_insertstr(editor, replacement)
            return UInt8(CC_REFRESH)
        }
        // Nothing to add: list the choices under the line.
        let shown = completion.candidates.prefix(60)
        let width = (shown.map(\.count).max() ?? 0) + 2
        let perRow = max(1, 78 / width)
        var out = "\n"
        for (i, c) in shown.enumerated() {
            out += c.padded(to: width, right: false)
            if (i + 1) % perRow == 0 { out += "\n" }
        }
        if shown.count % perRow != 0 { out += "\n" }
        if completion.candidates.count > shown.count { out += "... \(completion.candidates.count - shown.count) more\n" }
        FileHandle.standardOutput.write(Data(out.utf8))
        return UInt8(CC_REDISPLAY)
    }
}
