import Foundation
import GraphRec
import Synchronization

/// A one-line progress bar on stderr, redrawn at most ten times a second.
/// It implements `RunControl.report`; the shell enables it only when stderr
/// is a terminal and --quiet is off.
public final class ProgressBar: Sendable {
    private struct State {
        var lastDraw: Double = 0
        var visible = false
    }
    private let state = Mutex(State())
    private let width: Int
    private let interval: Double

    public init(width: Int = 30, interval: Double = 0.1) {
        self.width = width
        self.interval = interval
    }

    /// The bar as text, e.g. "train [#######.......] 7/15 loss 0.41".
    public static func line(_ update: ProgressUpdate, width: Int) -> String {
        let fraction = update.total > 0 ? min(1, max(0, Double(update.done) / Double(update.total))) : 0
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let detail = update.detail.isEmpty ? "" : " " + update.detail
        return "\(update.label) \(bar) \(update.done)/\(update.total)\(detail)"
    }

    public func report(_ update: ProgressUpdate) {
        let now = Date().timeIntervalSinceReferenceDate
        let draw: Bool = state.withLock { s in
            let final = update.total > 0 && update.done >= update.total
            guard final || now - s.lastDraw >= interval else { return false }
            s.lastDraw = now
            s.visible = true
            return true
        }
        guard draw else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + ProgressBar.line(update, width: width)).utf8))
    }

    /// Clears the bar, if one is showing.
    public func finish() {
        let wasVisible = state.withLock { s in
            defer { s.visible = false; s.lastDraw = 0 }
            return s.visible
        }
        if wasVisible { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }
}
