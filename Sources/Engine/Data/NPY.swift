/// Two NumPy `.npy` files, features and targets.
public struct NPYSource: Sendable, Equatable {
    /// The features: shape (n, …), one sample per row of the first axis.
    public var x: String
    /// The targets: shape (n,) or (n, k).
    public var y: String
    /// The task, when `y`'s dtype should not decide it (integers → classification,
    /// floats → regression).
    public var task: TargetKind?

    public init(x: String, y: String, task: TargetKind? = nil) {
        self.x = x
        self.y = y
        self.task = task
    }
}

/// NumPy's `.npy` format, versions 1.0, 2.0 and 3.0 (NEP 1, "A simple file format for NumPy
/// arrays"): the magic string `\x93NUMPY`, a major and minor version byte, the header's
/// length (2 bytes little-endian in version 1, 4 bytes from version 2), then the header —
/// a Python dict literal with `descr`, `fortran_order` and `shape` — then the values.
///
/// Read here: C order, little-endian, dtypes `<f4`, `<f8`, `|u1`, `<i4`, `<i8`. Anything
/// else (Fortran order, big-endian, other dtypes, object arrays) is an error naming it.
public enum NPY {
    /// A decoded array, its values as Double (exact for every supported dtype except
    /// int64 beyond 2⁵³) or as Float for large feature arrays.
    struct Header {
        var descr: String
        var fortranOrder: Bool
        var shape: [Int]
        var dataOffset: Int
        /// The number of values, the product of `shape`, checked for overflow by `header`.
        var count: Int
        var itemSize: Int { descr.hasSuffix("1") ? 1 : descr.hasSuffix("4") ? 4 : 8 }
        var isInteger: Bool { descr.dropFirst().first != "f" }
    }

    /// The most classes a label file may imply (its largest label + 1): far beyond any
    /// classifier's output layer, small enough that one-hot rows stay allocatable.
    public static let maxClasses = 1 << 20

    static let supported = ["<f4", "<f8", "|u1", "<u1", "<i4", "<i8"]

    /// Parses and checks the header of `bytes`, read from `path`.
    static func header(_ bytes: [UInt8], path: String) throws(DataError) -> Header {
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw .badNPY(path: path, reason: EngineSay.npyMagic)
        }
        let major = bytes[6]
        let headerLength: Int, start: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw .badNPY(path: path, reason: EngineSay.npyTruncatedHeader) }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        default:
            throw .badNPY(path: path, reason: EngineSay.npyVersion(major, bytes[7]))
        }
        guard bytes.count >= start + headerLength else {
            throw .badNPY(path: path, reason: EngineSay.npyHeaderLength(headerLength, holds: bytes.count - start))
        }
        let text = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        var parser = DictParser(text: Array(text.unicodeScalars))
        guard let dict = parser.parseDict() else {
            throw .badNPY(path: path, reason: EngineSay.npyBadHeader(text.filter { $0 != "\n" }))
        }
        guard case .string(let descr)? = dict["descr"] else {
            if dict["descr"] != nil { throw .badNPY(path: path, reason: EngineSay.npyStructured) }
            throw .badNPY(path: path, reason: EngineSay.npyNoDescr)
        }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw .badNPY(path: path, reason: EngineSay.npyNoFortranOrder)
        }
        guard case .tuple(let shape)? = dict["shape"] else {
            throw .badNPY(path: path, reason: EngineSay.npyNoShape)
        }
        if descr.first == ">" {
            throw .badNPY(path: path, reason: EngineSay.npyBigEndian(descr))
        }
        guard supported.contains(descr) else {
            throw .badNPY(path: path, reason: EngineSay.npyDtype(descr))
        }
        if fortran && shape.count > 1 {
            throw .badNPY(path: path, reason: EngineSay.npyFortran)
        }
        // The shape is the file's claim: multiply with overflow checks and compare with the
        // bytes actually present before anything is allocated for it.
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw .badNPY(path: path, reason: EngineSay.npyShapeOverflows(shape)) }
            count = product
        }
        let h = Header(descr: descr, fortranOrder: fortran, shape: shape, dataOffset: start + headerLength, count: count)
        let (needed, overflow) = count.multipliedReportingOverflow(by: h.itemSize)
        let present = bytes.count - h.dataOffset
        guard !overflow, present == needed else {
            if overflow { throw .badNPY(path: path, reason: EngineSay.npyShapeOverflows(shape)) }
            let what = present < needed ? "truncated" : "too long"
            throw .badNPY(path: path, reason: EngineSay.npyLength(what, shape: shape, descr: descr, needs: needed, holds: present))
        }
        return h
    }

    /// The values of an array as `T`, converted from the stored dtype (little-endian).
    static func values<T: BinaryFloatingPoint>(_ bytes: [UInt8], _ h: Header, as: T.Type) -> [T] {
        let n = h.count
        return [T](unsafeUninitializedCapacity: n) { out, initialized in
            bytes.withUnsafeBytes { raw in
                let o = h.dataOffset
                switch h.descr {
                case "<f4": for i in 0..<n { out[i] = T(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o + 4 * i, as: UInt32.self)))) }
                case "<f8": for i in 0..<n { out[i] = T(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o + 8 * i, as: UInt64.self)))) }
                case "<i4": for i in 0..<n { out[i] = T(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: o + 4 * i, as: Int32.self))) }
                case "<i8": for i in 0..<n { out[i] = T(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: o + 8 * i, as: Int64.self))) }
                default: for i in 0..<n { out[i] = T(raw[o + i]) }
                }
            }
            initialized = n
        }
    }

    /// One array of features with no targets (inputs to predict): its shape and its values.
    public static func loadArray(_ path: String) throws(DataError) -> (shape: [Int], values: [Float]) {
        let bytes = try FileBytes.read(path)
        let h = try header(bytes, path: path)
        guard !h.shape.isEmpty else { throw .badNPY(path: path, reason: EngineSay.npyNoSampleAxis("it")) }
        let v: [Float] = values(bytes, h, as: Float.self)
        try checkFinite(v, shape: h.shape, path: path)
        return (h.shape, v)
    }

    /// Throws a data error naming the first NaN or infinite value (as float32: a float64
    /// beyond float32's range counts) by its sample and its position inside the sample.
    static func checkFinite(_ v: [Float], shape: [Int], path: String) throws(DataError) {
        guard let i = v.firstIndex(where: { !$0.isFinite }) else { return }
        let perSample = shape.count <= 1 ? 1 : v.count / max(shape[0], 1)
        let column = shape.count <= 1 ? nil : i % perSample
        throw .badNPY(path: path, reason: EngineSay.npyNotFinite(nan: v[i].isNaN, row: i / perSample, column: column))
    }

    /// Loads `source` into a data set.
    public static func load(_ source: NPYSource) throws(DataError) -> Dataset {
        let xBytes = try FileBytes.read(source.x)
        let xh = try header(xBytes, path: source.x)
        let yBytes = try FileBytes.read(source.y)
        let yh = try header(yBytes, path: source.y)
        guard let n = xh.shape.first else {
            throw .badNPY(path: source.x, reason: EngineSay.npyNoSampleAxis("x"))
        }
        guard let ny = yh.shape.first else {
            throw .badNPY(path: source.y, reason: EngineSay.npyNoSampleAxis("y"))
        }
        guard n == ny else { throw .sampleCountMismatch(x: source.x, xCount: n, y: source.y, yCount: ny) }
        guard yh.shape.count <= 2 else {
            throw .badNPY(path: source.y, reason: EngineSay.npyTargetShape(yh.shape))
        }
        let sampleShape = xh.shape.count == 1 ? [1] : Array(xh.shape.dropFirst())
        guard !sampleShape.contains(0) else {
            throw .badNPY(path: source.x, reason: EngineSay.npyNoFeatures(xh.shape))
        }
        let kind = source.task ?? (yh.isInteger ? .classification : .regression)
        let x: [Float] = values(xBytes, xh, as: Float.self)
        try checkFinite(x, shape: xh.shape, path: source.x)
        let yValues: [Double] = values(yBytes, yh, as: Double.self)
        let width = yh.shape.count == 2 ? yh.shape[1] : 1
        if kind == .regression { try checkFinite(yValues.map { Float($0) }, shape: yh.shape, path: source.y) }

        switch kind {
        case .regression:
            return Dataset(sampleShape: sampleShape, x: x, y: yValues.map { Float($0) }, task: .regression(outputs: width))
        case .classification:
            guard width == 1 else {
                throw .badNPY(path: source.y, reason: EngineSay.npyLabelShape(yh.shape))
            }
            for (i, v) in yValues.enumerated() where v < 0 || v != v.rounded() || !v.isFinite {
                throw .badNPY(path: source.y, reason: EngineSay.npyNotClassIndex(v, at: i))
            }
            for (i, v) in yValues.enumerated() where v >= Double(maxClasses) {
                throw .badNPY(path: source.y, reason: EngineSay.npyLabelTooLarge(v, at: i, maxIndex: maxClasses - 1))
            }
            let classes = Int(yValues.max() ?? 0) + 1
            return Dataset(sampleShape: sampleShape, x: x, y: yValues.map { Float($0) },
                           task: .classification(classes: classes, names: nil))
        }
    }
}

/// The few Python literals a `.npy` header uses: a dict of string keys whose values are
/// strings, True/False, or tuples of integers. Anything else makes the parse fail.
private struct DictParser {
    enum Value { case string(String), bool(Bool), tuple([Int]), other }
    let text: [Unicode.Scalar]
    var i = 0

    init(text: [Unicode.Scalar]) { self.text = text }

    mutating func skipSpace() { while i < text.count, text[i].properties.isWhitespace { i += 1 } }

    mutating func eat(_ c: Unicode.Scalar) -> Bool {
        skipSpace()
        if i < text.count, text[i] == c { i += 1; return true }
        return false
    }

    mutating func parseString() -> String? {
        skipSpace()
        guard i < text.count, text[i] == "'" || text[i] == "\"" else { return nil }
        let q = text[i]
        i += 1
        var s = String.UnicodeScalarView()
        while i < text.count, text[i] != q { s.append(text[i]); i += 1 }
        guard i < text.count else { return nil }
        i += 1
        return String(s)
    }

    mutating func parseValue() -> Value? {
        skipSpace()
        guard i < text.count else { return nil }
        let c = text[i]
        if c == "'" || c == "\"" { return parseString().map(Value.string) }
        if c == "(" {
            i += 1
            var items = [Int]()
            while true {
                if eat(")") { return .tuple(items) }
                skipSpace()
                var digits = ""
                while i < text.count, ("0"..."9").contains(text[i]) { digits.unicodeScalars.append(text[i]); i += 1 }
                if i < text.count, text[i] == "L" { i += 1 }   // Python 2 longs
                guard let v = Int(digits) else { return nil }
                items.append(v)
                if eat(")") { return .tuple(items) }
                guard eat(",") else { return nil }
            }
        }
        for (word, value) in [("True", Value.bool(true)), ("False", Value.bool(false))] {
            let w = Array(word.unicodeScalars)
            if i + w.count <= text.count, Array(text[i..<(i + w.count)]) == w { i += w.count; return value }
        }
        if c == "[" || c == "{" {
            // A structured dtype's list, or a nested dict: skip it balanced, report `other`.
            var depth = 0
            while i < text.count {
                if text[i] == "[" || text[i] == "{" || text[i] == "(" { depth += 1 }
                if text[i] == "]" || text[i] == "}" || text[i] == ")" { depth -= 1 }
                i += 1
                if depth == 0 { return .other }
            }
            return nil
        }
        return nil
    }

    mutating func parseDict() -> [String: Value]? {
        guard eat("{") else { return nil }
        var dict = [String: Value]()
        while true {
            if eat("}") { return dict }
            guard let key = parseString(), eat(":"), let value = parseValue() else { return nil }
            dict[key] = value
            if eat("}") { return dict }
            guard eat(",") else { return nil }
        }
    }
}
