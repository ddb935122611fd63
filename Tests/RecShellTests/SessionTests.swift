import Foundation
@testable import GraphRec
import Testing
@testable import RecShell

/// A shell whose output is captured, on a registry with test commands.
final class Harness {
    var out = ""
    var err = ""
    let shell: Shell

    init(extra: [CommandSpec] = [], bail: Bool = false, format: OutputFormat = .table) {
        var registry = CommandRegistry.standard
        for spec in extra { registry.add(spec) }
        var settings = Settings()
        settings.format = format
        shell = Shell(session: Session(settings: settings), registry: registry, environment: .plain, bail: bail)
        shell.writeOut = { [unowned self] in self.out += $0 }
        shell.writeErr = { [unowned self] in self.err += $0 }
    }

    /// JSON objects written so far, one per line.
    var objects: [[String: Any]] {
        out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}

/// Test commands: one that changes the session and succeeds, one that changes it and then fails.
let mutatingSpecs: [CommandSpec] = [
    CommandSpec(name: "bump", group: "Test", summary: "sets k to 99 and a session name",
                example: "bump", handler: { session, _, _ in
                    session.settings.k = 99
                    session.lastSessionName = "bumped"
                    return CommandResult(command: "bump", blocks: [.text(["bumped"])])
                }),
    CommandSpec(name: "breaks", group: "Test", summary: "changes things then throws",
                example: "breaks", handler: { session, _, _ in
                    session.settings.k = 42
                    session.settings.format = .csv
                    session.lastSessionName = "broken"
                    throw RecError("breaks: failed halfway")
                }),
]

@Suite struct SessionTests {
    @Test func failedCommandChangesNothing() {
        let h = Harness(extra: mutatingSpecs)
        #expect(h.shell.run(line: "breaks") == false)
        #expect(h.shell.session.settings == Settings())
        #expect(h.shell.session.lastSessionName == nil)
        #expect(h.shell.session.transcript.isEmpty)
        #expect(h.err == "error: breaks: failed halfway\n")
        #expect(h.shell.failures == 1)
    }

    @Test func successfulCommandCommits() {
        let h = Harness(extra: mutatingSpecs)
        #expect(h.shell.run(line: "bump"))
        #expect(h.shell.session.settings.k == 99)
        #expect(h.shell.session.lastSessionName == "bumped")
        #expect(h.shell.session.transcript == [TranscriptEntry(line: "bump", output: "bumped", seconds: 0)])
    }

    @Test func badSetValueLeavesEverySettingAlone() {
        let h = Harness()
        // Keys apply in sorted order: format first, then k fails; neither must stick.
        #expect(h.shell.run(line: "set format=csv k=zero") == false)
        #expect(h.shell.session.settings.format == .table)
        #expect(h.shell.session.settings.k == 10)
        #expect(h.err.contains("k: expected a whole number, got 'zero'"))
    }

    @Test func setAndShow() {
        let h = Harness(format: .json)
        #expect(h.shell.run(line: "set k=20 timer=on; show k"))
        #expect(h.shell.session.settings.k == 20)
        #expect(h.shell.session.settings.timer)
        let show = h.objects[1]
        #expect((show["settings"] as? [String: Any])?["k"] as? Int == 20, "settings keep their types")
        #expect(show["wall_seconds"] is Double)
    }

    @Test func commandsThatNeedDataSaySoAndChangeNothing() {
        let h = Harness(format: .json)
        // Every command is built; without data each one that needs it fails, names itself and changes nothing.
        for name in ["info", "find star", "user 1", "movie 1", "attention user 1", "train gcn", "eval",
                     "lsh planes=8", "whatif user 1 likes 50", "newuser", "save", "export metrics m.json"] {
            #expect(h.shell.run(line: name) == false, "\(name)")
        }
        let errors = h.objects.map { $0["error"] as? String ?? "" }
        #expect(errors.count == 12)
        #expect(errors.allSatisfy { !$0.isEmpty && !$0.contains("not built") })
        #expect(h.shell.session.transcript.isEmpty)
        #expect(h.shell.session.dataset == nil)
    }

    @Test func modelLookupNamesWhatExists() {
        let session = Session()
        #expect(throws: ShellError.message("eval: no trained model yet; try 'train gcn'")) {
            try session.model(nil, command: "eval")
        }
    }
}

@Suite struct ShellTests {
    func script(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("recsh-test-\(UUID().uuidString).recsh").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func scriptErrorsNameFileAndLine() throws {
        let path = try script("# a comment\n\nset k=5\nset k=oops  # bad\nshow k\n")
        let h = Harness()
        #expect(h.shell.runScript(path: path) == false)
        #expect(h.err == "error: \(path):4: k: expected a whole number, got 'oops'\n")
        #expect(h.shell.session.settings.k == 5)
        #expect(h.out.contains("k: 5"))  // show ran after the error
    }

    @Test func bailStopsAtTheFirstFailure() throws {
        let path = try script("set k=5\nnope\nset k=6\n")
        let h = Harness(bail: true)
        #expect(h.shell.runScript(path: path) == false)
        #expect(h.shell.session.settings.k == 5)
        #expect(h.shell.stopped)
        #expect(h.shell.commandsRun == 2)
    }

    @Test func runCommandRunsAScriptAndReportsFailures() throws {
        let path = try script("set k=7\nset k=bad\n")
        let h = Harness(format: .json)
        #expect(h.shell.run(line: "run \"\(path)\"") == false)
        #expect(h.shell.session.settings.k == 7)
        let last = try #require(h.objects.last)
        #expect(last["command"] as? String == "run")
        #expect(last["ok"] as? Bool == false)
    }

    @Test func runMissingFile() {
        let h = Harness()
        #expect(h.shell.run(line: "run /nonexistent/x.recsh") == false)
        #expect(h.err == "error: /nonexistent/x.recsh: no such file\n")
    }

    @Test func selfRunningScriptStops() throws {
        let path = try script("")
        try "run \(path)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let h = Harness()
        #expect(h.shell.runScript(path: path) == false)
        #expect(h.err.contains("nested more than 16 deep"))
    }

    @Test func sleepReportsProgressAndStopsOnInterrupt() throws {
        let h = Harness(format: .json)
        #expect(h.shell.run(line: "sleep 0.05"))
        #expect(h.objects.first?["interrupted"] as? Bool == false)
        #expect(h.shell.run(line: "sleep -1") == false)
        #expect(h.shell.run(line: "sleep soon") == false)
    }

    @Test func quitStopsTheRest() {
        let h = Harness()
        h.shell.run(line: "set k=3; quit; set k=4")
        #expect(h.shell.session.settings.k == 3)
        #expect(h.shell.stopped)
    }

    @Test func syntaxErrorInJSON() throws {
        let h = Harness(format: .json)
        #expect(h.shell.run(line: "find \"open") == false)
        let object = try #require(h.objects.first)
        #expect(object["command"] as? String == "find")
        #expect(object["error"] as? String == "syntax error at column 6: unterminated quote (opened here)")
    }

    @Test func everyCommandWritesOneJSONObject() {
        let h = Harness(format: .json)
        h.shell.run(line: "help; help train; show; nope; set k=2; timer off; format json")
        #expect(h.out.split(separator: "\n").count == 7)
        #expect(h.objects.count == 7)
        #expect(h.objects.map { $0["command"] as? String ?? "?" } == ["help", "help", "show", "nope", "set", "timer", "format"])
    }

    @Test func interruptFlagReachesRunControl() {
        let spec = CommandSpec(name: "spin", group: "Test", summary: "polls shouldStop",
                               example: "spin", handler: { _, _, context in
                                   Interrupt.raise()  // what Ctrl-C does mid-command
                                   return CommandResult(command: "spin", blocks: [.text(["stopped: \(context.run.shouldStop())"])])
                               })
        let h = Harness(extra: [spec])
        h.shell.run(line: "spin")
        #expect(h.out == "stopped: true\n")
        #expect(h.err.contains("(interrupted)"))
        #expect(!Interrupt.isSet)
    }
}

@Suite struct CompleterTests {
    let completer = Completer(registry: .standard, modelNames: ["gcn", "gcn-ids", "pop"],
                              movieTitles: ["Star Wars (1977)", "Stargate (1994)", "Toy Story (1995)"])

    @Test func commandNames() {
        #expect(completer.complete("tr").candidates == ["train"])
        #expect(completer.complete("s").candidates == ["save", "sessions", "set", "show", "similar", "sleep", "split"])
        #expect(completer.complete("load ml-100k; ev").candidates == ["eval"])
    }

    @Test func optionNamesAndValues() {
        #expect(completer.complete("train gcn ep").candidates == ["epochs="])
        #expect(completer.complete("eval on=").candidates == ["on=test", "on=val"])
        #expect(completer.complete("train gcn loss=m").candidates == ["loss=margin"])
        // Used options are not offered again.
        #expect(!completer.complete("eval k=5 ").candidates.contains("k="))
    }

    @Test func modelOptionsFollowTheModelKind() {
        // gcn takes preset= but not NCF's pretrain=; ncf takes pretrain= only.
        #expect(completer.complete("train gcn pre").candidates == ["preset="])
        #expect(completer.complete("train ncf pre").candidates == ["pretrain="])
        #expect(!completer.complete("train ease ").candidates.contains("hidden="))
        #expect(completer.complete("train ease ").candidates.contains("lambda="))
        // tune keeps its own options beside the kind's.
        #expect(completer.complete("tune gcn tri").candidates == ["trials="])
        #expect(completer.complete("tune ease hid").candidates.isEmpty)
    }

    @Test func modelNames() {
        #expect(completer.complete("eval gc").candidates == ["gcn", "gcn-ids"])
        #expect(completer.complete("eval gc").commonPrefix == "gcn")
        #expect(completer.complete("recommend 1 model=p").candidates == ["model=pop"])
        #expect(completer.complete("train g").candidates == ["gat", "gcn"])
    }

    @Test func movieTitles() {
        let c = completer.complete("similar \"star")
        #expect(c.word == "\"star")
        #expect(c.candidates == ["\"Star Wars (1977)\"", "\"Stargate (1994)\""])
        #expect(c.commonPrefix == "\"Star")
        #expect(completer.complete("find toy").candidates == ["\"Toy Story (1995)\""])
    }

    @Test func files() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recsh-complete-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        try "".write(to: dir.appendingPathComponent("tour.recsh"), atomically: true, encoding: .utf8)
        let c = Completer(registry: .standard, directory: dir.path)
        #expect(c.complete("run to").candidates == ["tour.recsh"])
        #expect(c.complete("run sc").candidates == ["scripts/"])
    }

    @Test func helpCompletesCommandsAndCommentsNothing() {
        #expect(completer.complete("help tra").candidates == ["train"])
        #expect(completer.complete("# tr").candidates.isEmpty)
    }
}

@Suite struct SessionCompletionTests {
    /// A two-movie data set, enough for completion and prompts.
    static func tinyDataset() -> Dataset {
        Dataset(name: "tiny", layout: .ml100k, directory: "/tmp", users: [User(id: 1)],
                movies: [Movie(id: 1, title: "Toy Story (1995)"), Movie(id: 2, title: "Café au lait (1993)")],
                ratings: [Rating(user: 0, movie: 0, value: 5, timestamp: 0)], minRating: 3,
                userFeatures: nil, movieFeatures: nil, userFeatureNames: [], movieFeatureNames: [], checksum: "x")
    }

    @Test func completionSeesTheSessionsTitles() {
        let shell = Shell()
        #expect(shell.completer.complete("similar \"to").candidates.isEmpty)  // nothing loaded yet
        shell.session.dataset = Self.tinyDataset()
        #expect(shell.completer.complete("similar \"to").candidates == ["\"Toy Story (1995)\""])
        #expect(shell.completer.complete("find caf").candidates == ["\"Café au lait (1993)\""])
        #expect(shell.prompt == "recsh[tiny]> ")
    }

    @Test func transcriptKeepsLinesAndPlainOutput() {
        let h = Harness()
        h.shell.run(line: "set k=4; show k # comment")
        #expect(h.shell.session.transcript.map(\.line) == ["set k=4", "show k"])
        #expect(h.shell.session.transcript.map(\.output) == ["k: 4", "k: 4"])
    }
}
