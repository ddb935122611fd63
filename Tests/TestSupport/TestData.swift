import Foundation

/// Where every test target finds the real MovieLens-100K: `RECSH_TEST_DATA`,
/// else `../shared/data/ml-100k` beside the package root. The data is never
/// committed; suites that need it are enabled only when it is there.
public enum TestData {
    public static let ml100k: String = {
        if let path = ProcessInfo.processInfo.environment["RECSH_TEST_DATA"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent("../shared/data/ml-100k").standardizedFileURL.path
    }()

    public static var ml100kAvailable: Bool { FileManager.default.fileExists(atPath: ml100k + "/u.data") }

    /// The package root (this file is Tests/TestSupport/TestData.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}

/// Fixture files the tests write for themselves under the system temporary directory.
public enum TestFiles {
    /// A new, empty directory whose name starts with `tag`.
    public static func directory(_ tag: String = "recsh-test") throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(tag)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// A new directory holding `files` (relative path -> bytes).
    public static func directory(_ files: [String: [UInt8]], tag: String = "recsh-test") throws -> String {
        let dir = try directory(tag)
        for (name, bytes) in files {
            let url = URL(fileURLWithPath: dir).appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return dir
    }

    /// A new directory holding `files` (relative path -> UTF-8 text).
    public static func directory(text files: [String: String], tag: String = "recsh-test") throws -> String {
        try directory(files.mapValues { Array($0.utf8) }, tag: tag)
    }
}
