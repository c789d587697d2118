"""The names of the classification (Phụ lục I/II) as msgids, so that makemessages finds them.

The names live in data/classification-26-2026.json; `Sector.label`, `Group.label` and
`ProductSet.label` translate them with the context "OCOP classification" ("Hoa" is both flowers
and an ethnic group). test_classification checks that this list and the data agree.
"""


def pgettext(context: str, message: str) -> str:
    """A no-op named like Django's, so that xgettext extracts (context, msgid) from the calls below."""
    return message


NAMES = (
    pgettext("OCOP classification", "Thực phẩm"),
    pgettext("OCOP classification", "Đồ uống"),
    pgettext("OCOP classification", "Dược liệu và sản phẩm từ dược liệu"),
    pgettext("OCOP classification", "Hàng thủ công mỹ nghệ"),
    pgettext("OCOP classification", "Sinh vật cảnh"),
    pgettext("OCOP classification", "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch"),
    pgettext("OCOP classification", "Thực phẩm tươi sống"),
    pgettext("OCOP classification", "Thực phẩm thô, sơ chế"),
    pgettext("OCOP classification", "Thực phẩm chế biến"),
    pgettext("OCOP classification", "Gia vị"),
    pgettext("OCOP classification", "Chè"),
    pgettext("OCOP classification", "Cà phê, ca cao"),
    pgettext("OCOP classification", "Đồ uống có cồn"),
    pgettext("OCOP classification", "Đồ uống không cồn"),
    pgettext("OCOP classification", "Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền"),
    pgettext("OCOP classification", "Mỹ phẩm có thành phần từ dược liệu"),
    pgettext("OCOP classification", "Tinh dầu và dược liệu khác"),
    pgettext("OCOP classification", "Thủ công mỹ nghệ gia dụng, trang trí"),
    pgettext("OCOP classification", "Vải, may mặc"),
    pgettext("OCOP classification", "Hoa"),
    pgettext("OCOP classification", "Cây cảnh"),
    pgettext("OCOP classification", "Động vật cảnh"),
    pgettext("OCOP classification", "Rau, củ, quả, hạt tươi"),
    pgettext("OCOP classification", "Thịt, thủy sản, trứng, sữa tươi"),
    pgettext("OCOP classification", "Gạo, ngũ cốc, hạt sơ chế khác"),
    pgettext("OCOP classification", "Mật ong, mật khác và nông sản thực phẩm khác"),
    pgettext("OCOP classification", "Đồ ăn nhanh"),
    pgettext("OCOP classification", "Chế biến từ gạo, ngũ cốc"),
    pgettext("OCOP classification", "Chế biến từ rau, củ, quả, hạt"),
    pgettext(
        "OCOP classification",
        "Chế biến từ thịt, thủy sản, trứng, sữa, các sản phẩm "
        "từ mật ong, mật khác và nông sản thực phẩm khác",
    ),
    pgettext("OCOP classification", "Tương, nước mắm, gia vị dạng lỏng khác"),
    pgettext("OCOP classification", "Gia vị khác (muối, hành, tỏi, tiêu)"),
    pgettext("OCOP classification", "Chè tươi, chè chế biến"),
    pgettext("OCOP classification", "Sản phẩm trà từ thực vật khác"),
    pgettext("OCOP classification", "Cà phê, cacao"),
    pgettext("OCOP classification", "Rượu trắng"),
    pgettext("OCOP classification", "Đồ uống có cồn khác"),
    pgettext("OCOP classification", "Nước khoáng thiên nhiên, nước uống đóng chai"),
    pgettext("OCOP classification", "Đồ uống không cồn khác"),
    pgettext("OCOP classification", "Thủ công mỹ nghệ"),
)
