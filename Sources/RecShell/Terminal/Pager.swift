import Foundation

/// Shows output longer than the screen through `$PAGER` (else `less -FRX`,
/// else `more`), the way psql and git do. Only the interactive loop on a
/// terminal creates one; scripts, pipes and `-c` never page.
final class Pager {
    private let command: String?
    private let environment: ShellEnvironment

    init(environment: ShellEnvironment) {
        self.environment = environment
        let env = ProcessInfo.processInfo.environment
        if let pager = env["PAGER"]?.trimmingSpaces(), !pager.isEmpty {
            command = pager
        } else if let less = Pager.find("less") {
            command = less + " -FRX"
        } else {
            command = Pager.find("more")
        }
    }

    /// True when `text` has more lines than fit above the prompt.
    func wouldPage(_ text: String) -> Bool {
        guard command != nil else { return false }
        let rows = environment.terminalRows()
        var lines = 0
        for ch in text.utf8 where ch == UInt8(ascii: "\n") {
            lines += 1
            if lines >= rows - 1 { return true }
        }
        return false
    }

    /// Pipes `text` to the pager and waits for it; false when it could not start.
    /// popen, not Process: the pager must stay in the shell's process group,
    /// the terminal's foreground, or it cannot read keys from it.
    func show(_ text: String) -> Bool {
        guard let command, let pipe = popen(command, "w") else { return false }
        // A pager that quits early (q) closes the pipe: that write error is not ours to report.
        let previous = signal(SIGPIPE, SIG_IGN)
        _ = text.withCString { fputs($0, pipe) }
        pclose(pipe)
        signal(SIGPIPE, previous)
        Interrupt.clear()
        return true
    }

    private static func find(_ name: String) -> String? {
        for dir in ["/usr/bin", "/bin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/" + name) {
            return dir + "/" + name
        }
        return nil
    }
}
