import Foundation
import Testing

/// The bad-input corpus for files other than the experiment file: malformed data, model and
/// journal files, each run through the built binary as a user would, with the exit status
/// and the message it must give. None may crash (a signal), print a trace, or be taken as
/// good data: a malformed file is bad input (2), a missing one a failure while running (1).
@Suite struct BadFileTests {
    /// One bad file (or folder of files) and what `runner` must say about it.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Files to write, relative to a fresh folder.
        var files: [String: [UInt8]]
        var args: [String]
        var status: Int32
        /// A part of standard error that must appear.
        var message: String
        var testDescription: String { name }
    }

    // MARK: building files

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func f32(_ values: [Float]) -> [UInt8] { values.flatMap { le($0.bitPattern) } }

    /// A `.npy` file with a header dict written as given (so it can lie about the shape).
    static func npy(_ descr: String = "<f4", shape: String, _ data: [UInt8], version: UInt8 = 1) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        let prefix = version == 1 ? 10 : 12
        while (prefix + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let n = header.utf8.count
        var b: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        b += version == 1 ? [UInt8(n & 255), UInt8(n >> 8)] : [UInt8(n & 255), UInt8(n >> 8 & 255), 0, 0]
        return b + Array(header.utf8) + data
    }

    static func idx(_ dims: [UInt32], _ values: [UInt8]) -> [UInt8] {
        var b: [UInt8] = [0, 0, 8, UInt8(dims.count)]
        for d in dims { b += withUnsafeBytes(of: d.bigEndian) { Array($0) } }
        return b + values
    }

    /// A safetensors file: `header` is the JSON text as given, then `data`.
    static func safetensors(header: String, _ data: [UInt8]) -> [UInt8] {
        var json = Array(header.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        return le(UInt64(json.count)) + json + data
    }

    /// A model file holding one Dense(2) layer on 2 inputs, with `architecture` (JSON), the
    /// `model` section (YAML, one line) and `tensors` (the header entries) replaceable.
    static func model(architecture: String = #"{"input_shape":[2],"layers":[{"kind":"Dense","name":"dense"}]}"#,
                      section: String? = "{layers: [{Dense: {units: 2, activation: softmax}}]}",
                      tensors: String = #""dense/kernel":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"dense/bias":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}"#,
                      extraMetadata: String = "", values: [Float] = [1, -1, 0.5, 2, 0, 0]) -> [UInt8] {
        let escaped = architecture.replacingOccurrences(of: "\"", with: "\\\"")
        let modelEntry = section.map { #","model":"\#($0.replacingOccurrences(of: "\"", with: "\\\""))""# } ?? ""
        return safetensors(header: #"{"__metadata__":{"format":"runner-sequential","task":"classification","architecture":"\#(escaped)"\#(modelEntry)\#(extraMetadata)},"# + tensors + "}", f32(values))
    }

    /// A model file of one layer `kind` named `name` on `input`, its section `layer`.
    static func oneLayer(_ kind: String, _ name: String, input: String = "[2]", _ layer: String,
                         tensors: String? = nil, values: [Float]? = nil) -> [UInt8] {
        let architecture = #"{"input_shape":\#(input),"layers":[{"kind":"\#(kind)","name":"\#(name)"}]}"#
        guard let tensors, let values else { return model(architecture: architecture, section: "{layers: [\(layer)]}") }
        return model(architecture: architecture, section: "{layers: [\(layer)]}", tensors: tensors, values: values)
    }

    static let goodX = npy(shape: "(3, 2)", f32([1, 2, 3, 4, 5, 6]))
    static let npyExperiment = Array("""
        data: {source: npy, x: x.npy, y: y.npy}
        model: {layers: [{Dense: {units: 2, activation: softmax}}]}
        compile: {loss: sparse_categorical_crossentropy}
        fit: {epochs: 1}
        """.utf8)
    static let csvExperiment = Array("""
        data: {source: csv, path: d.csv, target: y}
        model: {layers: [{Dense: {units: 1}}]}
        compile: {loss: mse}
        fit: {epochs: 1}
        """.utf8)
    static let idxExperiment = Array("""
        data: {source: idx, path: data}
        model: {layers: [Flatten, {Dense: {units: 2, activation: softmax}}]}
        compile: {loss: sparse_categorical_crossentropy}
        fit: {epochs: 1}
        """.utf8)
    static let searchExperiment = Array("""
        data: {source: blobs, classes: 2, samples: 40}
        model: {layers: [{Dense: {units: 2, activation: softmax}}]}
        compile: {loss: sparse_categorical_crossentropy, optimizer: {name: sgd, learning_rate: $lr}}
        fit: {epochs: 1}
        search: {trials: 1, cv: 2, space: {lr: {choice: [0.1]}}}
        """.utf8)

    static func npyCase(_ name: String, x: [UInt8] = goodX, y: [UInt8] = npy("<i8", shape: "(3,)", le(Int64(0)) + le(Int64(1)) + le(Int64(0))),
                        _ message: String, status: Int32 = 2) -> Case {
        Case(name: "npy: " + name, files: ["e.yaml": npyExperiment, "x.npy": x, "y.npy": y], args: ["e.yaml", "--out", "o"], status: status, message: message)
    }

    static func csvCase(_ name: String, _ text: String, _ message: String) -> Case {
        Case(name: "csv: " + name, files: ["e.yaml": csvExperiment, "d.csv": Array(text.utf8)], args: ["e.yaml", "--out", "o"], status: 2, message: message)
    }

    static func idxCase(_ name: String, images: [UInt8], labels: [UInt8] = idx([2], [0, 1]), _ message: String) -> Case {
        let good = idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])
        return Case(name: "idx: " + name,
                    files: ["e.yaml": idxExperiment, "data/train-images-idx3-ubyte": images, "data/train-labels-idx1-ubyte": labels,
                            "data/t10k-images-idx3-ubyte": good, "data/t10k-labels-idx1-ubyte": idx([2], [0, 1])],
                    args: ["e.yaml", "--out", "o"], status: 2, message: message)
    }

    static func modelCase(_ name: String, _ bytes: [UInt8], input: [UInt8] = goodX, _ message: String) -> Case {
        Case(name: "model: " + name, files: ["m.safetensors": bytes, "x.npy": input], args: ["predict", "m.safetensors", "x.npy"], status: 2, message: message)
    }

    static func journalCase(_ name: String, _ journal: String, merge: Bool = false, _ message: String) -> Case {
        Case(name: "journal: " + name, files: ["e.yaml": searchExperiment, "o/journal/shard-0-of-1.jsonl": Array(journal.utf8)],
             args: merge ? ["merge", "o"] : ["e.yaml", "--out", "o"], status: 2, message: message)
    }

    static let header = #"{"base":".","experiment":"x","file":"e.yaml","fingerprint":"0","journal":1,"seed":1,"shard":"0\/1","trials":1,"version":"0"}"#

    /// A gzip member whose trailer claims 4 GiB but whose data is cut short.
    static let lyingGzip: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0x63, 0x60, 0x60, 0x00, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]

    static let cases: [Case] = [
        // NPY
        npyCase("shape claims 2^62 rows", x: npy(shape: "(4611686018427387904, 4)", f32([1, 2])), "too large"),
        npyCase("shape whose size overflows", x: npy(shape: "(4294967296, 4294967296, 4)", []), "too large"),
        npyCase("shape beyond 64 bits", x: npy(shape: "(99999999999999999999, 2)", []), "bad header"),
        npyCase("truncated data", x: npy(shape: "(3, 2)", f32([1, 2, 3])), "truncated"),
        npyCase("NaN feature", x: npy(shape: "(3, 2)", f32([1, 2, 3, .nan, 5, 6])), "x.npy: not a usable .npy file: NaN at row 1, column 1"),
        npyCase("infinite feature", x: npy("<f8", shape: "(3, 2)", [1.0, 2, 3, 4, 5, Double.infinity].flatMap { le($0.bitPattern) }), "an infinite value"),
        npyCase("float64 beyond float32", x: npy("<f8", shape: "(3, 2)", [1.0, 2, 1e300, 4, 5, 6].flatMap { le($0.bitPattern) }), "at row 1, column 0"),
        npyCase("label far beyond any class", y: npy("<i8", shape: "(3,)", le(Int64(0)) + le(Int64.max) + le(Int64(0))), "too large"),
        npyCase("negative label", y: npy("<i4", shape: "(3,)", le(Int32(0)) + le(Int32(-1)) + le(Int32(0))), "not a class index"),
        npyCase("infinite regression target", y: npy("<f4", shape: "(3,)", f32([0, .infinity, 1])), "y.npy: not a usable .npy file: an infinite value"),
        npyCase("no magic", x: Array("not a numpy file".utf8), "magic"),
        npyCase("version 9", x: [0x93] + Array("NUMPY".utf8) + [9, 0, 0, 0], "format version 9.0"),
        npyCase("header length beyond the file", x: [0x93] + Array("NUMPY".utf8) + [2, 0, 0xFF, 0xFF, 0xFF, 0x7F], "truncated header"),
        npyCase("samples with no features", x: npy(shape: "(3, 0)", []), "no features"),
        npyCase("big-endian", x: npy(">f4", shape: "(3, 2)", f32([1, 2, 3, 4, 5, 6])), "big-endian"),
        npyCase("object dtype", x: npy("|O", shape: "(3, 2)", []), "unsupported dtype"),
        npyCase("x and y disagree", y: npy("<i8", shape: "(2,)", le(Int64(0)) + le(Int64(1))), "holds 3 samples but"),
        npyCase("missing file", x: [], "x.npy: no such file", status: 1),
        // CSV
        csvCase("value beyond float32", "a,y\n1,2\n1e39,3\n", "d.csv:3: '1e39' is beyond float32's range"),
        csvCase("nan feature", "a,y\n1,2\nnan,3\n", "d.csv:3: 'nan' is not a finite number in column 'a' (1)"),
        csvCase("inf target", "a,y\n1,2\n2,inf\n", "d.csv:3: 'inf' is not a finite number (the task is regression)"),
        csvCase("unclosed quote", "a,y\n1,\"2\n", "never closed"),
        csvCase("ragged row", "a,y\n1,2,3\n", "3 fields, but the header has 2"),
        csvCase("empty file", "", "the file is empty"),
        // IDX and gzip
        idxCase("wrong magic", images: [1, 2, 3, 4, 0, 0, 0, 1], "wrong magic number"),
        idxCase("truncated images", images: idx([2, 2, 2], [1, 2, 3]), "truncated"),
        idxCase("dimensions claim 2^32 squared", images: idx([0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], []), "too large"),
        idxCase("images with no pixels", images: idx([2, 0, 2], []), "hold no pixels"),
        idxCase("labels for other images", images: idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), labels: idx([3], [0, 1, 1]), "holds 2 images but"),
        idxCase("gzip whose trailer claims 4 GiB", images: lyingGzip, "corrupt gzip data"),
        idxCase("gzip magic then garbage", images: [0x1F, 0x8B, 0xFF, 0xFF, 0xFF, 0xFF], "corrupt gzip data"),
        // Model files
        modelCase("empty", [], "file too short"),
        modelCase("header length 2^63", le(UInt64(1) << 63) + [1, 2, 3], "exceeds the file"),
        modelCase("header not JSON", safetensors(header: "{not json", []), "not valid JSON"),
        modelCase("header a JSON array", safetensors(header: "[1, 2]", []), "not a JSON object"),
        modelCase("negative shape", model(tensors: #""dense/kernel":{"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]},"dense/bias":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}"#), "non-negative integers"),
        modelCase("shape whose size overflows", model(tensors: #""dense/kernel":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}"#), "do not fit"),
        modelCase("negative offsets", model(tensors: #""dense/kernel":{"dtype":"F32","shape":[2,2],"data_offsets":[-16,0]}"#), "non-negative integers"),
        modelCase("offsets beyond the file", model(tensors: #""dense/kernel":{"dtype":"F32","shape":[2,2],"data_offsets":[1000,1016]}"#), "do not fit"),
        modelCase("reversed offsets", model(tensors: #""dense/kernel":{"dtype":"F32","shape":[0],"data_offsets":[16,0]}"#), "do not fit"),
        modelCase("float16 tensor", model(tensors: #""dense/kernel":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}"#), "only F32"),
        modelCase("metadata not strings", safetensors(header: #"{"__metadata__":{"a":1}}"#, []), "__metadata__ must map strings to strings"),
        modelCase("no architecture", safetensors(header: #"{"__metadata__":{"format":"x"}}"#, []), "no architecture"),
        modelCase("architecture not JSON", model(architecture: "{"), "architecture is not valid"),
        modelCase("no model section (an older file)", model(section: nil), "no model section"),
        modelCase("model section not YAML", model(section: "{layers: [Dense"), "m.safetensors (model):2:1: error: yaml syntax error"),
        modelCase("negative units", model(section: "{layers: [{Dense: {units: -5}}]}"), "m.safetensors (model):1:27: error: 'units' expects an integer > 0, got -5"),
        modelCase("absurd units", model(section: "{layers: [{Dense: {units: 1000000000000}}]}"), "layer dense (Dense) needs 2000000000000 weights for input [2], the file holds 6"),
        modelCase("units beyond the stored weights", model(section: "{layers: [{Dense: {units: 16000000}}]}"), "needs 32000000 weights"),
        modelCase("negative input shape", model(architecture: #"{"input_shape":[-2],"layers":[]}"#), "input_shape [-2]"),
        modelCase("absurd input shape", oneLayer("Flatten", "flatten", input: "[16777216,16777216,16777216]", "Flatten"), "too large"),
        modelCase("unknown layer", oneLayer("Transformer", "t", "Transformer"), "unknown layer 'Transformer'"),
        modelCase("architecture and section disagree", oneLayer("Dense", "dense", "Flatten"), "lists the layers [\"Dense\"], its arguments [\"Flatten\"]"),
        modelCase("dropout rate 1.5", oneLayer("Dropout", "d", "{Dropout: {rate: 1.5}}"), "'rate'"),
        modelCase("reshape to too many values", oneLayer("Reshape", "r", "{Reshape: {target_shape: [16777216, 16777216, 16777216]}}"), "holds too many values"),
        modelCase("kernel larger than the image", oneLayer("Conv2D", "c", input: "[2,2,1]", "{Conv2D: {filters: 1, kernel_size: 3}}",
                  tensors: #""c/kernel":{"dtype":"F32","shape":[3,3,1,1],"data_offsets":[0,36]}"#, values: [Float](repeating: 1, count: 9)), "larger than its input"),
        modelCase("NaN weight", model(values: [1, .nan, 0.5, 2, 0, 0]), "holds nan at index 1"),
        modelCase("preprocessing of the wrong width", model(
                  tensors: #""dense/kernel":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"dense/bias":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},"preprocess/shift":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},"preprocess/divisor":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}"#,
                  extraMetadata: #","preprocess":"standardize""#),
                  "preprocess/shift and preprocess/divisor must hold 2 values"),
        modelCase("input with NaN", model(), input: npy(shape: "(1, 2)", f32([.nan, 1])), "NaN at row 0, column 0"),
        // Journals
        journalCase("header not JSON", "garbage\n", "shard-0-of-1.jsonl:1: not a runner journal line"),
        journalCase("header of another experiment", header + "\n", "was written for"),
        journalCase("record not JSON (merge)", header + "\n{\"trial\": \n", merge: true, "shard-0-of-1.jsonl:2: not a runner journal line"),
        journalCase("record of the wrong type (merge)", header + "\n[1, 2, 3]\n", merge: true, "shard-0-of-1.jsonl:2: not a runner journal line"),
        Case(name: "journal: none to merge", files: ["o/x": []], args: ["merge", "o"], status: 2, message: "no journal found"),
    ]

    @Test(arguments: cases)
    func badFile(_ c: Case) throws {
        let dir = freshFolder("badfile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, bytes) in c.files {
            let path = dir + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if name == "x.npy" && bytes.isEmpty && c.name == "npy: missing file" { continue }
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        }
        let r = try RunnerProcess.run(c.args, in: dir)
        #expect(r.status == c.status, "\(c.name): status \(r.status), stderr: \(r.err)")
        #expect(r.err.contains(c.message), "\(c.name): stderr: \(r.err)")
        #expect(!r.err.contains("Fatal error") && !r.err.contains("Stack dump"), "\(c.name): \(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/o/leaderboard.csv"), "\(c.name) wrote results")
    }

    /// A run where every trial fails exits 1 with the reasons grouped, not 0 with no model.
    @Test func aRunWhereNoTrialSucceedsExits1() throws {
        let dir = freshFolder("nosuccess")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write("""
        data: {source: blobs, classes: 3, samples: 60}
        model: {layers: [{Dense: {units: $u, activation: softmax}}]}
        compile: {loss: sparse_categorical_crossentropy}
        fit: {epochs: 1}
        search: {trials: 3, cv: 2, space: {u: {choice: [2, 5]}}}
        """, "e.yaml", in: dir)
        let r = try RunnerProcess.run(["e.yaml", "--out", "o", "--quiet"], in: dir)
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err == """
            error: no trial succeeded; the reasons:
              1 trial (0): failed: the output layer has 5 units but the data has 3 classes; use units: 3
              2 trials (1, 2): failed: the output layer has 2 units but the data has 3 classes; use units: 3

            """, "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: dir + "/o/leaderboard.csv"), "the leaderboard still shows the failures")
        #expect(!FileManager.default.fileExists(atPath: dir + "/o/best.safetensors"))
    }

    /// A model too large for the machine is refused before anything is allocated: located in
    /// a file without a search (2), a failed trial inside one.
    @Test func aModelTooLargeForTheMachineIsRefusedWhereTheFileSaysIt() throws {
        let dir = freshFolder("toolarge")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write("""
        data: {source: blobs, classes: 2, samples: 40}
        model:
          layers:
            - Dense: {units: 16777216, activation: relu}
            - Dense: {units: 16777216, activation: relu}
            - Dense: {units: 2, activation: softmax}
        compile: {loss: sparse_categorical_crossentropy}
        """, "e.yaml", in: dir)
        let r = try RunnerProcess.run(["e.yaml", "--out", "o", "--quiet"], in: dir)
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.hasPrefix("e.yaml:5:7: error: ") || r.err.hasPrefix("e.yaml:4:7: error: "), "\(r.err)")
        #expect(r.err.contains("the model needs about") && r.err.contains("use fewer units or a smaller batch"), "\(r.err)")
    }

    @Test func theCorpusIsLargeEnough() {
        #expect(Self.cases.count >= 30)
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count)
    }
}
