import Testing
@testable import Spec

/// Every table of names is exactly the cases of its kind, in order: a name is declared once
/// (the case's raw value), the table gives it arguments, and the runner switches over the
/// cases exhaustively, so a name cannot be accepted by validation and unknown to the runner.
@Suite struct KindTests {
    func names<K: CaseIterable & RawRepresentable>(_: K.Type) -> [String] where K.RawValue == String {
        K.allCases.map(\.rawValue)
    }

    @Test func everyTableIsItsKind() {
        #expect(Catalog.layers.map(\.name) == names(LayerKind.self))
        #expect(Catalog.activations.map(\.name) == names(ActivationKind.self))
        #expect(Catalog.initializers.map(\.name) == names(InitializerKind.self))
        #expect(Catalog.losses.map(\.name) == names(LossKind.self))
        #expect(Catalog.metrics.map(\.name) == names(MetricKind.self))
        #expect(Catalog.optimizers.map(\.name) == names(OptimizerKind.self))
        #expect(Catalog.schedules.map(\.name) == names(ScheduleKind.self))
        #expect(Catalog.callbacks.map(\.name) == names(CallbackKind.self))
        #expect(Catalog.dataSources.map(\.name) == names(DataSourceKind.self))
        #expect(Catalog.functions2D.map(\.name) == names(Function2DKind.self))
        #expect(Catalog.stellarQuantities.map(\.name) == names(StellarQuantityKind.self))
        #expect(Catalog.dataKeys.first { $0.name == "task" }?.type == .oneOf(names(TaskKind.self)))
        #expect(Catalog.dataKeys.first { $0.name == "preprocess" }?.type == .oneOf(names(PreprocessMethod.self)))
        for layer in [LayerKind.conv2D, .maxPooling2D, .averagePooling2D] {
            #expect(Catalog.find(layer.rawValue, in: Catalog.layers)?.args.first { $0.name == "padding" }?.type == .oneOf(names(PaddingKind.self)))
        }
        #expect(Catalog.searchKeys.first { $0.name == "strategy" }?.type == .oneOf(names(SearchStrategy.self)))
        #expect(Catalog.searchKeys.first { $0.name == "resource" }?.type == .oneOf(names(HalvingResource.self)))
        for callback in CallbackKind.allCases {
            #expect(Catalog.find(callback.rawValue, in: Catalog.callbacks)?.args.first { $0.name == "mode" }?.type == .oneOf(names(MonitorModeKind.self)))
        }
    }

    @Test func aResolvedTrialCarriesKindsNotNames() throws {
        let (e, d) = Experiment.load(text: """
            data: {source: function2d, function: sin_cos, task: regression, preprocess: standardize}
            model: {layers: [{Dense: {units: 4}}, {Dropout: {rate: 0.1}}, {Dense: {units: 1}}]}
            compile: {loss: mae, optimizer: {name: sgd, learning_rate: {name: cosine_decay, initial_learning_rate: 0.1, decay_steps: 10}}}
            fit: {validation_split: 0.2, callbacks: [EarlyStopping]}
            """, file: "k.yaml")
        let experiment = try #require(e, "\(DiagnosticRenderer.render(d))")
        #expect(experiment.data.source == .function2d && experiment.data.function == .sinCos)
        #expect(experiment.data.task == .regression && experiment.data.preprocess == .standardize)
        let t = try experiment.resolve()
        #expect(t.model.layers.map(\.kind) == [.dense, .dropout, .dense])
        #expect(t.compile.loss.kind == .meanAbsoluteError && t.compile.optimizer.kind == .sgd)
        #expect(t.compile.optimizer.learningRate == .cosineDecay(initial: 0.1, decaySteps: 10, alpha: 0))
        #expect(t.fit.callbacks.map(\.kind) == [.earlyStopping])
    }
}
