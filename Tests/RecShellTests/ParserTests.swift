import GraphRec
import Testing
@testable import RecShell

@Suite struct TokenizerTests {
    @Test func quotesGroupWords() throws {
        let commands = try Tokenizer.commands(in: #"similar "star wars" k=5"#)
        #expect(commands.count == 1)
        #expect(commands[0].words.map(\.text) == ["similar", "star wars", "k=5"])
        #expect(commands[0].words[1].quoted)
        #expect(commands[0].words[2].optionKey == "k")
        #expect(commands[0].words[2].optionValue == "5")
    }

    @Test func semicolonSeparatesCommands() throws {
        let commands = try Tokenizer.commands(in: "load ml-100k; split warm ;info;;")
        #expect(commands.map { $0.words.first!.text } == ["load", "split", "info"])
        #expect(commands[1].text == "split warm")
    }

    @Test func semicolonAndHashInsideQuotesAreText() throws {
        let commands = try Tokenizer.commands(in: #"find "a;b #c" # a comment; not a command"#)
        #expect(commands.count == 1)
        #expect(commands[0].words.map(\.text) == ["find", "a;b #c"])
    }

    @Test func commentLineIsEmpty() throws {
        #expect(try Tokenizer.commands(in: "# just a comment").isEmpty)
        #expect(try Tokenizer.commands(in: "   ").isEmpty)
    }

    @Test func quotedOptionValue() throws {
        let words = try Tokenizer.commands(in: #"load path="/tmp/my data" min-rating=4"#)[0].words
        #expect(words[1].optionKey == "path")
        #expect(words[1].optionValue == "/tmp/my data")
        #expect(words[2].optionKey == "min-rating")
        #expect(words[2].optionValue == "4")
    }

    @Test func equalsInsideQuotesIsNotAnOption() throws {
        let words = try Tokenizer.commands(in: #"find "a=b""#)[0].words
        #expect(words[1].optionKey == nil)
        #expect(words[1].text == "a=b")
    }

    @Test func escapesInsideQuotes() throws {
        let words = try Tokenizer.commands(in: #"find "say \"hi\" \\ there""#)[0].words
        #expect(words[1].text == #"say "hi" \ there"#)
    }

    @Test func emptyQuotedWordIsAnArgument() throws {
        let words = try Tokenizer.commands(in: #"find """#)[0].words
        #expect(words.count == 2)
        #expect(words[1].text == "")
    }

    @Test func unterminatedQuoteNamesItsColumn() {
        #expect(throws: ShellError.syntax("unterminated quote (opened here)", column: 9)) {
            try Tokenizer.commands(in: #"similar "star wars"#)
        }
    }

    @Test func columnsCountCharacters() throws {
        let words = try Tokenizer.commands(in: "  find  é  x")[0].words
        #expect(words.map(\.column) == [3, 9, 12])
    }
}

@Suite struct CommandParserTests {
    let registry = CommandRegistry.standard

    func parse(_ line: String) throws -> ParsedCommand {
        try CommandParser.parse(try Tokenizer.commands(in: line)[0], registry: registry).1
    }

    @Test func optionsAndPositionals() throws {
        let p = try parse("train gcn as gcn-m loss=margin epochs=3")
        #expect(p.name == "train")
        #expect(p.arguments == ["gcn"])
        #expect(p.keyword("as") == "gcn-m")
        #expect(p.options["loss"] == "margin")
        #expect(try p.options.int("epochs", default: 15) == 3)
    }

    @Test func aliasResolvesToCanonicalName() throws {
        #expect(try parse("exit").name == "quit")
    }

    @Test func unknownOptionNamesItAndListsAccepted() {
        do {
            _ = try parse("eval gcn foo=1")
            Issue.record("expected an error")
        } catch let error as ShellError {
            let text = error.description
            #expect(text.contains("unknown option 'foo'"))
            #expect(text.contains("on, k, lsh"))
        } catch { Issue.record("wrong error \(error)") }
    }

    @Test func closedValuesAreChecked() {
        #expect(throws: ShellError.badValue(command: "eval", option: "on", value: "train", accepted: ["val", "test"])) {
            try parse("eval on=train")
        }
    }

    @Test func duplicateOption() {
        #expect(throws: ShellError.duplicateOption(command: "eval", option: "k", column: 10)) {
            try parse("eval k=5 k=6")
        }
    }

    @Test func missingAndExtraArguments() {
        #expect(throws: ShellError.missingArgument(command: "user", argument: "USER", usage: "user USER [top=10]")) {
            try parse("user")
        }
        #expect(throws: ShellError.unexpectedArgument(command: "user", argument: "2", column: 8, usage: "user USER [top=10]")) {
            try parse("user 1 2")
        }
    }

    @Test func unknownCommandSuggestsTheNearest() {
        #expect(throws: ShellError.unknownCommand("trian", suggestion: "train")) { try parse("trian gcn") }
        #expect(throws: ShellError.unknownCommand("xyzzy", suggestion: nil)) { try parse("xyzzy") }
    }

    @Test func optionInCommandPositionIsASyntaxError() {
        #expect(throws: ShellError.self) { try parse("k=5") }
    }

    @Test func variadicArguments() throws {
        let p = try parse("whatif user 1 likes 50 181 \"Toy Story (1995)\" k=5")
        #expect(p.keyword("user") == "1")
        #expect(p.arguments == ["likes", "50", "181", "Toy Story (1995)"])
        #expect(p.options["k"] == "5")
    }
}
