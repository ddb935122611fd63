import Testing
@testable import RecShell

@Suite struct VersionTests {
    @Test func versionIsSemantic() {
        #expect(RecshVersion.string.split(separator: ".").count == 3)
    }
}
