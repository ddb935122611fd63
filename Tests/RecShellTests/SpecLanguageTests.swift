import GraphRec
import Testing
@testable import RecShell

/// The spec language: requirements checked before a handler, forms chosen
/// by their word, keywords and flags anywhere, usage lines generated.
@Suite struct SpecLanguageTests {
    let registry = CommandRegistry.standard

    func parse(_ line: String) throws -> ParsedCommand {
        try CommandParser.parse(try Tokenizer.commands(in: line)[0], registry: registry).1
    }

    /// A command that needs a model and records whether its handler ran.
    static let needsModel = CommandSpec(name: "needs", group: "Test", summary: "needs a model",
                                        requires: [.model], example: "needs") { session, _, _ in
        session.lastSessionName = "ran"
        return CommandResult(command: "needs")
    }

    @Test func requirementsAreCheckedBeforeTheHandlerWithTheFirstMissingStep() throws {
        let spec = Self.needsModel
        guard case .handler(let handler) = spec.action else { Issue.record("not a handler"); return }
        var session = Session()
        // A model needs a split and a split a data set: the hint names the first step, which runs here.
        #expect(throws: ShellError.message("needs: no data loaded; try 'load ml-100k'")) {
            try spec.run(handler, &session, ParsedCommand(name: "needs"), Context(registry: registry))
        }
        #expect(session.lastSessionName == nil)
        #expect(Requirement.firstUnmet([.model], in: session) == .dataset)
        #expect(Requirement.firstUnmet([], in: session) == nil)
    }

    @Test func formsAreChosenByTheirWordOrByDefault() throws {
        #expect(try parse("split").subcommand == "warm")
        #expect(try parse("split official u1").subcommand == "official")
        #expect(try parse("split official u1").arguments == ["u1"])
        #expect(try parse("lsh planes=8").subcommand == "")
        #expect(try parse("lsh sweep planes=1..4").subcommand == "sweep")
        #expect(try parse("attention movie 50").arguments == ["50"])
        #expect(throws: ShellError.badValue(command: "attention", option: "KIND", value: "edges",
                                            accepted: ["user", "movie", "summary"])) { try parse("attention edges") }
        #expect(throws: ShellError.missingArgument(command: "export", argument: "FILE",
                                                   usage: "export notebook FILE")) { try parse("export notebook") }
    }

    @Test func aFormTakesOnlyItsOwnOptions() {
        #expect(throws: ShellError.inapplicableOption(command: "split official", option: "seed", accepted: [])) {
            try parse("split official u1 seed=3")
        }
        #expect(ShellError.inapplicableOption(command: "split official", option: "seed", accepted: []).description
            == "split official: option 'seed=' does not apply (it takes none)")
        #expect(throws: ShellError.self) { try parse("lsh sweep items=1000") }
        #expect(throws: ShellError.missingArgument(command: "split", argument: "train=FILE",
                                                   usage: "split files train=FILE test=FILE [val=FILE]")) {
            try parse("split files test=t.tsv")
        }
    }

    @Test func keywordsAndFlagsStandAnywhere() throws {
        let recommend = try parse("recommend why 1 k=5")
        #expect(recommend.arguments == ["1"] && recommend.hasFlag("why"))
        #expect(try parse("train gcn as g2").keyword("as") == "g2")
        #expect(try parse("split force cold").hasFlag("force"))
        #expect(throws: ShellError.missingArgument(command: "train", argument: "NAME",
                                                   usage: "train MODEL [as NAME] [key=value ...]")) {
            try parse("train gcn as")
        }
        #expect(throws: ShellError.missingArgument(command: "whatif", argument: "user USER",
                                                   usage: registry.spec(named: "whatif")!.synopsis)) {
            try parse("whatif likes 50")
        }
        #expect(throws: ShellError.badValue(command: "whatif", option: "CHANGE", value: "loves",
                                            accepted: ["likes", "drops"])) { try parse("whatif user 1 loves 50") }
    }

    @Test func usageIsGeneratedFromTheSpec() throws {
        let spec = CommandSpec(
            name: "demo", group: "Test", summary: "forms of one shape share a line",
            arguments: [.flag("force", "go ahead")],
            subcommands: [Subcommand("a", "first", options: ["k"]), Subcommand("b", "second", options: ["k"]),
                          Subcommand("c", "third", arguments: [ArgumentSpec("NAME", "a name")], options: ["file"],
                                     requiredOptions: ["file"])],
            options: [.topK, OptionSpec("file", "FILE", "where")], example: "demo a") { _, _, _ in CommandResult(command: "demo") }
        #expect(spec.synopsis == "demo a|b [k=10] | demo c NAME file=FILE")
        #expect(try #require(registry.spec(named: "whatif")).synopsis == "whatif user USER likes|drops MOVIE ... [model=NAME] [k=10]")
        #expect(try #require(registry.spec(named: "recommend")).synopsis.hasPrefix("recommend USER [why] [model=NAME] [k=10]"))
    }

    @Test func completionOffersFormsFlagsAndKeywords() {
        let completer = Completer(registry: registry)
        #expect(completer.complete("lsh ").candidates.contains("sweep"))
        #expect(completer.complete("split o").candidates == ["official"])
        #expect(completer.complete("split official ").candidates.contains("u1"))
        #expect(completer.complete("recommend 1 w").candidates == ["why"])
        #expect(completer.complete("train gcn a").candidates.contains("as"))
    }
}
