import Crypto
import Foundation

/// A MovieLens release GroupLens publishes as a zip: where it is, which
/// folder the zip holds, the files a usable copy has, and the checksums the
/// download is checked against.
///
/// Pinned checksums: the SHA-256 and sizes are those TensorFlow Datasets
/// records for the GroupLens zips (`url_checksums/movielens.txt`); ml-10m's
/// MD5 is the one GroupLens publishes beside the zip (`ml-10m.zip.md5`).
/// ml-32m has none published that recsh can cite: its SHA-256 is recorded
/// at the first download (`DownloadRecord`) and every later download must
/// match it.
public struct MovieLensRelease: Sendable, Equatable {
    /// What `load` takes and the cache directory's name ("ml-1m").
    public var name: String
    public var url: URL
    /// The top folder inside the zip ("ml-10M100K" for ml-10m).
    public var folder: String
    /// Files a complete copy holds.
    public var files: [String]
    /// Published size of the zip in bytes, when known.
    public var bytes: Int?
    /// Published hex SHA-256 of the zip, when known.
    public var sha256: String?
    /// Published hex MD5 of the zip, when known and no SHA-256 is.
    public var md5: String?

    public init(name: String, url: URL, folder: String? = nil, files: [String], bytes: Int? = nil,
                sha256: String? = nil, md5: String? = nil) {
        self.name = name
        self.url = url
        self.folder = folder ?? name
        self.files = files
        self.bytes = bytes
        self.sha256 = sha256
        self.md5 = md5
    }

    static func grouplens(_ name: String) -> URL {
        URL(string: "https://files.grouplens.org/datasets/movielens/\(name).zip")!
    }

    static let csvFiles = ["ratings.csv", "movies.csv"]

    public static let ml100k = MovieLensRelease(
        name: "ml-100k", url: grouplens("ml-100k"), files: ["u.data", "u.item", "u.user", "u.genre", "u.occupation"],
        bytes: 4_924_029, sha256: "50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229")
    public static let ml1m = MovieLensRelease(
        name: "ml-1m", url: grouplens("ml-1m"), files: ["ratings.dat", "movies.dat", "users.dat"],
        bytes: 5_917_549, sha256: "a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20")
    public static let ml10m = MovieLensRelease(
        name: "ml-10m", url: grouplens("ml-10m"), folder: "ml-10M100K", files: ["ratings.dat", "movies.dat"],
        md5: "ce571fd55effeba0271552578f2648bd")
    public static let ml20m = MovieLensRelease(
        name: "ml-20m", url: grouplens("ml-20m"), files: csvFiles,
        bytes: 198_702_078, sha256: "96f243c338a8665f6bcc89c53edf6ee39162a846940de6b7c8c48aeada765ff3")
    public static let ml25m = MovieLensRelease(
        name: "ml-25m", url: grouplens("ml-25m"), files: csvFiles,
        bytes: 261_978_986, sha256: "8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa")
    public static let ml32m = MovieLensRelease(name: "ml-32m", url: grouplens("ml-32m"), files: csvFiles)
    public static let mlLatestSmall = MovieLensRelease(
        name: "ml-latest-small", url: grouplens("ml-latest-small"), files: csvFiles,
        bytes: 978_202, sha256: "696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436")

    /// Every release `load NAME` knows, smallest first.
    public static let all: [MovieLensRelease] = [.ml100k, .mlLatestSmall, .ml1m, .ml10m, .ml20m, .ml25m, .ml32m]

    public static func named(_ name: String) -> MovieLensRelease? { all.first { $0.name == name } }

    /// Checks a downloaded zip against the published size and checksums;
    /// throws naming what differs.
    func verify(_ zip: Data) throws {
        if let bytes, zip.count != bytes {
            throw RecError("the download of \(name) is \(zip.count) bytes, but GroupLens publishes \(bytes)")
        }
        if let sha256 {
            let got = MovieLensLoader.sha256Hex([UInt8](zip))
            guard got == sha256 else {
                throw RecError("the download of \(name) has SHA-256 \(got), expected the published \(sha256)")
            }
        } else if let md5 {
            let got = Insecure.MD5.hash(data: zip).map { String(format: "%02x", $0) }.joined()
            guard got == md5 else {
                throw RecError("the download of \(name) has MD5 \(got), expected the published \(md5)")
            }
        }
    }
}

/// The SHA-256 of each release's first download, kept beside the cache as
/// `NAME.zip.sha256`, so that a release without a published checksum is
/// still checked the next time it is downloaded (after the cache is removed).
enum DownloadRecord {
    static func path(_ release: MovieLensRelease, cacheRoot: String) -> String {
        MovieLensLoader.join(cacheRoot, "\(release.name).zip.sha256")
    }

    /// Throws when an earlier download recorded a different SHA-256.
    static func check(_ zip: Data, release: MovieLensRelease, cacheRoot: String) throws {
        let file = path(release, cacheRoot: cacheRoot)
        guard let data = FileManager.default.contents(atPath: file) else { return }
        let sha = MovieLensLoader.sha256Hex([UInt8](zip))
        let recorded = String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
            .first.map(String.init) ?? ""
        guard recorded == sha else {
            throw RecError("the download of \(release.name) has SHA-256 \(sha), but the first download recorded "
                           + "\(recorded) in \(file); if GroupLens changed the file, delete that record and load again")
        }
    }

    /// Records the SHA-256 of an installed download, unless one is recorded already.
    static func record(_ zip: Data, release: MovieLensRelease, url: URL, cacheRoot: String) {
        let file = path(release, cacheRoot: cacheRoot)
        guard !FileManager.default.fileExists(atPath: file) else { return }
        let sha = MovieLensLoader.sha256Hex([UInt8](zip))
        try? Data("\(sha)  \(url.absoluteString)\n".utf8).write(to: URL(fileURLWithPath: file))
    }
}
