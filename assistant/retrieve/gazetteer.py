"""Vietnam's provinces and centrally-run cities (the 63 of the articles' years), folded
as question anchors are ("Đắk Lắk" -> "dak lak"), so a question naming one without a
cue word ("How many members did Gia Lai admit?") is known to name a place.

General geography, not read from the articles or the gold questions. "Hồ Chí Minh" is
left out: as a bare name it is more often the person (a city is "TP. Hồ Chí Minh", which
the cue words catch).
"""

from __future__ import annotations

from assistant.vietnamese import match_normalize

_PROVINCES = """
An Giang|Bà Rịa - Vũng Tàu|Bà Rịa-Vũng Tàu|Bắc Giang|Bắc Kạn|Bạc Liêu|Bắc Ninh|Bến Tre
Bình Định|Bình Dương|Bình Phước|Bình Thuận|Cà Mau|Cần Thơ|Cao Bằng|Đà Nẵng|Đắk Lắk
Đắk Nông|Điện Biên|Đồng Nai|Đồng Tháp|Gia Lai|Hà Giang|Hà Nam|Hà Nội|Hà Tĩnh|Hải Dương
Hải Phòng|Hậu Giang|Hòa Bình|Hưng Yên|Khánh Hòa|Kiên Giang|Kon Tum|Lai Châu|Lâm Đồng
Lạng Sơn|Lào Cai|Long An|Nam Định|Nghệ An|Ninh Bình|Ninh Thuận|Phú Thọ|Phú Yên
Quảng Bình|Quảng Nam|Quảng Ngãi|Quảng Ninh|Quảng Trị|Sóc Trăng|Sơn La|Tây Ninh
Thái Bình|Thái Nguyên|Thanh Hóa|Thừa Thiên Huế|Thừa Thiên - Huế|Tiền Giang|Trà Vinh
Tuyên Quang|Vĩnh Long|Vĩnh Phúc|Yên Bái
"""

PROVINCES = frozenset(
    match_normalize(name) for line in _PROVINCES.split("\n") for name in line.split("|")
    if name.strip())


def is_province(anchor: str) -> bool:
    """Whether a folded anchor is a province or centrally-run city.

    >>> is_province("dak lak"), is_province("kon tum"), is_province("mai van chinh")
    (True, True, False)
    """
    return match_normalize(anchor) in PROVINCES
