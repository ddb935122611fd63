import Foundation
import Testing
@testable import GraphRec

/// Inputs that must never trap or load quietly: duplicate genres, empty and
/// header-only rating files, duplicate rating lines, impossible ids, byte-order
/// marks; and the `bad-lines` policy (strict names the line, skip counts it).
@Suite struct LoaderHardeningTests {
    func message(_ body: () throws -> Any) -> String { recErrorMessage(body) }

    func load(_ files: [String: [UInt8]], badLines: BadLinePolicy = .strict) throws -> Dataset {
        try MovieLensLoader.load(directory: try DataFixtures.directory(files), badLines: badLines)
    }

    @Test func aGenreNamedTwiceIsAnErrorNotATrap() throws {
        var files = DataFixtures.ml100kFiles()
        files["u.genre"] = DataFixtures.utf8("unknown|0\nAction|1\nAction|2\n")
        let text = message { try load(files) }
        #expect(text.contains("u.genre line 3: duplicate genre 'Action' (first on line 2)"), "\(text)")
    }

    @Test func emptyAndHeaderOnlyRatingFilesAreErrors() throws {
        for data in ["", "\n\n", "  \n"] {
            let text = message { try load(DataFixtures.ml100kFiles(data: data)) }
            #expect(text.contains("u.data: no ratings"), "\(text)")
        }
        var files = LoaderFixtureTests.latestFiles
        files["ratings.csv"] = DataFixtures.utf8("userId,movieId,rating,timestamp\n")
        #expect(message { try load(files) }.contains("ratings.csv: no ratings"))
        files = LoaderFixtureTests.latestFiles
        files["movies.csv"] = DataFixtures.utf8("movieId,title,genres\n")
        #expect(message { try load(files) }.contains("movies.csv: no movies"))
        var item = DataFixtures.ml100kFiles()
        item["u.user"] = []
        #expect(message { try load(item) }.contains("u.user: no users"))
    }

    @Test func duplicateRatingLinesKeepTheFirstAndAreCounted() throws {
        let data = "1\t1\t5\t1\n1\t2\t3\t2\n1\t1\t2\t3\n2\t1\t4\t4\n1\t1\t5\t5\n"
        let d = try load(DataFixtures.ml100kFiles(data: data))
        #expect(d.ratings.count == 3)
        #expect(d.ratings[0] == Rating(user: 0, movie: 0, value: 5, timestamp: 1))
        #expect(d.report.duplicateRatings == 2)
        #expect(d.report.firstDuplicate == "u.data line 3")
        #expect(d.report.warnings.count == 1 && d.report.warnings[0].contains("2 duplicate rating lines"))
        #expect(try load(DataFixtures.ml100kFiles()).report.duplicateRatings == 0)
    }

    @Test func movieAndUserIdsMustBePositive() throws {
        for id in ["0", "-1"] {
            let item = DataFixtures.latin1("\(id)|Zero (1995)|||u|\(DataFixtures.flags([1]))\n")
            let text = message { try load(DataFixtures.ml100kFiles(item: item)) }
            #expect(text.contains("u.item line 1: movie id \(id) is not a positive whole number"), "\(text)")
        }
        let text = message { try load(DataFixtures.ml100kFiles(user: "0|24|M|technician|85711\n")) }
        #expect(text.contains("u.user line 1: user id 0 is not a positive whole number"), "\(text)")
        var files = LoaderFixtureTests.latestFiles
        files["movies.csv"] = DataFixtures.utf8("movieId,title,genres\n-1,Bad (1999),Drama\n")
        #expect(message { try load(files) }.contains("movies.csv line 2: movie id -1 is not a positive whole number"))
    }

    @Test func aLeadingByteOrderMarkIsSkippedAndAnInnerOneIsShown() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        var files = DataFixtures.ml100kFiles()
        let plain = try load(files)
        files["u.data"] = bom + files["u.data"]!
        let d = try load(files)
        #expect(d.ratings == plain.ratings)
        #expect(d.checksum != plain.checksum) // the checksum is of the file's bytes as they are

        files = LoaderFixtureTests.latestFiles
        files["ratings.csv"] = bom + files["ratings.csv"]!
        files["movies.csv"] = bom + files["movies.csv"]!
        #expect(try load(files).ratings.count == 4)

        let inner = "1\t1\t5\t1\n\u{FEFF}2\t1\t4\t2\n"
        let text = message { try load(DataFixtures.ml100kFiles(data: inner)) }
        #expect(text.contains("u.data line 2: user id '\\u{FEFF}2' is not a whole number"), "\(text)")

        files = DataFixtures.ml100kFiles()
        files["u.data"] = [0xFF, 0xFE] + Array("1\t1\t5\t1\n".utf8)
        #expect(message { try load(files) }.contains("u.data line 1: the file starts with a UTF-16 byte-order mark"))
    }

    @Test func badLinesAreStrictByDefaultAndSkippedOnRequest() throws {
        let data = "1\t1\t5\t1\n1\t2\t3\n1\t3\t4\t2\n9\t1\t4\t3\n2\t99\t3\t4\n2\t1\t4\t5\n"
        let files = DataFixtures.ml100kFiles(data: data)
        let text = message { try load(files) }
        #expect(text.contains("u.data line 2: expected 4 tab-separated fields"), "\(text)")

        let d = try load(files, badLines: .skip)
        #expect(d.ratings.count == 3)
        #expect(d.report.skippedLines == 3)
        #expect(d.report.skipped.map(\.line) == [2, 4, 5])
        #expect(d.report.skipped[1].reason == "unknown user id 9")
        #expect(d.report.skipped[2].reason == "unknown movie id 99")
        #expect(d.report.warnings.first?.contains("skipped 3 bad lines") == true)

        // A bad movie line under skip takes its ratings with it.
        let item = DataFixtures.latin1("1|A (1995)|||u|\(DataFixtures.flags([1]))\nx|B|||u|\(DataFixtures.flags([1]))\n"
                                       + "2|C (1995)|||u|\(DataFixtures.flags([2]))\n3|D|||u|\(DataFixtures.flags([2]))\n"
                                       + "4|E|||u|\(DataFixtures.flags([2]))\n")
        let e = try load(DataFixtures.ml100kFiles(item: item), badLines: .skip)
        #expect(e.movieCount == 4 && e.report.skippedLines == 1 && e.report.skipped[0].file.hasSuffix("u.item"))

        let none = message { try load(DataFixtures.ml100kFiles(data: "1\t1\n2\t2\n"), badLines: .skip) }
        #expect(none.contains("u.data: no ratings left after skipping 2 bad lines"), "\(none)")
    }

    @Test func invisibleCharactersAreSpelledOut() {
        #expect(TextFile.visible("a\u{FEFF}b\u{202E}c\td") == "a\\u{FEFF}b\\u{202E}c\\u{9}d")
        #expect(TextFile.visible("Amélie") == "Amélie")
    }
}
