import Core

/// Images of a QR Code symbol, each with the 4-module light quiet zone the standard requires.
public enum QRCodeRendering {
    public static let quietZoneModules = 4
    public static let pixelsPerModuleMax = 64

    /// A standalone SVG: the viewBox counts modules (quiet zone included), one `<path>` draws every dark module
    /// as horizontal runs, `shape-rendering="crispEdges"` keeps edges sharp, and no external resource is used.
    ///
    /// - Parameters:
    ///   - pixelsPerModule: sets `width` and `height`; nil leaves them out so the image scales to its container.
    ///   - title: an accessible name (`<title>`), XML-escaped.
    public static func svg(_ matrix: QRCodeMatrix, pixelsPerModule: Int? = nil, title: String? = nil) -> String {
        let side = matrix.size + 2 * quietZoneModules
        var sizeAttributes = ""
        if let pixelsPerModule {
            precondition((1...pixelsPerModuleMax).contains(pixelsPerModule))
            sizeAttributes = " width=\"\(side * pixelsPerModule)\" height=\"\(side * pixelsPerModule)\""
        }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(side) \(side)\"\(sizeAttributes)"
        svg += " shape-rendering=\"crispEdges\" role=\"img\">"
        if let title { svg += "<title>\(HTMLText.escaped(title))</title>" }
        svg += "<rect width=\"\(side)\" height=\"\(side)\" fill=\"#fff\"/>"
        svg += "<path fill=\"#000\" d=\"\(darkModulesPath(matrix))\"/></svg>"
        return svg
    }

    /// Path data: one closed rectangle per horizontal run of dark modules.
    static func darkModulesPath(_ matrix: QRCodeMatrix) -> String {
        var path = ""
        for row in 0..<matrix.size {
            var column = 0
            while column < matrix.size {
                guard matrix[row, column] else {
                    column += 1
                    continue
                }
                let runStart = column
                while column < matrix.size && matrix[row, column] { column += 1 }
                let runLength = column - runStart
                path += "M\(runStart + quietZoneModules) \(row + quietZoneModules)h\(runLength)v1h-\(runLength)z"
            }
        }
        return path
    }

    /// A binary greyscale PGM (Netpbm `P5`), 0 for dark and 255 for light: simple to write, read by common decoders.
    public static func pgm(_ matrix: QRCodeMatrix, pixelsPerModule: Int) -> [UInt8] {
        precondition((1...pixelsPerModuleMax).contains(pixelsPerModule))
        let side = (matrix.size + 2 * quietZoneModules) * pixelsPerModule
        var image = Array("P5\n\(side) \(side)\n255\n".utf8)
        let headerCount = image.count
        image.reserveCapacity(headerCount + side * side)
        for pixelRow in 0..<side {
            let row = pixelRow / pixelsPerModule - quietZoneModules
            for pixelColumn in 0..<side {
                let column = pixelColumn / pixelsPerModule - quietZoneModules
                let inside = row >= 0 && row < matrix.size && column >= 0 && column < matrix.size
                image.append(inside && matrix[row, column] ? 0 : 255)
            }
        }
        precondition(image.count == headerCount + side * side)
        return image
    }
}
