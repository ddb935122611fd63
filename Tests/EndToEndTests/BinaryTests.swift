import Foundation
import Testing

@Suite struct BinaryTests {
    @Test func binaryExistsBesideTheTests() {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [dir, dir.deletingLastPathComponent()].map { $0.appendingPathComponent("recsh").path }
        #expect(candidates.contains { FileManager.default.fileExists(atPath: $0) })
    }
}
