import Foundation
import Testing
import TestSupport
@testable import GraphRec

/// Where the real ml-100k lives for tests, and small fixture directories the
/// tests write themselves (MovieLens data is never committed).
enum DataFixtures {
    /// `RECSH_TEST_DATA`, else `../shared/data/ml-100k` beside the package root.
    static let realDirectory = ML100KTestData.directory

    /// The real data set, loaded once for all tests.
    static let real: Result<Dataset, Error> = Result { try MovieLensLoader.load(directory: realDirectory) }

    static func realDataset() throws -> Dataset { try real.get() }

    /// A fresh empty directory under the system temp directory.
    static func makeTempDirectory(_ tag: String = "recsh-test") throws -> String { try TestFiles.directory(tag) }

    /// Writes `files` (name -> bytes) into a new temp directory and returns it.
    static func directory(_ files: [String: [UInt8]]) throws -> String { try TestFiles.directory(files) }

    static func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Latin-1 bytes of a string whose characters are all <= U+00FF.
    static func latin1(_ s: String) -> [UInt8] {
        s.unicodeScalars.map { precondition($0.value < 256); return UInt8($0.value) }
    }

    static let genreFile = ML100KReader.standardGenres.enumerated().map { "\($1)|\($0)\n" }.joined() + "\n"
    static let occupationFile = "administrator\nartist\ndoctor\nengineer\nstudent\ntechnician\nwriter\n"

    /// A genre-flag tail for u.item with the given 0-based columns set.
    static func flags(_ set: Set<Int>) -> String {
        (0..<19).map { set.contains($0) ? "1" : "0" }.joined(separator: "|")
    }

    /// A tiny ml-100k: 4 users, 4 movies (one Latin-1 title), 12 ratings.
    static func ml100kFiles(data: String? = nil, item: [UInt8]? = nil, user: String? = nil) -> [String: [UInt8]] {
        let defaultItem = "1|Toy Story (1995)|01-Jan-1995||http://x|\(flags([3, 4, 5]))\n"
            + "2|GoldenEye (1995)|01-Jan-1995||http://x|\(flags([1, 2, 16]))\n"
            + "3|Misérables, Les (1995)|01-Jan-1995||http://x|\(flags([8, 17]))\n"
            + "4|unknown||||\(flags([0]))\n"
        let defaultUser = "1|24|M|technician|85711\n2|53|F|writer|94043\n3|23|M|student|32067\n4|48|F|doctor|10001\n"
        let defaultData = [
            "1\t1\t5\t874965758", "1\t2\t3\t876893171", "1\t3\t4\t878542960", "2\t1\t4\t888550871",
            "2\t2\t2\t888551000", "2\t4\t3\t888552000", "3\t1\t1\t889237455", "3\t3\t5\t889237269",
            "3\t4\t4\t889237270", "4\t2\t5\t891035000", "4\t3\t3\t891035001", "4\t1\t2\t891035002",
        ].joined(separator: "\n") + "\n"
        return [
            "u.data": utf8(data ?? defaultData),
            "u.item": item ?? latin1(defaultItem),
            "u.user": utf8(user ?? defaultUser),
            "u.genre": utf8(genreFile),
            "u.occupation": utf8(occupationFile),
        ]
    }
}

/// The message of the `RecError` that `body` throws; records an issue when it throws nothing or something else.
func recErrorMessage(_ body: () throws -> Any) -> String {
    do {
        _ = try body()
        Issue.record("expected a RecError")
        return ""
    } catch let error as RecError {
        return error.message
    } catch {
        Issue.record("expected a RecError, got \(error)")
        return ""
    }
}
