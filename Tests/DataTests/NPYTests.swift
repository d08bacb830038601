import Testing
@testable import Engine

@Suite("NPY")
struct NPYTests {
    let features: [Float] = [0.5, -1.25, 3, 4, 1e-3, 6]

    @Test("every supported dtype, versions 1.0 and 2.0", arguments: ["<f4", "<f8", "|u1", "<i4", "<i8"])
    func dtypes(descr: String) throws {
        let t = TempFolder()
        let values: [Double] = [0, 1, 2, 3, 250, 7]
        let data: [UInt8] = switch descr {
        case "<f4": le(values.map { Float($0) })
        case "<f8": le(values)
        case "|u1": values.map { UInt8($0) }
        case "<i4": le(values.map { Int32($0) })
        default: le(values.map { Int64($0) })
        }
        for version: UInt8 in [1, 2] {
            let x = t.write("x\(version).npy", npy(descr: descr, shape: [3, 2], data: data, version: version))
            let y = t.write("y\(version).npy", npy(descr: descr, shape: [3], data: Array(data.prefix(data.count / 2))))
            let d = try NPY.load(NPYSource(x: x, y: y))
            #expect(d.sampleShape == [2])
            #expect(d.x == values.map { Float($0) })
            #expect(d.y == [0, 1, 2])
            if descr.contains("f") {
                #expect(d.task == .regression(outputs: 1))
            } else {
                #expect(d.task == .classification(classes: 3, names: nil))
            }
        }
    }

    @Test("images keep their shape; (n, k) targets are k outputs; task can be declared")
    func shapes() throws {
        let t = TempFolder()
        let x = t.write("x.npy", npy(descr: "|u1", shape: [2, 2, 2, 1], data: [1, 2, 3, 4, 5, 6, 7, 8]))
        let y = t.write("y.npy", npy(descr: "<f4", shape: [2, 3], data: le(features)))
        let d = try NPY.load(NPYSource(x: x, y: y))
        #expect(d.sampleShape == [2, 2, 1])
        #expect(d.task == .regression(outputs: 3))
        #expect(d.y == features)
        let yi = t.write("yi.npy", npy(descr: "<i8", shape: [2], data: le([Int64(4), 2])))
        let r = try NPY.load(NPYSource(x: x, y: yi, task: .regression))
        #expect(r.task == .regression(outputs: 1))
        let yf = t.write("yf.npy", npy(descr: "<f8", shape: [2, 1], data: le([1.0, 0.0])))
        #expect(try NPY.load(NPYSource(x: x, y: yf, task: .classification)).task == .classification(classes: 2, names: nil))
        let yb = t.write("yb.npy", npy(descr: "<f8", shape: [2], data: le([1.5, 0.0])))
        guard case .badNPY(yb, _)? = dataError({ () throws(DataError) in try NPY.load(NPYSource(x: x, y: yb, task: .classification)) }) else {
            Issue.record("fractional labels"); return
        }
    }

    /// Each bad file, and a fragment of its message.
    @Test("unsupported dtype, Fortran order, big-endian, bad header, truncated data")
    func badFiles() {
        let t = TempFolder()
        let y = t.write("y.npy", npy(descr: "<i4", shape: [3], data: le([Int32(0), 1, 2])))
        let cases: [(String, [UInt8], String)] = [
            ("dtype", npy(descr: "<f2", shape: [3, 2], data: [UInt8](repeating: 0, count: 12)), "unsupported dtype '<f2'"),
            ("complex", npy(descr: "<c8", shape: [3, 2], data: [UInt8](repeating: 0, count: 48)), "unsupported dtype"),
            ("fortran", npy(descr: "<f4", shape: [3, 2], data: le(features), fortran: true), "Fortran order"),
            ("bigendian", npy(descr: ">f4", shape: [3, 2], data: le(features)), "big-endian"),
            ("header", npy(descr: "", shape: [], data: le(features), header: "{'descr': '<f4', 'shape': (3, 2}"), "bad header"),
            ("noshape", npy(descr: "", shape: [], data: le(features), header: "{'descr': '<f4', 'fortran_order': False}"), "no 'shape'"),
            ("magic", Array("NOTNUMPY file".utf8), "magic"),
            ("truncated", npy(descr: "<f4", shape: [3, 2], data: Array(le(features).dropLast(3))), "truncated"),
            ("version", { var b = npy(descr: "<f4", shape: [3, 2], data: le(features)); b[6] = 9; return b }(), "format version 9"),
            ("structured", npy(descr: "", shape: [], data: le(features), header: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }"), "structured"),
        ]
        for (name, bytes, fragment) in cases {
            let x = t.write("\(name).npy", bytes)
            let e = dataError { () throws(DataError) in try NPY.load(NPYSource(x: x, y: y)) }
            guard case .badNPY(let path, let reason)? = e else { Issue.record("\(name): got \(String(describing: e))"); continue }
            #expect(path == x)
            #expect(reason.contains(fragment), "\(name): \(reason)")
        }
    }

    @Test("x and y with different first axes")
    func countMismatch() {
        let t = TempFolder()
        let x = t.write("x.npy", npy(descr: "<f4", shape: [3, 2], data: le(features)))
        let y = t.write("y.npy", npy(descr: "<i8", shape: [2], data: le([Int64(0), 1])))
        let e = dataError { () throws(DataError) in try loadData(.npy(NPYSource(x: x, y: y))) }
        #expect(e == .sampleCountMismatch(x: x, xCount: 3, y: y, yCount: 2))
        #expect(dataError { () throws(DataError) in try NPY.load(NPYSource(x: x, y: t.path + "/none.npy")) }
                == .missingFile(path: t.path + "/none.npy", hint: nil))
    }
}
