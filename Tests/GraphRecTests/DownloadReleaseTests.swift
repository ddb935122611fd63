import Foundation
import Testing
@testable import GraphRec

/// `load ml-1m | ml-10m | ...` against the loopback server: each release's
/// zip folder, the published checksums, and the SHA-256 recorded at the
/// first download of a release that has none.
@Suite(.serialized) struct DownloadReleaseTests {
    static func entries(_ files: [String: [UInt8]], folder: String) -> [(path: String, bytes: [UInt8])] {
        [(folder + "/", [])] + files.sorted { $0.key < $1.key }.map { (folder + "/" + $0.key, $0.value) }
    }

    static func ml10mFiles() -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for (path, bytes) in LayoutAndTableTests.ml10mFiles { files[String(path.split(separator: "/").last!)] = bytes }
        return files
    }

    @Test func everyReleaseDownloadsIntoItsOwnCacheDirectory() throws {
        let cases: [(MovieLensRelease, [String: [UInt8]], Dataset.Layout)] = [
            (.ml1m, LoaderFixtureTests.ml1mFiles, .ml1m),
            (.ml10m, Self.ml10mFiles(), .ml10m),
            (.ml20m, LoaderFixtureTests.latestFiles, .mlLatest),
            (.ml25m, LoaderFixtureTests.latestFiles, .mlLatest),
            (.ml32m, LoaderFixtureTests.latestFiles, .mlLatest),
            (.mlLatestSmall, LoaderFixtureTests.latestFiles, .mlLatest),
        ]
        for (release, files, layout) in cases {
            let zip = DownloadZipWriter.zip(Self.entries(files, folder: release.folder))
            let server = try DownloadTestServer(body: zip)
            defer { server.stop() }
            let root = try DataFixtures.makeTempDirectory() + "/recsh"
            let locator = DatasetLocator(release: release, cacheRoot: root, url: server.url, timeout: 5, environment: [:])
            let (d, location) = try locator.load()
            #expect(location == DatasetLocator.Location(directory: root + "/" + release.name, source: .download))
            #expect(d.name == release.name && d.layout == layout, "\(release.name)")
            #expect(try locator.locate().source == .cache)
            #expect(server.requestCount == 1)
            let record = try String(contentsOfFile: root + "/\(release.name).zip.sha256", encoding: .utf8)
            #expect(record.hasPrefix(MovieLensLoader.sha256Hex(zip)))
        }
    }

    @Test func publishedChecksumsAreChecked() throws {
        let zip = DownloadZipWriter.zip(Self.entries(LoaderFixtureTests.ml1mFiles, folder: "ml-1m"))
        let server = try DownloadTestServer(body: zip)
        defer { server.stop() }
        let root = try DataFixtures.makeTempDirectory() + "/recsh"
        var release = MovieLensRelease.ml1m
        release.url = server.url
        do {
            _ = try DatasetLocator(release: release, cacheRoot: root, timeout: 5, environment: [:]).locate()
            Issue.record("a download of the wrong size was accepted")
        } catch let error as RecError {
            #expect(error.message.contains("GroupLens publishes 5917549"), "\(error.message)")
            #expect(error.message.contains("nothing was installed"))
        }
        release.bytes = zip.count
        do {
            _ = try DatasetLocator(release: release, cacheRoot: root, timeout: 5, environment: [:]).locate()
            Issue.record("a download with the wrong SHA-256 was accepted")
        } catch let error as RecError {
            #expect(error.message.contains("expected the published a6898adb"), "\(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/ml-1m"))
        release.sha256 = MovieLensLoader.sha256Hex(zip)
        #expect(try DatasetLocator(release: release, cacheRoot: root, timeout: 5, environment: [:]).locate().source == .download)

        var md5Release = MovieLensRelease.ml10m
        md5Release.url = server.url
        let other = try DataFixtures.makeTempDirectory() + "/recsh"
        #expect(throws: RecError.self) {
            try DatasetLocator(release: md5Release, cacheRoot: other, timeout: 5, environment: [:]).locate()
        }
    }

    @Test func aLaterDownloadMustMatchTheFirst() throws {
        let root = try DataFixtures.makeTempDirectory() + "/recsh"
        let first = DownloadZipWriter.zip(Self.entries(LoaderFixtureTests.latestFiles, folder: "ml-32m"))
        let server = try DownloadTestServer(body: first)
        _ = try DatasetLocator(release: .ml32m, cacheRoot: root, url: server.url, timeout: 5, environment: [:]).locate()
        server.stop()
        try FileManager.default.removeItem(atPath: root + "/ml-32m")

        var changed = LoaderFixtureTests.latestFiles
        changed["ratings.csv"] = DataFixtures.utf8("userId,movieId,rating,timestamp\n1,1,5.0,1\n")
        let second = try DownloadTestServer(body: DownloadZipWriter.zip(Self.entries(changed, folder: "ml-32m")))
        defer { second.stop() }
        do {
            _ = try DatasetLocator(release: .ml32m, cacheRoot: root, url: second.url, timeout: 5, environment: [:]).locate()
            Issue.record("a changed download was accepted")
        } catch let error as RecError {
            #expect(error.message.contains("but the first download recorded \(MovieLensLoader.sha256Hex(first))"),
                    "\(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/ml-32m"))
    }

    @Test func theCatalogueNamesEveryRelease() {
        #expect(MovieLensRelease.all.map(\.name) == ["ml-100k", "ml-latest-small", "ml-1m", "ml-10m", "ml-20m", "ml-25m", "ml-32m"])
        #expect(MovieLensRelease.named("ml-10m")?.folder == "ml-10M100K")
        #expect(MovieLensRelease.all.allSatisfy { $0.url.absoluteString == "https://files.grouplens.org/datasets/movielens/\($0.name).zip" })
    }
}
