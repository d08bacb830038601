import Foundation
import Testing
@testable import Runner
import Engine
import Spec

/// Walks Spec's whole catalog through the Runner's binding: every layer, loss, optimizer,
/// schedule, callback, initializer, regularizer, activation, metric and data source the file
/// format accepts must build, and every argument each one takes must reach the Engine value
/// (`Binding.Arguments` refuses an argument nobody read; for layers and losses, changing an
/// argument from its default must also change what is built). A name added to a table without
/// its binding, or an argument the binding ignores, fails here.
@Suite struct CatalogTests {
    /// An experiment around one model/compile/fit fragment, loaded and resolved as `run` does.
    func trial(layers: String = "[Flatten, {Dense: {units: 2, activation: softmax}}]",
               compile: String = "{loss: sparse_categorical_crossentropy}", fit: String = "{epochs: 1}",
               sourceLocation: SourceLocation = #_sourceLocation) -> TrialConfig? {
        let text = """
        data: {source: blobs, samples: 20}
        model: {input_shape: [4, 4, 2], layers: \(layers)}
        compile: \(compile)
        fit: \(fit)
        """
        let (e, diagnostics) = Experiment.load(text: text, file: "catalog.yaml")
        guard let e else {
            Issue.record("\(text)\n\(DiagnosticRenderer.render(diagnostics))", sourceLocation: sourceLocation)
            return nil
        }
        do { return try e.resolve() } catch {
            Issue.record("\(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// A value of `spec`'s type, different from its default where it has one: YAML text.
    func sample(_ spec: ArgSpec) -> String {
        switch spec.type {
        case .int: return spec.defaultValue == .int(2) ? "3" : "2"
        case .number:
            if case .double(let d)? = spec.defaultValue, d == 0.5 { return "0.25" }
            return "0.5"
        case .bool: return spec.defaultValue == .bool(true) ? "false" : "true"
        case .string: return "loss"
        case .oneOf(let words): return words.first { Value.string($0) != spec.defaultValue } ?? words[0]
        case .activation: return "tanh"
        case .initializer: return "he_normal"
        case .regularizer: return "l2"
        case .intOrPair: return spec.name == "strides" ? "[1, 2]" : "[2, 1]"
        case .shape: return "[32]"
        case .learningRate: return "0.05"
        default: return "null"
        }
    }

    /// The required arguments of an entry with sample values, as a flow mapping's inside.
    func required(_ e: CatalogEntry) -> [String] {
        e.args.filter(\.isRequired).map { "\($0.name): \(sample($0))" }
    }

    /// What a built layer holds (its arguments and what they gave: shapes, parameters), read by
    /// reflection, so that the Engine lists no argument names for the test's sake.
    func state(_ layer: Layer) -> String {
        Mirror(reflecting: layer).children.map { "\($0.label ?? ""): \($0.value)" }.joined(separator: ", ")
    }

    /// Every layer, with each argument away from its default: it builds, the argument changes
    /// the layer, and the model file's text of the section reads back to the same layers (the
    /// one path by which `runner predict` rebuilds a saved model).
    @Test func everyLayerBuildsReadsEveryArgumentAndRoundTripsThroughTheModelFileText() throws {
        for e in Catalog.layers {
            let base = required(e)
            func built(_ extra: [String]) throws -> Layer? {
                let args = (base + extra).joined(separator: ", ")
                guard let t = trial(layers: "[{\(e.name): {\(args)}}, Flatten, {Dense: {units: 2, activation: softmax}}]") else { return nil }
                let read = try ModelConfig(text: t.model.text, file: "model")
                #expect(read.layers.map(\.kind) == t.model.layers.map(\.kind) && read.layers.map(\.args) == t.model.layers.map(\.args),
                        "\(e.name) \(args): \(t.model.text)")
                let layers = try Binding.layers(t.model)
                try Sequential(layers).build(inputShape: [4, 4, 2], seed: 0)
                return layers[0]
            }
            guard let plain = try built([]) else { continue }
            #expect(plain.kind == e.name)
            for a in e.args where !a.isRequired {
                guard let changed = try built(["\(a.name): \(sample(a))"]) else { continue }
                #expect(state(changed) != state(plain), "\(e.name).\(a.name): \(sample(a)) changes nothing in the layer")
            }
        }
    }

    @Test func everyActivationInitializerAndRegularizerBuilds() throws {
        for a in Catalog.activations {
            let t = try #require(trial(layers: "[Flatten, {Dense: {units: 2, activation: \(a.name)}}]"))
            let dense = try #require(try Binding.layers(t.model)[1] as? Dense)
            #expect(dense.activation == Binding.activation(ActivationKind(rawValue: a.name)!), "\(a.name)")
            #expect(dense.activation.name == (a.name == "silu" ? "swish" : a.name), "\(a.name)")
        }
        for i in Catalog.initializers {
            let args = ([" name: \(i.name)"] + i.args.map { "\($0.name): \(sample($0))" }).joined(separator: ", ")
            let t = try #require(trial(layers: "[Flatten, {Dense: {units: 2, kernel_initializer: {\(args)}, bias_initializer: \(i.name)}}]"))
            let dense = try #require(try Binding.layers(t.model)[1] as? Dense)
            #expect(dense.kernelInitializer.description.hasPrefix(i.name), "\(i.name): \(dense.kernelInitializer)")
            for a in i.args { #expect(dense.kernelInitializer.description.contains("\(a.name)=0.5"), "\(i.name).\(a.name): \(dense.kernelInitializer)") }
        }
        for r in Catalog.regularizers {
            let factors = r.args.map { "\($0.name): 0.25" }.joined(separator: ", ")
            let t = try #require(trial(layers: "[Flatten, {Dense: {units: 2, kernel_regularizer: {\(factors)}, bias_regularizer: \(r.name)}}]"))
            let dense = try #require(try Binding.layers(t.model)[1] as? Dense)
            for a in r.args {
                #expect((a.name == "l1" ? dense.kernelL1 : dense.kernelL2) == 0.25, "\(r.name).\(a.name)")
                #expect((a.name == "l1" ? dense.biasL1 : dense.biasL2) == 0.01, "bias_regularizer: \(r.name)")
            }
        }
    }

    @Test func everyLossBuildsAndEachArgumentChangesIt() throws {
        for e in Catalog.losses {
            for name in [e.name] + e.aliases {
                let t = try #require(trial(compile: "{loss: \(name)}"))
                #expect(try Binding.loss(t.compile.loss).name == e.name)
            }
            let plain = try Binding.loss(try #require(trial(compile: "{loss: \(e.name)}")).compile.loss)
            for a in e.args {
                let t = try #require(trial(compile: "{loss: {name: \(e.name), \(a.name): \(sample(a))}}"))
                #expect(try Binding.loss(t.compile.loss) != plain, "\(e.name).\(a.name): \(sample(a)) changes nothing")
            }
        }
    }

    @Test func everyOptimizerAndScheduleBuildsReadingEveryArgument() throws {
        for e in Catalog.optimizers {
            // Each argument set away from its default, one at a time: the binding must read it.
            for a in e.args {
                let t = try #require(trial(compile: "{loss: sparse_categorical_crossentropy, optimizer: {name: \(e.name), \(a.name): \(sample(a))}}"))
                _ = try Binding.optimizer(t.compile.optimizer)
            }
        }
        for s in Catalog.schedules {
            let base = required(s).joined(separator: ", ")
            let plain = try #require(trial(compile: "{loss: mse, optimizer: {name: sgd, learning_rate: {name: \(s.name), \(base)}}}"))
            _ = try Binding.optimizer(plain.compile.optimizer)
            for a in s.args where !a.isRequired {
                let t = try #require(trial(compile: "{loss: mse, optimizer: {name: sgd, learning_rate: {name: \(s.name), \(base), \(a.name): \(sample(a))}}}"))
                #expect(t.compile.optimizer.learningRate != plain.compile.optimizer.learningRate, "\(s.name).\(a.name) changes nothing")
            }
        }
    }

    @Test func everyCallbackBuildsReadingEveryArgument() throws {
        for e in Catalog.callbacks {
            for a in e.args {
                let t = try #require(trial(fit: "{validation_split: 0.2, callbacks: [{\(e.name): {\(a.name): \(sample(a))}}]}"))
                let c = try Binding.callbacks(t.fit)
                #expect(c.count == 1)
            }
        }
    }

    /// Every metric name and alias binds to an Engine metric named as the catalog names it
    /// (its history key).
    @Test func everyMetricBindsUnderItsName() throws {
        for e in Catalog.metrics {
            for name in [e.name] + e.aliases {
                let t = try #require(trial(compile: "{loss: mse, metrics: [\(name)]}"))
                #expect(t.compile.metrics.map(Binding.metric).map(\.name) == [e.name], "\(name)")
            }
        }
    }

    /// Every data source binds to an Engine source; the synthetic ones also load.
    @Test func everyDataSourceBinds() throws {
        let values: [String: String] = ["path": "data", "target": "y", "x": "x.npy", "y": "y.npy", "weights": "[1, 2]",
                                         "table": "xor", "function": "saddle"]
        for s in Catalog.dataSources {
            let keys = s.required.map { "\($0): \(values[$0] ?? "1")" }
            let text = """
            data: {source: \(s.name)\(keys.isEmpty ? "" : ", " + keys.joined(separator: ", "))}
            model: {layers: [{Dense: {units: 1}}]}
            compile: {loss: mse}
            """
            let (e, diagnostics) = Experiment.load(text: text, file: "catalog.yaml")
            let experiment = try #require(e, "\(DiagnosticRenderer.render(diagnostics))")
            let source = try Binding.dataSource(experiment.data)
            if case .synthetic = source {
                let loaded = try prepareData(source, limit: nil, testFraction: 0.25, seed: 1)
                #expect(loaded.train.count > 0, "\(s.name)")
            }
        }
    }

    /// What a `data` section gives a run: the bound Engine source and preprocessing, and the
    /// samples a `Session` loads (training, test and cross-validation parts), or why it cannot.
    struct BoundData: Equatable {
        var source: DataSource
        var preprocess: Preprocessing
        var samples: [[Float]]
        var shapes: String
        var failure: String?
    }

    /// Loads `data` (a flow mapping's inside) as `run` does, in `dir`; nil with an issue
    /// recorded when the file has any diagnostic (an error, or a key that has no effect).
    func bound(_ data: String, in dir: String, sourceLocation: SourceLocation = #_sourceLocation) -> BoundData? {
        let text = """
        data: {\(data)}
        model: {layers: [Flatten, {Dense: {units: 1}}]}
        compile: {loss: mse}
        """
        let (e, diagnostics) = Experiment.load(text: text, file: "catalog.yaml")
        guard let e, diagnostics.isEmpty else {
            Issue.record("\(data)\n\(DiagnosticRenderer.render(diagnostics))", sourceLocation: sourceLocation)
            return nil
        }
        guard let source = try? Binding.dataSource(e.data) else {
            Issue.record("\(data) does not bind", sourceLocation: sourceLocation)
            return nil
        }
        var b = BoundData(source: source, preprocess: Binding.preprocessing(e.data.preprocess), samples: [], shapes: "")
        do {
            let session = try Session(file: dir + "/catalog.yaml", base: dir, text: text, overrides: [], trialCount: nil, out: dir + "/out")
            for d in [session.data.train, session.cvData] + (session.data.test.map { [$0] } ?? []) {
                b.samples += [d.x, d.y]
                b.shapes += "\(d.sampleShape) \(d.task); "
            }
        } catch {
            b.failure = "\(error)"
        }
        return b
    }

    /// Writes four IDX files (MNIST's names, raw) of 2×2 images into `folder`; `shift` changes
    /// the pixels and labels.
    func writeIDX(_ folder: String, shift: UInt8) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func be(_ n: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((n >> $0) & 0xFF) } }
        for (stem, n) in [("train", 12), ("t10k", 4)] {
            let pixels = (0..<(n * 4)).map { UInt8(($0 * 37 + Int(shift)) % 256) }
            let labels = (0..<n).map { UInt8(($0 + Int(shift)) % 3) }
            _ = FileManager.default.createFile(atPath: "\(folder)/\(stem)-images-idx3-ubyte",
                                               contents: Data([0, 0, 8, 3] + be(n) + be(2) + be(2) + pixels))
            _ = FileManager.default.createFile(atPath: "\(folder)/\(stem)-labels-idx1-ubyte", contents: Data([0, 0, 8, 1] + be(n) + labels))
        }
    }

    /// Every key of every data source, set away from its default, changes what a run gets: the
    /// bound source, the preprocessing or the samples loaded. A key a source accepts that the
    /// binding or the session ignores (or that validate calls "no effect") fails here.
    @Test func everyDataKeyOfEverySourceChangesTheData() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-data-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeIDX(dir + "/idx_a", shift: 0)
        try writeIDX(dir + "/idx_b", shift: 5)
        let rows = (0..<12).map { "\($0),\(($0 * 7) % 5),\($0 % 2)" }
        write((["u,v,y"] + rows).joined(separator: "\n") + "\n", "a.csv", in: dir)
        write((["u,v,y"] + rows.reversed()).joined(separator: "\n") + "\n", "b.csv", in: dir)
        write((["u,v,y"] + rows + ["3,,1"]).joined(separator: "\n") + "\n", "bad.csv", in: dir)
        writeNPY((0..<24).map(Float.init), shape: [12, 2], to: dir + "/x.npy")
        writeNPY((0..<24).map { Float(23 - $0) }, shape: [12, 2], to: dir + "/x2.npy")
        writeNPY((0..<12).map { Float($0 % 2) }, shape: [12], to: dir + "/y.npy")
        writeNPY((0..<12).map { Float($0 % 3) }, shape: [12], to: dir + "/y2.npy")

        // The required keys' values, and for some keys a value (and keys that go with it in
        // both files) that the type's generic sample cannot give.
        let required: [String: String] = ["path": "\(dir)/idx_a", "target": "y", "x": "\(dir)/x.npy", "y": "\(dir)/y.npy",
                                           "weights": "[1, 2]", "table": "xor", "function": "saddle"]
        var changed: [String: String] = ["path": "\(dir)/idx_b", "x": "\(dir)/x2.npy", "y": "\(dir)/y2.npy", "target": "v",
                                          "weights": "[1, 3]", "table": "and", "function": "ripple", "features": "[u]",
                                          "task": "regression", "range": "[-1, 1]", "mass_range": "[1, 10]",
                                          "metallicity_range": "[0.001, 0.01]", "samples": "30", "limit": "5"]
        var context: [String: String] = ["drop_invalid": "path: \(dir)/bad.csv"]
        func specific(_ source: String) {
            switch source {
            case "csv": (context["path"], changed["path"]) = (nil, "\(dir)/b.csv")
            case "random": changed["task"] = "classification"
            case "logic": changed["limit"] = "2"  // of a 4-row table's 3 training rows
            default: break
            }
        }
        for s in Catalog.dataSources {
            let saved = (changed, context)
            defer { (changed, context) = saved }
            specific(s.name)
            var base = s.required.map { "\($0): \(s.name == "csv" && $0 == "path" ? "\(dir)/a.csv" : required[$0]!)" }
            if s.keys.contains("path") && !s.required.contains("path") && s.name != "diabetes" { base.append("path: \(dir)/idx_a") }
            /// `pairs` with each of `extra`'s keys set to its value there.
            func merged(_ pairs: [String], _ extra: [String]) -> [String] {
                let keys = Set(extra.map { $0.prefix { $0 != ":" } })
                return pairs.filter { !keys.contains($0.prefix { $0 != ":" }) } + extra
            }
            for key in s.keys {
                let spec = try #require(Catalog.dataKeys.first { $0.name == key })
                let plainPairs = merged(["source: \(s.name)"] + base, context[key].map { [$0] } ?? [])
                let setPairs = merged(plainPairs, ["\(key): \(changed[key] ?? sample(spec))"])
                guard let plain = bound(plainPairs.joined(separator: ", "), in: dir),
                      let set = bound(setPairs.joined(separator: ", "), in: dir) else { continue }
                #expect(plain.failure == nil || key == "drop_invalid", "\(s.name): the plain data does not load: \(plain.failure ?? "")")
                #expect(plain != set, "\(s.name).\(key): \(setPairs.last!) changes nothing in the data")
            }
        }
    }
}
