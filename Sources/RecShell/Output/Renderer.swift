/// Picks the renderer for a format. Successful output goes to stdout;
/// in the human formats an error goes to stderr, in JSON it is the one
/// object on stdout (the contract: every command writes one object).
public enum Renderer {
    public struct Output: Equatable, Sendable {
        public var stdout: String
        public var stderr: String
    }

    public static func render(_ result: CommandResult, format: OutputFormat, style: TextStyle) -> Output {
        if format == .json { return Output(stdout: JSONRenderer.render(result) + "\n", stderr: "") }
        guard result.ok else {
            return Output(stdout: "", stderr: style.red("error: ") + (result.error ?? "failed") + "\n")
        }
        let body: String
        switch format {
        case .table: body = TableRenderer.render(result, style: style)
        case .csv: body = CSVRenderer.render(result)
        case .markdown: body = MarkdownRenderer.render(result)
        case .json: body = ""
        }
        var err = ""
        if let seconds = result.wallSeconds { err = style.dim("(\(Value.fixed(seconds, decimals: 3)) s)") + "\n" }
        return Output(stdout: body.isEmpty ? "" : body + "\n", stderr: err)
    }
}
