import Foundation
import GraphRec
import Testing
@testable import RecShell

/// Scripts and the shell's own conveniences: echo, line continuation,
/// `output FILE`, help aliases, did-you-mean for options, hints under
/// --quiet, and `split` saying what it drops.
@Suite struct ShellScriptTests {
    static func temporaryFile(_ name: String, _ text: String? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("recsh-script-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        if let text { try text.write(toFile: path, atomically: true, encoding: .utf8) }
        return path
    }

    @Test func echoPrintsEachCommandBeforeItsOutput() throws {
        let h = Harness()
        h.shell.session.settings.echo = true
        let path = try Self.temporaryFile("echo.recsh", "# step one\nshow k\n\nshow seed\n")
        #expect(h.shell.runScript(path: path))
        let lines = h.out.split(separator: "\n").map(String.init)
        #expect(lines == ["# step one", "recsh> show k", "k: 10", "recsh> show seed", "seed: 0"])
        #expect(h.out.contains("k: 10\n\nrecsh> show seed"), "a blank script line stays blank")
    }

    @Test func echoGoesToStderrInJSON() throws {
        let h = Harness(format: .json)
        h.shell.session.settings.echo = true
        h.shell.run(commands: "show k")
        #expect(h.err == "recsh> show k\n")
        #expect(h.out.hasPrefix("{\"command\":\"show\""))
    }

    @Test func backslashContinuesALine() throws {
        let h = Harness(format: .json)
        let path = try Self.temporaryFile("cont.recsh", "set k=7 \\\n  timer=off\nshow k\n")
        #expect(h.shell.runScript(path: path))
        #expect(h.shell.session.settings.k == 7)
        #expect(h.objects.count == 2)
        // An error in a continued command names the line it started on.
        let bad = try Self.temporaryFile("bad.recsh", "show k\nset \\\n  k=0\n")
        let e = Harness()
        #expect(!e.shell.runScript(path: bad))
        #expect(e.err.contains("bad.recsh:2:"), "\(e.err)")
    }

    @Test func outputSendsResultsToAFileUntilOutputAlone() throws {
        let h = Harness()
        let file = try Self.temporaryFile("out.txt")
        h.shell.run(commands: "output \"\(file)\"\nshow k\noutput\nshow seed")
        let written = try String(contentsOfFile: file, encoding: .utf8)
        #expect(written.contains("k: 10"))
        #expect(!written.contains("seed"))
        #expect(h.out.contains("seed: 0"))
        #expect(!h.out.contains("k: 10"))
        #expect(h.err.contains("results go to \(file)"))
        let missing = Harness()
        #expect(!missing.shell.run(line: "output /nonexistent-dir/x.txt"))
        #expect(missing.err.contains("cannot write /nonexistent-dir/x.txt"))
    }

    @Test func helpAliases() {
        for alias in [".help", "\\?", "?", "? train", ".help set"] {
            let h = Harness(format: .json)
            #expect(h.shell.run(line: alias), "\(alias): \(h.err)")
            #expect(h.objects.first?["command"] as? String == "help")
        }
    }

    @Test func unknownOptionsSuggestTheNearestOne() {
        let h = Harness()
        #expect(!h.shell.run(line: "eval o=val"))
        #expect(h.err.contains("did you mean on=?"), "\(h.err)")
        let s = Harness()
        #expect(!s.shell.run(line: "set tiemr=on"))
        #expect(s.err.contains("did you mean timer=?"), "\(s.err)")
        let far = Harness()
        #expect(!far.shell.run(line: "eval zzzzzz=1"))
        #expect(!far.err.contains("did you mean"))
    }

    @Test func hintsFollowResultsUnlessTurnedOff() throws {
        let h = Harness()
        h.shell.session.settings.sessionsDirectory = try Self.temporaryFile("none")
        #expect(h.shell.run(line: "models; sessions"))
        #expect(h.out.contains("next: load ml-100k"))
        let quiet = Harness()
        quiet.shell.session.settings.hints = false
        quiet.shell.session.settings.sessionsDirectory = h.shell.session.settings.sessionsDirectory
        #expect(quiet.shell.run(line: "models; sessions"))
        #expect(!quiet.out.contains("next:"))
        #expect(quiet.out.contains("no trained models yet"))
        // In machine formats the notes and hints are on stderr.
        let json = Harness(format: .json)
        #expect(json.shell.run(line: "models"))
        #expect(json.out == "{\"command\":\"models\",\"ok\":true,\"models\":[]}\n")
        #expect(json.err.contains("next: load ml-100k"))
    }

    @Test func showTypesTheSettings() throws {
        let h = Harness(format: .json)
        #expect(h.shell.run(line: "set width=100; show"))
        let settings = try #require(h.objects.last?["settings"] as? [String: Any])
        #expect(settings["k"] as? Int == 10)
        #expect(settings["timer"] as? Bool == false)
        #expect(settings["width"] as? Int == 100)
        #expect(settings["data"] is NSNull)
        #expect(settings["format"] as? String == "json")
    }

    @Test func splitSaysWhatItDropsAndAsksWhereItCan() throws {
        guard ShellTestData.available else { return }
        // A script: it goes ahead and warns on stderr.
        let h = ShellTestData.splitHarness()
        #expect(h.shell.run(line: "train pop"))
        h.err = ""
        #expect(h.shell.run(line: "split warm seed=1"))
        #expect(h.err.contains("warning: split: dropped the models trained on the previous split: pop"))
        #expect(h.shell.session.models.isEmpty)
        #expect((h.objects.last?["dropped_models"] as? [String]) == ["pop"])
        // At a terminal: asked; "n" keeps everything, "y" runs it with force.
        let t = ShellTestData.splitHarness()
        #expect(t.shell.run(line: "train pop"))
        var questions: [String] = []
        var answer = "n"
        t.shell.ask = { question in questions.append(question); return answer }
        #expect(t.shell.run(line: "split warm seed=1"))
        #expect(questions.count == 1 && questions[0].contains("drops the trained models pop"))
        #expect(t.shell.session.models.count == 1)
        #expect(t.shell.session.split?.seed == 0)
        answer = "y"
        #expect(t.shell.run(line: "split warm seed=1"))
        #expect(t.shell.session.models.isEmpty)
        #expect(t.shell.session.split?.seed == 1)
        // `force` asks nothing.
        #expect(t.shell.run(line: "train pop; split warm seed=2 force"))
        #expect(questions.count == 2)
        #expect(t.shell.session.split?.seed == 2)
    }
}
