import Testing
@testable import Engine

@Suite("CSV")
struct CSVTests {
    @Test("RFC 4180: quoted commas, doubled quotes, newlines in quotes, CRLF, BOM")
    func quoting() throws {
        let text = "\u{FEFF}name,\"a,b\",c\r\n\"x, \"\"quoted\"\"\",1,2\r\n\"two\nlines\",3,4\r\n\r\nlast,5,6"
        let records = try CSV.records(Array(text.utf8), path: "q.csv")
        #expect(records.map(\.fields) == [["name", "a,b", "c"], ["x, \"quoted\"", "1", "2"], ["two\nlines", "3", "4"], ["last", "5", "6"]])
        #expect(records.map(\.line) == [1, 2, 3, 6])
    }

    @Test("an unterminated quote and text after a closing quote are errors with their line")
    func badQuotes() {
        let open = dataError { () throws(DataError) in try CSV.records(Array("a,b\n1,\"x\n2,3\n".utf8), path: "f.csv") }
        guard case .badCSV("f.csv", 2, _, let reason)? = open else { Issue.record("got \(String(describing: open))"); return }
        #expect(reason.contains("never closed"))
        let after = dataError { () throws(DataError) in try CSV.records(Array("a,b\n1,2\n\"x\"y,3\n".utf8), path: "f.csv") }
        guard case .badCSV("f.csv", 3, "1", _)? = after else { Issue.record("got \(String(describing: after))"); return }
    }

    @Test("a string target becomes sorted class indices with names")
    func classification() throws {
        let t = TempFolder()
        let p = t.write("iris.csv", text: "sepal,petal,species\n1.0,2,virginica\n3,4.5,setosa\n5,6,\"versicolor\"\n7,8,setosa\n")
        let d = try CSV.load(CSVSource(path: p, target: ["species"])).dataset
        #expect(d.task == .classification(classes: 3, names: ["setosa", "versicolor", "virginica"]))
        #expect(d.y == [2, 0, 1, 0])
        #expect(d.x == [1, 2, 3, 4.5, 5, 6, 7, 8])
        #expect(d.sampleShape == [2])
    }

    @Test("a numeric target is regression unless declared categorical; features by name")
    func regressionAndDeclared() throws {
        let t = TempFolder()
        let p = t.write("h.csv", text: "a,b,c,price,rooms\n1,2,3,100.5,3\n4,5,6,200,5\n7,8,9,150,3\n")
        let r = try CSV.load(CSVSource(path: p, target: ["price"], features: ["c", "a"])).dataset
        #expect(r.task == .regression(outputs: 1))
        #expect(r.y == [100.5, 200, 150])
        #expect(r.x == [3, 1, 6, 4, 9, 7])
        let two = try CSV.load(CSVSource(path: p, target: ["price", "rooms"])).dataset
        #expect(two.task == .regression(outputs: 2))
        #expect(two.y == [100.5, 3, 200, 5, 150, 3])
        #expect(two.sampleShape == [3])
        let c = try CSV.load(CSVSource(path: p, target: ["rooms"], task: .classification)).dataset
        #expect(c.task == .classification(classes: 2, names: ["3", "5"]))
        #expect(c.y == [0, 1, 0])
    }

    @Test("missing and non-numeric values name file, line and column")
    func invalidValues() {
        let t = TempFolder()
        let p = t.write("bad.csv", text: "a,b,y\n1,2,0\n3,,1\n5,x6,0\n7,8,\n")
        let e = dataError { () throws(DataError) in try CSV.load(CSVSource(path: p, target: ["y"])) }
        #expect(e == .badCSV(path: p, line: 3, column: "'b' (2)", reason: "missing value"))
        #expect(e?.description.contains("bad.csv:3") == true)
        let q = t.write("bad2.csv", text: "a,b,y\n1,2,0\n5,x6,0\n")
        let e2 = dataError { () throws(DataError) in try CSV.load(CSVSource(path: q, target: ["y"])) }
        #expect(e2 == .badCSV(path: q, line: 3, column: "'b' (2)", reason: "'x6' is not a number"))
    }

    @Test("dropInvalid drops and counts such rows")
    func dropInvalid() throws {
        let t = TempFolder()
        let p = t.write("bad.csv", text: "a,b,y\n1,2,0\n3,,1\n5,x6,0\n7,8,\n9,10,1\n")
        let loaded = try CSV.load(CSVSource(path: p, target: ["y"], dropInvalid: true))
        #expect(loaded.droppedRows == 3)
        #expect(loaded.firstDroppedLine == 3)
        #expect(loaded.dataset.x == [1, 2, 9, 10])
        #expect(loaded.dataset.y == [0, 1])
        let data = try loadData(.csv(CSVSource(path: p, target: ["y"], dropInvalid: true)))
        #expect(data.notes.count == 1 && data.notes[0].contains("dropped 3 rows"))
    }

    @Test("a ragged row is an error with its line number")
    func ragged() {
        let t = TempFolder()
        let p = t.write("r.csv", text: "a,b,y\n1,2,0\n\"multi\nline\",3\n3,4,1\n")
        let e = dataError { () throws(DataError) in try CSV.load(CSVSource(path: p, target: ["y"], dropInvalid: true)) }
        #expect(e == .badCSV(path: p, line: 3, column: nil, reason: "2 fields, but the header has 3"))
    }

    @Test("unknown columns, missing file, empty file")
    func otherErrors() {
        let t = TempFolder()
        let p = t.write("h.csv", text: "a,b,y\n1,2,3\n")
        let e = dataError { () throws(DataError) in try CSV.load(CSVSource(path: p, target: ["price"])) }
        guard case .badCSV(p, 1, nil, let reason)? = e else { Issue.record("got \(String(describing: e))"); return }
        #expect(reason.contains("'price'") && reason.contains("a, b, y"))
        #expect(dataError { () throws(DataError) in try CSV.load(CSVSource(path: t.path + "/none.csv", target: ["y"])) }
                == .missingFile(path: t.path + "/none.csv", hint: nil))
        let empty = t.write("e.csv", text: "")
        guard case .badCSV(empty, 1, nil, _)? = dataError({ () throws(DataError) in try CSV.load(CSVSource(path: empty, target: ["y"])) }) else {
            Issue.record("empty file"); return
        }
    }
}
