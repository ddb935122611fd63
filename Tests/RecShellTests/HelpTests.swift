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
        #expect(text.contains("loss=bpr|margin|softmax"))
        #expect(text.contains("preset=best"))
        #expect(text.contains("lr=X"))
    }

    /// `help train` shows each kind's declared default: the library's, not a copy.
    @Test func helpTrainDefaultsAreTheLibrarys() throws {
        let spec = try #require(registry.spec(named: "train"))
        for kind in ModelRegistry.kinds {
            for option in kind.options {
                let shown = try #require(spec.option(named: option.name)?.defaultValue, "\(option.name)")
                let agreed = ModelRegistry.kinds.flatMap { k in k.options.filter { $0.name == option.name } }
                    .allSatisfy { $0.defaultValue == option.defaultValue }
                if agreed {
                    #expect(shown == option.defaultValue.description, "\(kind.name) \(option.name): \(shown)")
                } else {
                    #expect(shown.contains("\(option.defaultValue)"), "\(kind.name) \(option.name): \(shown)")
                }
            }
        }
        // The struct the trainer reads has the same defaults as the declarations.
        #expect(try TrainOptions(GCN.parse([:])) == TrainOptions())
        #expect(TrainOptions().epochs == 15 && TrainOptions().learningRate == 0.001 && TrainOptions().dim == 64)
        #expect(spec.option(named: "reg")?.defaultValue == "als 30, others 0")
        #expect(spec.option(named: "factors")?.defaultValue == "ncf 8, als 64, svd 20")
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
