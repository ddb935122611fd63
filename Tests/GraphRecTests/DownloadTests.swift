import Foundation
import Testing
@testable import GraphRec

/// Resolution order and the download path, against a local HTTP server on
/// 127.0.0.1 serving zips the tests build (a good one, one with a `../`
/// entry, one with an absolute path, one missing files, a 404, no server).
@Suite(.serialized) struct DownloadTests {
    /// The tiny ml-100k fixture as zip entries under `ml-100k/`.
    static func fixtureEntries() -> [(path: String, bytes: [UInt8])] {
        [("ml-100k/", [])] + DataFixtures.ml100kFiles().sorted { $0.key < $1.key }.map { ("ml-100k/" + $0.key, $0.value) }
    }

    func locator(cacheRoot: String, url: URL, path: String? = nil, data: String? = nil) -> DatasetLocator {
        DatasetLocator(path: path, dataDirectory: data, cacheRoot: cacheRoot, url: url, timeout: 5,
                       environment: [:])
    }

    func contents(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    @Test func downloadsUnzipsAndThenUsesTheCache() throws {
        let server = try DownloadTestServer(body: DownloadZipWriter.zip(Self.fixtureEntries()))
        defer { server.stop() }
        let root = try DataFixtures.makeTempDirectory() + "/cache/recsh"
        let reports = ProgressLog()
        let control = RunControl(report: { reports.add($0) })
        let loc = locator(cacheRoot: root, url: server.url)
        let (dataset, where1) = try loc.load(control: control)
        #expect(where1 == DatasetLocator.Location(directory: root + "/ml-100k", source: .download))
        #expect(dataset.userCount == 4 && dataset.movies[2].title == "Misérables, Les (1995)")
        #expect(contents(root) == ["ml-100k", "ml-100k.zip.sha256"]) // no staging directory left behind
        #expect(DatasetLocator.missingFiles(in: root + "/ml-100k").isEmpty)
        #expect(reports.labels.contains("download ml-100k"))
        #expect(server.requestCount == 1)

        let where2 = try loc.locate(control: control)
        #expect(where2.source == .cache && where2.directory == root + "/ml-100k")
        #expect(server.requestCount == 1) // the cache answered, no second request
    }

    @Test func refusesAnEntryThatEscapesAndLeavesTheCacheUntouched() throws {
        let base = try DataFixtures.makeTempDirectory()
        let root = base + "/cache/recsh"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: root + "/marker"))
        for evil in ["../evil", "ml-100k/../../evil", "/tmp/recsh-evil-\(UUID().uuidString)"] {
            let zip = DownloadZipWriter.zip(Self.fixtureEntries() + [(evil, Array("pwned".utf8))])
            let server = try DownloadTestServer(body: zip)
            defer { server.stop() }
            do {
                _ = try locator(cacheRoot: root, url: server.url).locate()
                Issue.record("an archive with \(evil) was accepted")
            } catch let error as RecError {
                #expect(error.message.contains("refusing the archive"), "\(error.message)")
                #expect(error.message.contains(evil))
            }
            #expect(contents(root) == ["marker"], "cache changed after \(evil)")
            #expect(!FileManager.default.fileExists(atPath: base + "/cache/evil"))
            #expect(!FileManager.default.fileExists(atPath: base + "/evil"))
            if evil.hasPrefix("/") { #expect(!FileManager.default.fileExists(atPath: evil)) }
        }
    }

    @Test func refusesAnArchiveWithoutTheExpectedFiles() throws {
        let entries = Self.fixtureEntries().filter { !$0.path.hasSuffix("u.user") }
        let server = try DownloadTestServer(body: DownloadZipWriter.zip(entries))
        defer { server.stop() }
        let root = try DataFixtures.makeTempDirectory() + "/recsh"
        do {
            _ = try locator(cacheRoot: root, url: server.url).locate()
            Issue.record("an incomplete archive was accepted")
        } catch let error as RecError {
            #expect(error.message.contains("lacks u.user"), "\(error.message)")
        }
        #expect(contents(root).isEmpty)
    }

    @Test func httpErrorsAndNoServerSayWhatToDo() throws {
        let server = try DownloadTestServer(body: [], status: 404)
        defer { server.stop() }
        let root = try DataFixtures.makeTempDirectory() + "/recsh"
        do {
            _ = try locator(cacheRoot: root, url: server.url).locate()
            Issue.record("a 404 was accepted")
        } catch let error as RecError {
            #expect(error.message.contains("could not download \(server.url.absoluteString)"))
            #expect(error.message.contains("HTTP 404"))
            #expect(error.message.contains(root + "/ml-100k/u.data"))
            #expect(error.message.contains("path=DIR"))
        }

        // A port nobody listens on: the server above, once stopped.
        let gone = try DownloadTestServer(body: [], maxRequests: 0)
        gone.stop()
        do {
            _ = try locator(cacheRoot: root, url: gone.url).locate()
            Issue.record("a dead server was accepted")
        } catch let error as RecError {
            #expect(error.message.hasPrefix("could not download http://127.0.0.1:\(gone.port)/ml-100k.zip: "))
            #expect(error.message.contains("download https://files.grouplens.org/datasets/movielens/ml-100k.zip"))
        }
        #expect(contents(root).isEmpty)
    }

    @Test func ctrlCInterruptsTheDownloadAndLeavesNoCache() throws {
        let server = try DownloadTestServer(body: DownloadZipWriter.zip(Self.fixtureEntries()), delay: 1.5)
        defer { server.stop() }
        let root = try DataFixtures.makeTempDirectory() + "/recsh"
        let control = RunControl(shouldStop: { true })
        let started = Date()
        do {
            _ = try locator(cacheRoot: root, url: server.url).locate(control: control)
            Issue.record("an interrupted download succeeded")
        } catch let error as RecError {
            #expect(error.message.contains("interrupted"), "\(error.message)")
        }
        #expect(Date().timeIntervalSince(started) < 1.4) // did not wait for the answer
        #expect(contents(root).isEmpty)
    }

    @Test func resolutionOrderPathThenDataThenCache() throws {
        let explicit = try DataFixtures.directory(DataFixtures.ml100kFiles())
        var nested: [String: [UInt8]] = [:]
        for (name, bytes) in DataFixtures.ml100kFiles() { nested["ml-100k/" + name] = bytes }
        let dataParent = try DataFixtures.directory(nested)
        let root = try DataFixtures.makeTempDirectory()
        let cache = root + "/ml-100k"
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        for (name, bytes) in DataFixtures.ml100kFiles() { try Data(bytes).write(to: URL(fileURLWithPath: cache + "/" + name)) }
        let nowhere = URL(string: "http://127.0.0.1:9/none.zip")!

        #expect(try locator(cacheRoot: root, url: nowhere, path: explicit, data: dataParent).locate()
                == .init(directory: explicit, source: .path))
        #expect(try locator(cacheRoot: root, url: nowhere, data: dataParent).locate()
                == .init(directory: dataParent + "/ml-100k", source: .dataFlag))
        #expect(try locator(cacheRoot: root, url: nowhere).locate() == .init(directory: cache, source: .cache))

        // A wrong explicit setting is an error, not a fallback.
        #expect(throws: RecError.self) { try locator(cacheRoot: root, url: nowhere, path: root + "/missing").locate() }
        let noFiles = try DataFixtures.makeTempDirectory()
        do {
            _ = try locator(cacheRoot: root, url: nowhere, data: noFiles).locate()
            Issue.record("an empty --data directory was accepted")
        } catch let error as RecError {
            #expect(error.message.contains("missing u.data"))
        }
        // Offline by choice: the error says where to put the files.
        let empty = try DataFixtures.makeTempDirectory()
        var offline = locator(cacheRoot: empty, url: nowhere)
        offline.allowDownload = false
        #expect(throws: RecError.self) { try offline.locate() }
    }

    @Test func cacheRootFollowsXDGThenHome() {
        #expect(DatasetLocator.defaultCacheRoot(environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/h"]) == "/x/cache/recsh")
        #expect(DatasetLocator.defaultCacheRoot(environment: ["HOME": "/h"]) == "/h/.cache/recsh")
        #expect(DatasetLocator.defaultCacheRoot(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"]) == "/h/.cache/recsh")
    }

    @Test func entryPathSafety() {
        let base = URL(fileURLWithPath: "/tmp/target")
        #expect(ZipInstaller.safeDestination("ml-100k/u.data", under: base)?.path == "/tmp/target/ml-100k/u.data")
        #expect(ZipInstaller.safeDestination("./ml-100k/./u.data", under: base)?.path == "/tmp/target/ml-100k/u.data")
        for bad in ["../evil", "a/../../evil", "/etc/passwd", "..", "a\\..\\evil", "C:/x", "", "a/.."] {
            #expect(ZipInstaller.safeDestination(bad, under: base) == nil, "\(bad)")
        }
    }
}

/// Collects progress reports from any thread.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var updates: [ProgressUpdate] = []
    func add(_ u: ProgressUpdate) { lock.lock(); updates.append(u); lock.unlock() }
    var labels: Set<String> { lock.lock(); defer { lock.unlock() }; return Set(updates.map(\.label)) }
}
