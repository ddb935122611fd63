import GraphRec

/// `next:` hints that are commands which succeed in the state they are shown in.
enum ShellHints {
    /// The next step of the usual path from `session`'s state: load, split, train, then eval and recommend.
    static func next(_ session: Session) -> [String] {
        guard let dataset = session.dataset else { return ["load ml-100k"] }
        guard session.split != nil else { return ["split warm"] }
        guard !session.models.isEmpty else { return ["train gcn"] }
        return ["eval"] + (dataset.users.first.map { ["recommend \($0.id)"] } ?? [])
    }

    /// A name as the command line reads it back: quoted when it holds a space or a quote.
    static func quoted(_ name: String) -> String {
        name.contains(where: { $0 == " " || $0 == "\"" || $0 == ";" || $0 == "#" })
            ? "\"" + name.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : name
    }
}
