import Foundation
import Testing

/// `runner summary`: Keras's model.summary() for a trial of a file.
@Suite struct SummaryTests {
    let dir = freshFolder("summary")

    @Test func theNotebookMLPHas266610Parameters() throws {
        let r = try RunnerProcess.run(["summary", "experiments/fashion_mlp.yaml"], in: RunnerProcess.root.path)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("│ dense (Dense)                   │ (None, 300)            │       235,500 │"), "\(r.out)")
        #expect(r.out.contains("Total params: 266,610"))
        #expect(r.out.hasSuffix("\n"))
    }

    @Test func theNotebookCNNHas1413834Parameters() throws {
        let spec = """
        name: notebook_cnn
        data: {source: fashion_mnist}
        model:
          input_shape: [28, 28, 1]
          layers:
            - Conv2D: {filters: 64, kernel_size: 7, activation: relu, padding: same}
            - MaxPooling2D: {pool_size: 2}
            - Conv2D: {filters: $f, kernel_size: 3, activation: relu, padding: same}
            - Conv2D: {filters: $f, kernel_size: 3, activation: relu, padding: same}
            - MaxPooling2D: {pool_size: 2}
            - Conv2D: {filters: 256, kernel_size: 3, activation: relu, padding: same}
            - Conv2D: {filters: 256, kernel_size: 3, activation: relu, padding: same}
            - MaxPooling2D: {pool_size: 2}
            - Flatten
            - Dense: {units: 128, activation: relu}
            - Dropout: {rate: 0.5}
            - Dense: {units: 64, activation: relu}
            - Dropout: {rate: 0.5}
            - Dense: {units: 10, activation: softmax}
        compile: {loss: sparse_categorical_crossentropy, optimizer: nadam, metrics: [accuracy]}
        search:
          space:
            f: {choice: [128]}
        """
        write(spec, "cnn.yaml", in: dir)
        let r = try RunnerProcess.run(["summary", "cnn.yaml", "--trial", "0"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("Total params: 1,413,834"))
    }

    @Test func aConv2DAfterFlattenIsALocatedError() throws {
        let spec = """
        name: bad
        data: {source: fashion_mnist}
        model:
          input_shape: [28, 28, 1]
          layers:
            - Flatten
            - Conv2D: {filters: 8, kernel_size: 3}
            - Dense: {units: 10, activation: softmax}
        compile: {loss: sparse_categorical_crossentropy, optimizer: adam}
        """
        write(spec, "bad.yaml", in: dir)
        let r = try RunnerProcess.run(["summary", "bad.yaml"], in: dir)
        #expect(r.status == 2)
        #expect(r.err.hasPrefix("bad.yaml:7:7: error: conv2d (Conv2D): "), "\(r.err)")
    }
}
