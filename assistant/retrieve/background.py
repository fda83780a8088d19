"""Off-topic reference sentences for refusal by contrast.

A question is answered from the corpus only if its best evidence sentence is closer to
it than the closest of these generic, off-topic sentences (geography, sport, food,
health, markets, technology, weather, science, education, everyday life). This catches
out-of-domain questions whose absolute similarity to the corpus looks normal, which
happens with cross-lingual (English -> Vietnamese) e5 similarities.

The list is generic on purpose and names no topic of the corpus (Party organization
work). Six sentences that paraphrased refusal tests (a capital city, a championship
final, baking bread, gold prices) were removed (issue 11): what remains must refuse
such questions by the general rules, and the tests check that it does.
"""

from __future__ import annotations

BACKGROUND: tuple[str, ...] = (
    # geography, travel
    "Ngọn núi cao nhất thế giới nằm trên dãy Himalaya.",
    "Du khách đến tham quan bãi biển và các khu nghỉ dưỡng vào mùa hè.",
    "Dân số của thành phố đạt hàng triệu người.",
    "The river flows through several countries before reaching the sea.",
    # sports, entertainment
    "Bộ phim mới ra rạp thu hút đông đảo khán giả.",
    "The singer released a new album and announced a world tour.",
    # food, health, lifestyle
    "Cách chế biến món ăn ngon với các nguyên liệu đơn giản.",
    "Bác sĩ khuyên nên ăn nhiều rau xanh và tập thể dục thường xuyên.",
    "Symptoms of the flu include fever, cough and fatigue.",
    "Mẹo chăm sóc da và giữ gìn sức khỏe trong mùa đông.",
    "How to lose weight with a healthy diet and exercise.",
    # economy, markets, technology
    "The stock market fell as investors worried about inflation.",
    "Tăng trưởng kinh tế và chỉ số giá tiêu dùng của cả nước.",
    "The company reported record quarterly revenue and profit.",
    "Điện thoại thông minh mới được trang bị camera và pin dung lượng lớn.",
    "The software update adds new features and fixes security bugs.",
    "Giá tiền điện tử Bitcoin tăng mạnh.",
    "The chief executive officer announced the company's new strategy.",
    # weather, science, nature
    "Dự báo thời tiết: trời có mưa rào và dông, nhiệt độ giảm.",
    "Tomorrow's forecast calls for sunshine and mild temperatures.",
    "Quá trình quang hợp giúp cây xanh tạo ra chất dinh dưỡng.",
    "Scientists discovered a new planet orbiting a distant star.",
    # education, law, everyday
    "Học sinh chuẩn bị cho kỳ thi tốt nghiệp và tuyển sinh đại học.",
    "Tips for learning a foreign language quickly.",
    "Thủ tục cấp giấy chứng nhận quyền sử dụng đất và nhà ở.",
    "How to apply for a passport and a travel visa.",
    "Lịch sử của phát minh và các nhà khoa học nổi tiếng.",
    "The history of the ancient empire and its famous rulers.",
    "Giao thông ùn tắc tại các tuyến đường trong giờ cao điểm.",
    "Recommendations for the best restaurants and movies this weekend.",
)
