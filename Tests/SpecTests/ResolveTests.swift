import XCTest
@testable import Spec

final class ResolveTests: XCTestCase {
    let text = """
    name: r
    seed: 3
    data: {source: moons}
    model:
      layers:
        - repeat: $depth
          layers:
            - Dense: {units: $units, activation: relu}
        - MaxPooling2D
        - Dense: {units: 1, activation: sigmoid}
    compile:
      loss: mse
      optimizer: {name: $opt, learning_rate: $lr}
      metrics: [accuracy]
    fit:
      epochs: 2
    search:
      space:
        depth: {randint: [0, 3]}
        units: {choice: [4, 8]}
        lr: {loguniform: [0.001, 0.1]}
        opt: {choice: [sgd, adam]}
    """

    func load(_ overrides: [String] = []) throws -> Experiment {
        let (e, d) = Experiment.load(text: text, file: "r.yaml", overrides: overrides)
        XCTAssertEqual(d, [])
        return try XCTUnwrap(e)
    }

    func testDefaultsAndTypedSections() throws {
        let e = try load()
        XCTAssertEqual(e.name, "r")
        XCTAssertEqual(e.seed, 3)
        XCTAssertEqual(e.output, "runs/r")
        XCTAssertEqual(e.data.source, .moons)
        XCTAssertEqual(e.data.samples, 1000)
        XCTAssertEqual(e.search?.cv, 5)
        XCTAssertEqual(e.search?.trials, 10)
        XCTAssertEqual(e.search?.scoring, "accuracy")
        XCTAssertEqual(e.parameters.map(\.name), ["depth", "lr", "opt", "units"])
    }

    func testResolveExpandsRepeatAndSubstitutes() throws {
        let t = try load().resolve(["depth": .int(2), "units": .int(8), "lr": .double(0.01), "opt": .string("adam")])
        XCTAssertEqual(t.model.layers.map(\.kind), [.dense, .dense, .maxPooling2D, .dense])
        XCTAssertEqual(t.model.layers[0].args["units"], .int(8))
        XCTAssertEqual(t.model.layers[0].args["use_bias"], .bool(true))
        XCTAssertEqual(t.model.layers[0].args["kernel_initializer"], .map(["name": .string("glorot_uniform")]))
        XCTAssertEqual(t.model.layers[0].args["kernel_regularizer"], .null)
        XCTAssertEqual(t.model.layers[0].line, 8)
        XCTAssertEqual(t.model.layers[2].args["pool_size"], .list([.int(2), .int(2)]))
        XCTAssertEqual(t.model.layers[2].args["strides"], .list([.int(2), .int(2)]))
        XCTAssertEqual(t.compile.loss.kind, .meanSquaredError)
        XCTAssertEqual(t.compile.optimizer.kind, .adam)
        XCTAssertEqual(t.compile.optimizer.learningRate, .constant(0.01))
        XCTAssertEqual(t.compile.optimizer.args["beta_1"], .double(0.9))
        XCTAssertEqual(t.compile.optimizer.args["epsilon"], .double(1e-7))
        XCTAssertEqual(t.fit.epochs, 2)
        XCTAssertEqual(t.fit.batchSize, 32)
        let zero = try load().resolve(["depth": .int(0), "units": .int(4), "lr": .double(0.01), "opt": .string("sgd")])
        XCTAssertEqual(zero.model.layers.count, 2)
        XCTAssertEqual(zero.compile.optimizer.args["momentum"], .double(0))
    }

    func testResolveRejectsMissingOrBadValues() throws {
        let e = try load()
        XCTAssertThrowsError(try e.resolve(["depth": .int(1)]))
        XCTAssertThrowsError(try e.resolve(["depth": .int(1), "units": .int(0), "lr": .double(0.01), "opt": .string("sgd")]))
    }

    func testOverrides() throws {
        let e = try load(["fit.epochs=7", "model.layers.2.Dense.units=3", "search.space.units={choice: [16]}", "fit.batch_size=0x10"])
        let t = try e.resolve(["depth": .int(0), "units": .int(16), "lr": .double(0.01), "opt": .string("sgd")])
        XCTAssertEqual(t.fit.epochs, 7)
        XCTAssertEqual(t.fit.batchSize, 16)
        XCTAssertEqual(t.model.layers.last?.args["units"], .int(3))
        XCTAssertEqual(e.search?.space.first { $0.name == "units" }?.distribution, .choice([.int(16)]))
        XCTAssertTrue(e.canonicalText.contains("epochs: 7"))
    }

    func testCanonicalTextRoundTrips() throws {
        let e = try load()
        let (again, d) = Experiment.load(text: e.canonicalText, file: "again.yaml")
        XCTAssertEqual(d, [])
        XCTAssertEqual(again?.canonicalText, e.canonicalText)
        XCTAssertEqual(again?.parameters, e.parameters.map { var p = $0; p.line = again?.parameters.first { $0.name == p.name }?.line ?? 0; p.column = 5; return p })
    }

    /// random's targets are class labels when the file sets `classes` or `task: classification`,
    /// regression values otherwise.
    func testRandomClassesAskForClassLabels() throws {
        func data(_ keys: String) throws -> DataConfig {
            let (e, d) = Experiment.load(text: "data: {source: random\(keys)}\nmodel: {layers: [{Dense: {units: 1}}]}\ncompile: {loss: mse}\n", file: "r.yaml")
            XCTAssertEqual(d, [], keys)
            return try XCTUnwrap(e).data
        }
        XCTAssertNil(try data("").task)
        XCTAssertEqual(try data(", classes: 4").task, .classification)
        XCTAssertEqual(try data(", classes: 4").classes, 4)
        XCTAssertEqual(try data(", task: classification").task, .classification)
        XCTAssertEqual(try data(", task: classification").classes, 2)
    }
}
