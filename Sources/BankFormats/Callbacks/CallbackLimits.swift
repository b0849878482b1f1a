import Core
/// Every bound on what a callback may carry. Senders' real payloads are a few hundred bytes;
/// these leave ample room and still cap the work a hostile request can cause.
public enum CallbackLimits {
    public static let bodyBytesMax = 64 * 1024
    public static let jsonDepthMax = 8
    /// Values of any kind in one body (each member's value, each array element, each container).
    public static let jsonValueCountMax = 512
    /// One decoded string, key or value.
    public static let stringBytesMax = 4 * 1024
    public static let numberBytesMax = 40
    public static let queryBytesMax = 8 * 1024
    public static let queryParameterCountMax = 64
    /// A signature or API-key header value.
    public static let authenticationHeaderBytesMax = 1024
    /// `t=` values: 13 digits of milliseconds today; more is refused before any arithmetic.
    public static let timestampDigitsMax = 16
    /// Signatures listed in one `t=..,v1=..,v1=..` header.
    public static let headerSignatureCountMax = 4
    /// Secrets tried for one request (two during a rotation; a little headroom).
    public static let secretCountMax = 4
    /// A provider description file.
    public static let descriptionBytesMax = 256 * 1024
    public static let descriptionDepthMax = 12
    public static let descriptionValueCountMax = 4096

    /// The JSON bounds for callback bodies.
    public static let bodyJSON = JSONLimits(
        bytesMax: bodyBytesMax, depthMax: jsonDepthMax, valueCountMax: jsonValueCountMax,
        stringBytesMax: stringBytesMax, numberBytesMax: numberBytesMax)

    /// The JSON bounds for description files (they embed sample bodies as strings).
    public static let descriptionJSON = JSONLimits(
        bytesMax: descriptionBytesMax, depthMax: descriptionDepthMax, valueCountMax: descriptionValueCountMax,
        stringBytesMax: bodyBytesMax, numberBytesMax: numberBytesMax)
}
