import Foundation

/// Writes a session's transcript as a Jupyter notebook (nbformat 4.5), so it
/// opens in Jupyter, VS Code and on GitHub: script comments become Markdown
/// cells, commands code cells, tables text and HTML, charts SVG images.
public enum NotebookWriter {
    /// The notebook's JSON. Entries read back from a Markdown transcript have no
    /// structured result; their recorded text is kept as a plain output.
    public static func notebook(_ entries: [TranscriptEntry], heading: String, version: String) throws -> Data {
        var cells = [Cell.markdown(id: "heading", "# " + heading.replacingOccurrences(of: "\n", with: " "))]
        for (index, entry) in entries.enumerated() {
            if !entry.comment.isEmpty { cells.append(.markdown(id: "note-\(index + 1)", entry.comment)) }
            let shown = entry.result.map { outputs($0) } ?? (entry.output.isEmpty ? [] : [.stream(entry.output)])
            cells.append(Cell(id: "cell-\(index + 1)", cellType: "code", source: lines(entry.line),
                              outputs: shown, executionCount: index + 1))
        }
        let notebook = Notebook(cells: cells, metadata: .init(languageInfo: ["name": "recsh"], recsh: ["version": version]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(notebook) + Data("\n".utf8)
    }

    /// One output per block, in the order a person reads them.
    static func outputs(_ result: CommandResult) -> [Output] {
        result.blocks.map { block in
            let plain = TableRenderer.render(CommandResult(command: result.command, blocks: [block]), style: .plain)
            switch block {
            case .table(let table):
                return .display(["text/plain": lines(plain), "text/html": lines(html(table))])
            case .chart(let chart):
                return .display(["text/plain": lines(plain), "image/svg+xml": lines(SVGWriter.render(chart))])
            case .fields, .text:
                return .display(["text/plain": lines(plain)])
            }
        }
    }

    /// A table as HTML, caption first, numbers right-aligned.
    static func html(_ table: Table) -> String {
        var out = "<table>\n"
        if let title = table.title { out += "<caption>\(SVGWriter.escape(title))</caption>\n" }
        out += "<thead><tr>" + table.columns.map { "<th>\(SVGWriter.escape($0.name))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            out += "<tr>" + zip(table.columns, row).map { column, value in
                let align = column.alignsRight ? " style=\"text-align: right\"" : ""
                return "<td\(align)>\(SVGWriter.escape(value.text(decimals: column.decimals)))</td>"
            }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    /// Text as Jupyter stores it: lines that keep their newline, the last without one.
    static func lines(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for ch in text {
            current.append(ch)
            if ch == "\n" { result.append(current); current = "" }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    // MARK: nbformat 4 documents

    struct Notebook: Encodable {
        var cells: [Cell]
        var metadata: Metadata
        var nbformat = 4
        var nbformatMinor = 5
        enum CodingKeys: String, CodingKey { case cells, metadata, nbformat, nbformatMinor = "nbformat_minor" }
    }

    struct Metadata: Encodable {
        var languageInfo: [String: String]
        var recsh: [String: String]
        enum CodingKeys: String, CodingKey { case languageInfo = "language_info", recsh }
    }

    /// A Markdown cell has no outputs and no execution count; a code cell has both.
    struct Cell: Encodable {
        var id: String
        var cellType: String
        var metadata: [String: String] = [:]
        var source: [String]
        var outputs: [Output]?
        var executionCount: Int?
        enum CodingKeys: String, CodingKey {
            case id, cellType = "cell_type", metadata, source, outputs, executionCount = "execution_count"
        }

        static func markdown(id: String, _ text: String) -> Cell {
            Cell(id: id, cellType: "markdown", source: NotebookWriter.lines(text), outputs: nil, executionCount: nil)
        }
    }

    /// `display_data` (a MIME bundle) or `stream` (stdout text).
    struct Output: Encodable {
        var outputType: String
        var data: [String: [String]]?
        var metadata: [String: String]?
        var name: String?
        var text: [String]?
        enum CodingKeys: String, CodingKey { case outputType = "output_type", data, metadata, name, text }

        static func display(_ data: [String: [String]]) -> Output {
            Output(outputType: "display_data", data: data, metadata: [:], name: nil, text: nil)
        }

        static func stream(_ text: String) -> Output {
            Output(outputType: "stream", data: nil, metadata: nil, name: "stdout", text: NotebookWriter.lines(text))
        }
    }
}
