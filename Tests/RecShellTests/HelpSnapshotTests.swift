import Foundation
import Testing
@testable import RecShell

/// Every command's help page against its snapshot in Snapshots/help/, as
/// the plain text a pipe gets at 80 columns, so any change to a page (an
/// option added, a default changed, a layout change) is a visible diff in
/// review. After an intended change, regenerate them with
/// `RECSH_UPDATE_SNAPSHOTS=1 swift test -c release --filter HelpSnapshotTests` and read the diff.
@Suite struct HelpSnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots/help")
    static let updating = ProcessInfo.processInfo.environment["RECSH_UPDATE_SNAPSHOTS"] == "1"

    static func page(_ result: CommandResult) -> String {
        TableRenderer.render(result, options: Renderer.Options(style: .plain, width: 80)) + "\n"
    }

    static func check(_ name: String, _ text: String) throws {
        let file = directory.appendingPathComponent(name + ".txt")
        if updating {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let snapshot = try #require(try? String(contentsOf: file, encoding: .utf8),
                                    "no snapshot \(file.path): run with RECSH_UPDATE_SNAPSHOTS=1 to write it")
        #expect(text == snapshot, "help \(name) differs from \(file.lastPathComponent)")
    }

    @Test(arguments: CommandRegistry.standard.specs.map(\.name))
    func helpPageMatchesItsSnapshot(command: String) throws {
        let spec = try #require(CommandRegistry.standard.spec(named: command))
        try Self.check(command, Self.page(Help.command(spec)))
    }

    @Test func overviewMatchesItsSnapshot() throws {
        try Self.check("_overview", Self.page(Help.overview(.standard)))
    }

    /// No snapshot is left over from a command that is gone.
    @Test func everySnapshotBelongsToACommand() throws {
        guard !Self.updating else { return }
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".txt") }
        let expected = Set(CommandRegistry.standard.specs.map { $0.name + ".txt" } + ["_overview.txt"])
        #expect(Set(files) == expected)
    }
}
