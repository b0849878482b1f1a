/// Name material for synthetic rosters: common Vietnamese family, middle and given names (with diacritics),
/// district and school names. Weights are rough shares per thousand people, not census figures.
enum VietnameseNames {
    static let familyNames: [(name: String, weight: Int)] = [
        ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 30), ("Huỳnh", 21), ("Phan", 45),
        ("Vũ", 20), ("Võ", 19), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13), ("Ngô", 13), ("Dương", 10),
        ("Lý", 5), ("Đinh", 6), ("Trương", 6), ("Mai", 3), ("Lương", 3),
    ]
    static let familyNameWeights = familyNames.map(\.weight)

    static let maleMiddleNames = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Gia", "Hoàng", "Công", "Anh", "Bảo", "Trọng"]
    static let femaleMiddleNames = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Bảo", "Khánh", "Thùy", "Mai", "Hoài", "Diệu"]

    static let maleGivenNames = [
        "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khang", "Khoa", "Kiên", "Long", "Minh", "Nam",
        "Nghĩa", "Phúc", "Quân", "Sơn", "Tâm", "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh", "Vũ", "Lâm", "Hưng",
        "Duy", "Phong", "Tùng", "Đăng", "Khôi", "Nhật", "Quang",
    ]
    static let femaleGivenNames = [
        "Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "My", "Nga",
        "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Trâm", "Uyên", "Vy", "Yến", "Ngọc", "Hiền", "Thư",
        "Nhi", "Hân", "Loan", "Tuyết", "Xuân", "Diệp", "Khuê",
    ]

    static let districtNames = [
        "Ba Đình", "Hoàn Kiếm", "Tây Hồ", "Long Biên", "Cầu Giấy", "Đống Đa", "Hai Bà Trưng", "Hoàng Mai", "Thanh Xuân",
        "Sóc Sơn", "Đông Anh", "Gia Lâm", "Nam Từ Liêm", "Thanh Trì", "Bắc Từ Liêm", "Mê Linh", "Hà Đông", "Sơn Tây",
        "Ba Vì", "Phúc Thọ", "Đan Phượng", "Hoài Đức", "Quốc Oai", "Thạch Thất", "Chương Mỹ", "Thanh Oai", "Thường Tín",
        "Phú Xuyên", "Ứng Hòa", "Mỹ Đức",
    ]

    static let honourees = [
        "Lê Lợi", "Nguyễn Du", "Trần Phú", "Chu Văn An", "Lý Thường Kiệt", "Quang Trung", "Nguyễn Trãi", "Lê Quý Đôn",
        "Kim Đồng", "Võ Thị Sáu", "Nguyễn Huệ", "Hai Bà Trưng", "Trần Hưng Đạo", "Phan Bội Châu", "Lê Hồng Phong",
        "Nguyễn Bỉnh Khiêm", "Đoàn Thị Điểm", "Ngô Quyền", "Tô Hiệu", "Nguyễn Văn Trỗi", "Lê Văn Tám", "Trưng Vương",
        "Phan Chu Trinh", "Nguyễn Đình Chiểu", "Hồ Tùng Mậu", "Đinh Tiên Hoàng", "Lý Tự Trọng", "Nguyễn Khuyến",
    ]
    static let preschoolNames = [
        "Hoa Sen", "Hoa Mai", "Sơn Ca", "Họa Mi", "Bông Sen", "Tuổi Thơ", "Măng Non", "Hoa Hồng", "Ánh Dương", "Hoa Sữa",
        "Búp Sen Hồng", "Thỏ Ngọc", "Vành Khuyên", "Hoa Phượng", "Bình Minh",
    ]
}
