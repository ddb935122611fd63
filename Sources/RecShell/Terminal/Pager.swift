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
    func show(_ text: String) -> Bool {
        guard let command else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardInput = pipe
        do { try process.run() } catch { return false }
        // A pager that quits early (q) closes the pipe: the write error is not ours to report.
        signal(SIGPIPE, SIG_IGN)
        try? pipe.fileHandleForWriting.write(contentsOf: Data(text.utf8))
        try? pipe.fileHandleForWriting.close()
        process.waitUntilExit()
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
