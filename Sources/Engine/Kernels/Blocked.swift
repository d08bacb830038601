/// oneDNN's blocked activation layout `nChw16c` (its `aBcd16b`), which its Winograd and
/// AVX-512 direct convolutions compute in: per image, the channels in blocks of 16, each block
/// an H×W plane of 16-channel pixels. Value (n, h, w, k) of an N×H×W×C batch (C a multiple of
/// 16) is at ((n·C/16 + k/16)·H + h)·W + w)·16 + k % 16.
///
/// An image holds the same H·W·C values as in NHWC, so a batch splits into sample chunks the
/// same way in both layouts, and any elementwise pass (a ReLU and its derivative) runs on
/// either unchanged. Between a Winograd Conv2D and its neighbours (`Sequential` picks the
/// places), activations and their gradients stay blocked: a reorder to NHWC and back, around
/// every pass of such a layer, cost about 5% of the CNNs' steps.
public enum Blocked {
    /// The offset of (n, h, w, k) in an N×H×W×C tensor, NHWC or blocked.
    struct Index {
        let height: Int, width: Int, channels: Int, blocked: Bool
        init(_ h: Int, _ w: Int, _ c: Int, blocked: Bool) { height = h; width = w; channels = c; self.blocked = blocked }

        @inline(__always)
        func callAsFunction(_ n: Int, _ h: Int, _ w: Int, _ k: Int) -> Int {
            blocked ? ((n * (channels >> 4) + (k >> 4)) * height * width + h * width + w) * 16 + (k & 15)
                    : ((n * height + h) * width + w) * channels + k
        }
    }
}
