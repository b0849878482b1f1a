import Foundation
import Testing
@testable import VietQR

@Suite struct QRCodeRenderingTests {
    /// Redraws the modules from the SVG path (rectangles `Mx yhNv1h-Nz`) and compares them with the matrix.
    @Test func svgPathDrawsExactlyTheDarkModules() throws {
        for count in [5, 60, 200] {
            let matrix = try QRCodeEncoder.encode([UInt8](repeating: 0x5A, count: count))
            let svg = QRCodeRendering.svg(matrix)
            let side = matrix.size + 8
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(side) \(side)\""))
            #expect(svg.hasSuffix("</svg>"))
            #expect(svg.components(separatedBy: "<path").count == 2, "one path")
            #expect(!svg.contains("href") && !svg.contains("width=\"\(side * 4)"))
            let pathData = try #require(svg.components(separatedBy: " d=\"").last?.components(separatedBy: "\"").first)
            var drawn = Set<Int>()
            for rectangle in pathData.split(separator: "z") {
                let numbers = rectangle.split(whereSeparator: { "Mhv ".contains($0) }).compactMap { Int($0) }
                try #require(numbers.count == 5 && numbers[3] == 1 && numbers[4] == -numbers[2], "\(rectangle)")
                let (x, y, width) = (numbers[0] - 4, numbers[1] - 4, numbers[2])
                for column in x..<x + width { drawn.insert(y * matrix.size + column) }
            }
            for row in 0..<matrix.size {
                for column in 0..<matrix.size {
                    #expect(drawn.contains(row * matrix.size + column) == matrix[row, column])
                }
            }
        }
    }

    @Test func svgSizeAndEscapedTitle() throws {
        let matrix = try QRCodeEncoder.encode("x")
        let svg = QRCodeRendering.svg(matrix, pixelsPerModule: 4, title: "Học phí <tháng 9> & \"quỹ\"")
        #expect(svg.contains(" width=\"116\" height=\"116\""))
        #expect(svg.contains("<title>Học phí &lt;tháng 9&gt; &amp; &quot;quỹ&quot;</title>"))
    }

    @Test func pgmHasQuietZoneAndModules() throws {
        let matrix = try QRCodeEncoder.encode("pgm")
        let scale = 3
        let image = QRCodeRendering.pgm(matrix, pixelsPerModule: scale)
        let side = (matrix.size + 8) * scale
        let header = Array("P5\n\(side) \(side)\n255\n".utf8)
        #expect(Array(image.prefix(header.count)) == header)
        let pixels = Array(image.dropFirst(header.count))
        #expect(pixels.count == side * side)
        for pixelRow in 0..<side {
            for pixelColumn in 0..<side {
                let row = pixelRow / scale - 4
                let column = pixelColumn / scale - 4
                let inside = (0..<matrix.size).contains(row) && (0..<matrix.size).contains(column)
                let expected: UInt8 = inside && matrix[row, column] ? 0 : 255
                if pixels[pixelRow * side + pixelColumn] != expected {
                    Issue.record("pixel \(pixelRow),\(pixelColumn)")
                    return
                }
            }
        }
    }
}
