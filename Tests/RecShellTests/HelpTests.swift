import Foundation
import GraphRec
import Testing
@testable import RecShell

@Suite struct HelpTests {
    let registry = CommandRegistry.standard

    /// Every command of COMMANDS.md, the contract.
    static let contract = ["help", "load", "info", "split", "train", "models", "eval", "compare", "recommend",
                           "similar", "find", "user", "movie", "attention", "lsh", "whatif", "newuser", "save",
                           "restore", "sessions", "export", "run", "plot", "set", "show", "timer", "bench",
                           "quit", "exit"]

    @Test func everyContractCommandIsDeclared() {
        for name in Self.contract { #expect(registry.spec(named: name) != nil, "missing \(name)") }
    }

    @Test func everySpecHasUsageSummaryAndAnExampleThatParses() throws {
        for spec in registry.specs {
            #expect(spec.synopsis.hasPrefix(spec.name), "\(spec.name): synopsis")
            #expect(!spec.summary.isEmpty, "\(spec.name): summary")
            let raw = try #require(try Tokenizer.commands(in: spec.example).first, "\(spec.name): example")
            let (parsedSpec, _) = try CommandParser.parse(raw, registry: registry)
            #expect(parsedSpec.name == spec.name, "\(spec.name): example runs another command")
        }
    }

    @Test func helpForEveryCommandShowsUsageOptionsAndExample() {
        for spec in registry.specs {
            let text = TableRenderer.render(Help.command(spec), style: .plain)
            // Long lines wrap: compare the words.
            #expect(words(text).hasPrefix("usage: " + words(spec.synopsis)))
            #expect(text.contains("example:\n  \(spec.example)"))
            for option in spec.options {
                #expect(text.contains("\(option.name)=\(option.valueName)"), "\(spec.name): \(option.name)")
            }
        }
    }

    @Test func helpTrainListsDefaults() {
        let text = TableRenderer.render(Help.command(registry.spec(named: "train")!), style: .plain)
        #expect(text.contains("epochs=N"))
        #expect(text.contains("loss=bpr|margin|softmax|bce  bpr, ncf bce"))
        #expect(text.contains("preset=best"))
        #expect(text.contains("lr=RATE"))
    }

    @Test func overviewListsEveryCommandOnce() {
        let text = TableRenderer.render(Help.overview(registry), style: .plain)
        for spec in registry.specs { #expect(words(text).contains(words(spec.synopsis)), "\(spec.name)") }
        let json = JSONRenderer.render(Help.overview(registry))
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((object?["commands"] as? [Any])?.count == registry.specs.count)
    }

    func words(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }

    /// Snapshot of one help page, so a change in layout is a visible diff.
    @Test func helpTimerSnapshot() {
        let text = TableRenderer.render(Help.command(registry.spec(named: "timer")!), style: .plain)
        #expect(text == """
            usage: timer on|off

            Print the wall time after each command.

            arguments
            argument  meaning
            --------  ------------------
            STATE     on or off (on|off)

            example:
              timer on
            """)
    }
}
