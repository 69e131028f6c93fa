"""Builds var/phash-set/: phone screenshots a victim might upload, each re-shared the ways victims re-share them.

    .venv/bin/python bench/phash/make_screenshots.py            # writes var/phash-set/*.png|jpg and labels.csv

Deterministic: every picture is drawn with Pillow from a seed, with the font Pillow ships (Aileron, through
ImageFont.load_default), so the set is the same on every machine. Five app templates (a WeChat chat, a shop's
customer-service chat, an order page, a WeChat Pay bill, a group-buy page) with eight originals each; the
originals of one template share their whole layout and differ only in content, the way two chats in the same
app do, and come in pairs from two victims of one merchant (same phone model, shop, product photo, group).
Those are the hard negatives: near-duplicate detection must not join two victims who merely used the same app.
Each original then gets the copies a victim makes when the same screenshot travels: re-encoded, resized, passed
through WeChat, cropped, tweaked, stickered.

The drawing functions are importable (complaints/tests/test_duplicates.py renders a few pictures with them).
"""

import argparse
import csv
import functools
import io
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFont

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "phash-set"
SEED = "redress-phash-1"
ORIGINALS_PER_TEMPLATE = 8
# Real phone screens in pixels: iPhone X-class, iPhone 8-class, iPhone 12-class, a 16:9 Android.
DEVICES = ((1080, 2340), (750, 1334), (1170, 2532), (1080, 1920))

# Content: invented people, shops and amounts, in pinyin and English (no CJK font is guaranteed).
PEOPLE = ("Xiao Mei", "Lao Wang", "Chen Jie", "Li Na", "Zhang Wei", "Liu Yang", "Huang Lei", "Zhou Min",
          "Wu Ting", "Kefu Amy", "Dian Zhang", "Sun Hao")  # fmt: skip
GROUPS = ("Haowu Tuangou Qun 3", "Yangmao Fuli Qun", "Guoyuan Zhigong 2 Qun", "Baby Muying Pinpin",
          "Meizhuang Neigou Qun", "Shequ Maicai Tuan")  # fmt: skip
SHOPS = ("Youpin Hui Flagship", "Jiajia Fruit Direct", "Mengbao Muying Store", "Xingchen Digital",
         "Lvye Organic Farm", "Meili Beauty Outlet", "Kuaile Snack House", "Hengtong Home Living")  # fmt: skip
PRODUCTS = ("Imported cherries 5 jin gift box", "Wireless earbuds Pro noise cancelling", "Infant formula stage 2 x6",
            "Moisturising serum 30ml set", "Organic rice 10kg family pack", "Smart watch GT sports edition",
            "Down jacket ultralight unisex", "Air fryer 5L digital")  # fmt: skip
LINES_THEM = ("Qin, zai ma?", "Fahuo le, kuaidi hao mingtian gei ni", "Xian fu dingjin 200 jiu xing",
              "Presale, 7 tian nei fahuo", "Kefu zai mang, shaodeng", "Tuikuan yao shenhe 15 ge gongzuori",
              "Nin de dingdan yijing chuli", "Add my other WeChat for the discount code", "Hao de qin",
              "Zhe pi huo shi zhengpin, fangxin", "Last 3 boxes today only!", "Saoma zhifu jiu keyi le")  # fmt: skip
LINES_ME = ("Wo de huo shenme shihou dao?", "Yijing fu le", "Tuikuan ne??", "Ok", "Dou 15 tian le hai mei fahuo",
            "Wuliu yizhi bu gengxin", "Ni men shi bu shi pianzi", "Please refund my order now",
            "Hao de xiexie", "Zhe shi wo de dingdan hao", "Wei shenme bu hui xiaoxi", "Zai ma")  # fmt: skip
STATUSES = (("Waiting for shipment", "Seller will ship within 48h"), ("Shipped", "Parcel in transit, 2 updates"),
            ("Refund closed", "Seller refused the refund"), ("Awaiting receipt", "Auto-confirm in 9 days"),
            ("Completed", "Thanks for your purchase"))  # fmt: skip
AVATAR_COLOURS = ((231, 76, 60), (52, 152, 219), (155, 89, 182), (241, 196, 15), (46, 204, 113), (230, 126, 34),
                  (26, 188, 156), (149, 165, 166), (52, 73, 94), (236, 112, 99))  # fmt: skip


@functools.cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


class Screen:
    """A phone screen drawn in points (375 wide, as iOS lays out), rendered at the device's pixels."""

    def __init__(self, size: tuple[int, int], background):
        self.image = Image.new("RGB", size, background)
        self.draw = ImageDraw.Draw(self.image)
        self.scale = size[0] / 375
        self.height = size[1] / self.scale
        self.notch = self.height > 700  # tall phones: a taller status bar and a home indicator strip

    def px(self, value: float) -> int:
        return round(value * self.scale)

    def rect(self, box, fill, radius: float = 0, outline=None):
        box = [self.px(v) for v in box]
        if radius:
            self.draw.rounded_rectangle(box, self.px(radius), fill=fill, outline=outline)
        else:
            self.draw.rectangle(box, fill=fill, outline=outline)

    def circle(self, cx: float, cy: float, r: float, fill, outline=None, width: float = 1):
        box = [self.px(cx - r), self.px(cy - r), self.px(cx + r), self.px(cy + r)]
        self.draw.ellipse(box, fill=fill, outline=outline, width=max(1, self.px(width)))

    def text(self, x: float, y: float, text: str, size: float, fill, anchor: str = "la"):
        self.draw.text((self.px(x), self.px(y)), text, fill=fill, font=font(self.px(size)), anchor=anchor)

    def width_of(self, text: str, size: float) -> float:
        return self.draw.textlength(text, font=font(self.px(size))) / self.scale

    def wrap(self, text: str, size: float, width: float) -> list[str]:
        lines, line = [], ""
        for word in text.split():
            candidate = f"{line} {word}".strip()
            if line and self.width_of(candidate, size) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        return [*lines, line]

    def status_bar(self, rng: random.Random, background, ink) -> float:
        top = 44 if self.notch else 20
        self.rect((0, 0, 375, top), background)
        baseline = top - 6 if self.notch else top - 3
        self.text(28 if self.notch else 8, baseline, f"{rng.randint(7, 23)}:{rng.randint(0, 59):02d}", 14, ink, "ls")
        for i in range(4):  # signal bars
            self.rect((300 + i * 5, baseline - 4 - i * 2, 303 + i * 5, baseline), ink)
        self.rect((330, baseline - 10, 354, baseline), None, 3, outline=ink)
        self.rect((332, baseline - 8, 332 + rng.randint(6, 20), baseline - 2), ink, 1)
        return top

    def home_indicator(self, background) -> float:
        """Draws the home-indicator strip on tall phones; returns the y where content above it must end."""
        if not self.notch:
            return self.height
        self.rect((0, self.height - 34, 375, self.height), background)
        self.rect((120, self.height - 13, 255, self.height - 8), (20, 20, 20), 3)
        return self.height - 34


def photo(screen: Screen, rng: random.Random, box) -> None:
    """A product photo or a picture sent in a chat: a background and a few shapes."""
    x0, y0, x1, y1 = box
    screen.rect(box, tuple(rng.randint(120, 240) for _ in range(3)))
    for _ in range(rng.randint(2, 5)):
        w, h = (x1 - x0) * rng.uniform(0.2, 0.6), (y1 - y0) * rng.uniform(0.2, 0.6)
        left, top = x0 + rng.uniform(0, x1 - x0 - w), y0 + rng.uniform(0, y1 - y0 - h)
        colour = tuple(rng.randint(20, 230) for _ in range(3))
        if rng.random() < 0.5:
            screen.draw.ellipse([screen.px(v) for v in (left, top, left + w, top + h)], fill=colour)
        else:
            screen.rect((left, top, left + w, top + h), colour, radius=rng.choice((0, 6)))


def money(rng: random.Random, low: int = 20, high: int = 3000) -> str:
    return f"{rng.randint(low, high):,}.{rng.choice(('00', '00', '50', '90', '99'))}"


def digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def date(rng: random.Random) -> str:
    return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"


# Templates ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Merchant:
    """What every victim of one merchant sees alike: the shop, its product and photo, the group, the staff."""

    shop: str
    product: str
    photo_seed: float
    price: int
    group: str
    staff: tuple[int, ...]
    status: int
    team: int
    flavour: int  # the app shows this merchant's pages with a few more or fewer rows and buttons

    @classmethod
    def draw(cls, rng: random.Random) -> "Merchant":
        group = rng.choice(GROUPS) + f" ({rng.randint(40, 480)})" if rng.random() < 0.6 else rng.choice(PEOPLE)
        return cls(shop=rng.choice(SHOPS), product=rng.choice(PRODUCTS), photo_seed=rng.random(),
                   price=rng.randint(20, 900), group=group, staff=tuple(rng.sample(range(len(AVATAR_COLOURS)), 3)),
                   status=rng.randrange(len(STATUSES)), team=rng.randint(2, 5), flavour=rng.randint(0, 2))  # fmt: skip

    def photo(self, screen: Screen, box) -> None:
        photo(screen, random.Random(self.photo_seed), box)


def chat(screen: Screen, rng: random.Random, merchant: Merchant, style: dict) -> None:
    """A chat between the victim (right) and the merchant's people (left), filled from the top, cut off by the
    input bar."""
    y = screen.status_bar(rng, style["bar"], (0, 0, 0))
    y = style["header"](screen, merchant, y)
    bottom = screen.height - (34 if screen.notch else 0) - 56 - style.get("chips", 0)
    me = rng.choice([c for c in range(len(AVATAR_COLOURS)) if c not in merchant.staff])
    y += 12
    while y < bottom:
        kind = rng.choices(("time", "text", "image", "money"), (1, 7, 1, 1))[0]
        if kind == "time":
            stamp = f"{rng.choice(('Yesterday', 'Mon', 'Tue', '2025-06-1' + str(rng.randint(0, 9))))} " + (
                f"{rng.randint(8, 23)}:{rng.randint(0, 59):02d}"
            )
            screen.text(187.5, y + 10, stamp, 12, (150, 150, 150), "mm")
            y += 32
            continue
        mine = rng.random() < 0.45
        colour = AVATAR_COLOURS[me if mine else rng.choice(merchant.staff)]
        avatar_x = 325 if mine else 10
        style["avatar"](screen, avatar_x, y, colour)
        if kind == "text":
            text = " ".join(rng.sample(LINES_ME if mine else LINES_THEM, rng.choices((1, 2), (7, 3))[0]))
            lines = screen.wrap(text, 16, 220)
            width = max(screen.width_of(line, 16) for line in lines) + 24
            height = len(lines) * 22 + 18
            fill = style["mine"] if mine else style["theirs"]
        elif kind == "image":
            width, height = rng.choice(((120, 160), (160, 120), (140, 140)))
            fill = None
        else:
            width, height, fill = 230, 84, style["money"]
        left = 317 - width if mine else 58
        box = (left, y, left + width, y + height)
        if kind == "image":
            # The merchant sends its product photo; the victim sends a picture of their own.
            if mine:
                photo(screen, rng, box)
            else:
                merchant.photo(screen, box)
        else:
            screen.rect(box, fill, style["radius"])
            tail_x = left + width if mine else left
            direction = 1 if mine else -1
            screen.draw.polygon(
                [(screen.px(tail_x), screen.px(y + 13)), (screen.px(tail_x + 6 * direction), screen.px(y + 19)),
                 (screen.px(tail_x), screen.px(y + 25))], fill=fill)  # fmt: skip
        if kind == "text":
            for i, line in enumerate(lines):
                screen.text(left + 12, y + 9 + i * 22, line, 16, (20, 20, 20))
        elif kind == "money":
            screen.circle(left + 30, y + 30, 16, None, outline=(255, 255, 255), width=2)
            screen.text(left + 56, y + 12, f"RMB {money(rng, 50, 2000)}", 17, (255, 255, 255))
            screen.text(left + 56, y + 36, rng.choice(("Transfer", "Received", "Deposit")), 12, (255, 240, 220))
            screen.rect((left, y + 60, left + width, y + 61), (255, 255, 255))
            screen.text(left + 10, y + 66, style["money_label"], 10, (255, 240, 220))
        y += height + 18
    # The input bar covers whatever message was cut off, as in the real app.
    bar_bottom = screen.home_indicator(style["input"])
    style["input_bar"](screen, merchant, bar_bottom)


def wechat_header(screen: Screen, merchant: Merchant, top: float) -> float:
    background = (237, 237, 237)
    screen.rect((0, top, 375, top + 44), background)
    screen.text(14, top + 22, "<", 22, (20, 20, 20), "lm")
    screen.text(187.5, top + 22, merchant.group, 17, (20, 20, 20), "mm")
    for i in range(3):
        screen.circle(343 + i * 7, top + 22, 2, (20, 20, 20))
    screen.rect((0, top + 44, 375, top + 44.5), (215, 215, 215))
    return top + 44


def wechat_input(screen: Screen, merchant: Merchant, bottom: float) -> None:
    top = bottom - 56
    screen.rect((0, top, 375, bottom), (247, 247, 247))
    screen.rect((0, top, 375, top + 0.5), (215, 215, 215))
    screen.circle(22, top + 28, 13, None, outline=(40, 40, 40), width=1.5)
    screen.rect((44, top + 10, 290, top + 46), (255, 255, 255), 4)
    screen.circle(315, top + 28, 13, None, outline=(40, 40, 40), width=1.5)
    screen.circle(350, top + 28, 13, None, outline=(40, 40, 40), width=1.5)
    screen.text(350, top + 28, "+", 20, (40, 40, 40), "mm")


def square_avatar(screen: Screen, x: float, y: float, colour) -> None:
    screen.rect((x, y, x + 40, y + 40), colour, 4)
    screen.text(x + 20, y + 20, chr(65 + sum(colour) % 26), 18, (255, 255, 255), "mm")


def round_avatar(screen: Screen, x: float, y: float, colour) -> None:
    screen.circle(x + 20, y + 20, 20, colour)
    screen.text(x + 20, y + 20, chr(65 + sum(colour) % 26), 18, (255, 255, 255), "mm")


def shop_header(screen: Screen, merchant: Merchant, top: float) -> float:
    screen.rect((0, top, 375, top + 44), (255, 255, 255))
    screen.text(14, top + 22, "<", 22, (20, 20, 20), "lm")
    screen.text(187.5, top + 15, merchant.shop, 16, (20, 20, 20), "mm")
    screen.text(187.5, top + 33, "Customer service", 11, (140, 140, 140), "mm")
    screen.rect((0, top + 44, 375, top + 44.5), (230, 230, 230))
    # The product the victim asked about, pinned under the title.
    card = top + 52
    screen.rect((10, card, 365, card + 84), (255, 255, 255), 8)
    merchant.photo(screen, (20, card + 10, 84, card + 74))
    for i, line in enumerate(screen.wrap(merchant.product, 14, 180)[:2]):
        screen.text(94, card + 12 + i * 19, line, 14, (30, 30, 30))
    screen.text(94, card + 56, f"RMB {merchant.price}.00", 16, (255, 80, 0))
    screen.rect((290, card + 50, 355, card + 76), (255, 80, 0), 13)
    screen.text(322.5, card + 63, "Send", 13, (255, 255, 255), "mm")
    return card + 84


def shop_input(screen: Screen, merchant: Merchant, bottom: float) -> None:
    chips = bottom - 56 - 40
    screen.rect((0, chips, 375, bottom), (245, 245, 245))
    x = 10
    labels = ("Logistics", "Refund", "Coupon", "Invoice", "Size guide", "Complain")
    for label in random.Random(merchant.shop).sample(labels, 4):
        width = screen.width_of(label, 13) + 20
        screen.rect((x, chips + 8, x + width, chips + 34), (255, 255, 255), 13, outline=(220, 220, 220))
        screen.text(x + width / 2, chips + 21, label, 13, (80, 80, 80), "mm")
        x += width + 8
    top = bottom - 56
    screen.rect((0, top, 375, bottom), (255, 255, 255))
    screen.rect((12, top + 10, 300, top + 46), (242, 242, 242), 18)
    screen.text(26, top + 28, "Say something...", 14, (170, 170, 170), "lm")
    screen.circle(320, top + 28, 12, None, outline=(60, 60, 60), width=1.5)
    screen.circle(352, top + 28, 12, (255, 80, 0))
    screen.text(352, top + 28, "+", 18, (255, 255, 255), "mm")


WECHAT_CHAT = {"bar": (237, 237, 237), "header": wechat_header, "avatar": square_avatar, "mine": (149, 236, 105),
               "theirs": (255, 255, 255), "money": (250, 157, 59), "money_label": "WeChat Transfer", "radius": 4,
               "input": (247, 247, 247), "input_bar": wechat_input, "background": (237, 237, 237)}  # fmt: skip
SHOP_CHAT = {"bar": (255, 255, 255), "header": shop_header, "avatar": round_avatar, "mine": (255, 226, 196),
             "theirs": (255, 255, 255), "money": (255, 120, 40), "money_label": "Order payment", "radius": 10,
             "input": (255, 255, 255), "input_bar": shop_input, "chips": 40, "background": (243, 243, 243)}  # fmt: skip


def wechat_chat(size: tuple[int, int], rng: random.Random, merchant: Merchant) -> Image.Image:
    screen = Screen(size, WECHAT_CHAT["background"])
    chat(screen, rng, merchant, WECHAT_CHAT)
    return screen.image


def shop_chat(size: tuple[int, int], rng: random.Random, merchant: Merchant) -> Image.Image:
    screen = Screen(size, SHOP_CHAT["background"])
    chat(screen, rng, merchant, SHOP_CHAT)
    return screen.image


def card(screen: Screen, top: float, height: float) -> None:
    screen.rect((10, top, 365, top + height), (255, 255, 255), 10)


def label_lines(screen: Screen, top: float, rows: list[tuple[str, str]], size: float = 13) -> float:
    for i, (label, value) in enumerate(rows):
        screen.text(24, top + i * 28, label, size, (130, 130, 130))
        screen.text(351, top + i * 28, value, size, (40, 40, 40), "ra")
    return top + len(rows) * 28


def order_detail(size: tuple[int, int], rng: random.Random, merchant: Merchant) -> Image.Image:
    screen = Screen(size, (244, 244, 244))
    orange = (255, 80, 0)
    y = screen.status_bar(rng, orange, (255, 255, 255))
    screen.rect((0, y, 375, y + 150), orange)
    screen.text(14, y + 22, "<", 22, (255, 255, 255), "lm")
    screen.text(187.5, y + 22, "Order details", 17, (255, 255, 255), "mm")
    status, note = STATUSES[merchant.status]
    screen.text(24, y + 62, status, 22, (255, 255, 255))
    screen.text(24, y + 94, note, 13, (255, 225, 200))
    y += 126
    card(screen, y, 84)
    screen.circle(36, y + 30, 12, (255, 120, 60))
    screen.text(58, y + 16, f"{rng.choice(PEOPLE)}  1{digits(rng, 2)}****{digits(rng, 4)}", 15, (30, 30, 30))
    screen.text(58, y + 42, f"Room {rng.randint(101, 2905)}, Bldg {rng.randint(1, 30)}, ", 12, (100, 100, 100))
    screen.text(58, y + 60, f"{rng.randint(1, 999)} Jianshe Rd, District {rng.randint(1, 16)}", 12, (100, 100, 100))
    y += 96
    card(screen, y, 46 + 104 + 110)
    screen.text(24, y + 16, merchant.shop + "  >", 15, (30, 30, 30))
    y += 46
    merchant.photo(screen, (24, y, 112, y + 88))
    for i, line in enumerate(screen.wrap(merchant.product, 14, 160)[:2]):
        screen.text(122, y + 2 + i * 19, line, 14, (30, 30, 30))
    screen.text(122, y + 44, rng.choice(("Colour: black", "Spec: 5 jin", "Size: L", "Default")), 12, (150, 150, 150))
    quantity = rng.randint(1, 3)
    total = merchant.price * quantity
    screen.text(351, y + 2, f"RMB {merchant.price}.00", 14, (30, 30, 30), "ra")
    screen.text(351, y + 22, f"x{quantity}", 12, (150, 150, 150), "ra")
    y += 104
    y = label_lines(screen, y, [("Subtotal", f"RMB {total}.00"), ("Shipping", "RMB 0.00"),
                                ("Store coupon", f"-RMB {rng.randint(0, 30)}.00")])  # fmt: skip
    screen.text(351, y + 2, f"Paid RMB {total}.00", 16, orange, "ra")
    y += 42
    rows = [("Order no.", digits(rng, 18)), ("Created", date(rng)), ("Paid", date(rng)),
            ("Payment", rng.choice(("WeChat Pay", "Alipay", "Bank card"))), ("Shipped", date(rng))]  # fmt: skip
    rows = rows[: 3 + merchant.flavour]
    card(screen, y, len(rows) * 28 + 20)
    label_lines(screen, y + 14, rows)
    bottom = screen.home_indicator((255, 255, 255))
    screen.rect((0, bottom - 56, 375, bottom), (255, 255, 255))
    x = 351
    buttons = ("Contact seller", "Refund", "Confirm receipt", "Track parcel", "Delete")
    for label in random.Random(merchant.status).sample(buttons, 3):
        width = screen.width_of(label, 13) + 24
        highlight = label in ("Confirm receipt", "Refund")
        screen.rect((x - width, bottom - 44, x, bottom - 12), (255, 255, 255), 16,
                    outline=orange if highlight else (200, 200, 200))  # fmt: skip
        screen.text(x - width / 2, bottom - 28, label, 13, orange if highlight else (60, 60, 60), "mm")
        x -= width + 10
    return screen.image


def pay_receipt(size: tuple[int, int], rng: random.Random, merchant: Merchant) -> Image.Image:
    screen = Screen(size, (255, 255, 255))
    y = screen.status_bar(rng, (237, 237, 237), (0, 0, 0))
    screen.rect((0, y, 375, y + 44), (237, 237, 237))
    screen.text(14, y + 22, "<", 22, (20, 20, 20), "lm")
    screen.text(187.5, y + 22, "Bill details", 17, (20, 20, 20), "mm")
    y += 76
    screen.circle(187.5, y + 24, 24, AVATAR_COLOURS[merchant.staff[0]])
    screen.text(187.5, y + 24, merchant.shop[0], 22, (255, 255, 255), "mm")
    screen.text(187.5, y + 68, merchant.shop, 16, (40, 40, 40), "mm")
    screen.text(187.5, y + 118, f"-{merchant.price * rng.randint(1, 3)}.00", 40, (10, 10, 10), "mm")
    screen.text(187.5, y + 158, ("Paid", "Payment successful", "Refund pending")[merchant.flavour], 14,
                (120, 120, 120), "mm")  # fmt: skip
    y += 196
    screen.rect((24, y, 351, y + 0.5), (225, 225, 225))
    rows = [("Payment time", date(rng)), ("Product", merchant.product[:24]),
            ("Merchant", f"{merchant.shop.split()[0]} Trading Co., Ltd."),
            ("Payment method", rng.choice(("Balance", "China Merchants Bank (1234)", "ICBC Debit (8802)",
                                           "Spending wallet"))),
            ("Transaction no.", "4200" + digits(rng, 24)), ("Merchant order no.", digits(rng, 20))]  # fmt: skip
    y += 24
    for label, value in rows[: 4 + merchant.flavour]:
        screen.text(24, y, label, 14, (130, 130, 130))
        lines = screen.wrap(value, 14, 190) if " " in value else [value[i : i + 16] for i in range(0, len(value), 16)]
        for i, line in enumerate(lines):
            screen.text(160, y + i * 20, line, 14, (30, 30, 30))
        y += 20 * len(lines) + 18
    screen.rect((24, y, 351, y + 0.5), (225, 225, 225))
    y += 20
    links = ("Contact merchant", "Have questions about this payment?", "Apply for invoice")
    for label in links[: 1 + merchant.flavour]:
        screen.text(24, y, label, 14, (87, 107, 149))
        screen.text(351, y, ">", 14, (180, 180, 180), "ra")
        y += 40
    screen.home_indicator((255, 255, 255))
    return screen.image


def group_buy(size: tuple[int, int], rng: random.Random, merchant: Merchant) -> Image.Image:
    screen = Screen(size, (245, 245, 245))
    red = (226, 35, 26)
    y = screen.status_bar(rng, red, (255, 255, 255))
    screen.rect((0, y, 375, y + 44), red)
    screen.text(14, y + 22, "<", 22, (255, 255, 255), "lm")
    screen.text(187.5, y + 22, ("Group buy", "Pin tuan", "Team up and save")[merchant.flavour], 17, (255, 255, 255),
                "mm")  # fmt: skip
    y += 44
    merchant.photo(screen, (0, y, 375, y + 300))
    y += 300
    screen.rect((0, y, 375, y + 64), red)
    price = merchant.price // 4
    screen.text(16, y + 32, f"RMB {price}.9", 30, (255, 255, 255), "lm")
    screen.text(16 + screen.width_of(f"RMB {price}.9", 30) + 10, y + 38, f"RMB {merchant.price}", 13,
                (255, 200, 200), "lm")  # fmt: skip
    screen.text(359, y + 22, f"{rng.randint(1, 99)}k+ sold", 12, (255, 220, 220), "ra")
    screen.text(359, y + 44, f"Ends {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}", 12,
                (255, 255, 255), "ra")  # fmt: skip
    y += 64
    screen.rect((0, y, 375, y + 64), (255, 255, 255))
    for i, line in enumerate(screen.wrap(merchant.product, 16, 340)[:2]):
        screen.text(16, y + 10 + i * 22, line, 16, (30, 30, 30))
    y += 76
    joined = rng.randint(1, merchant.team - 1)
    screen.rect((0, y, 375, y + 150), (255, 255, 255))
    screen.text(187.5, y + 22, f"{merchant.team - joined} more needed to complete the group", 15, (30, 30, 30), "mm")
    start = 187.5 - (merchant.team * 52 - 12) / 2
    for i in range(merchant.team):
        if i < joined:
            screen.circle(start + i * 52 + 20, y + 64, 20, rng.choice(AVATAR_COLOURS))
        else:
            screen.circle(start + i * 52 + 20, y + 64, 20, (250, 250, 250), outline=(200, 200, 200), width=1)
            screen.text(start + i * 52 + 20, y + 64, "?", 18, (180, 180, 180), "mm")
    screen.rect((40, y + 100, 335, y + 140), red, 20)
    screen.text(187.5, y + 120, "Invite friends to join", 16, (255, 255, 255), "mm")
    y += 162
    screen.rect((0, y, 375, screen.height), (255, 255, 255))
    screen.text(16, y + 12, "Recently joined", 14, (30, 30, 30))
    y += 40
    while y < screen.height - 60:
        screen.circle(32, y + 16, 16, rng.choice(AVATAR_COLOURS))
        screen.text(58, y + 8, rng.choice(PEOPLE), 14, (60, 60, 60))
        screen.text(359, y + 8, f"{rng.randint(1, 59)} min ago", 12, (150, 150, 150), "ra")
        y += 44
    bottom = screen.home_indicator((255, 255, 255))
    screen.rect((0, bottom - 54, 375, bottom), (255, 255, 255))
    screen.rect((0, bottom - 54, 187, bottom), (255, 150, 130))
    screen.text(93, bottom - 27, f"Buy alone RMB {merchant.price}", 14, (255, 255, 255), "mm")
    screen.rect((187, bottom - 54, 375, bottom), red)
    screen.text(281, bottom - 27, f"Join group RMB {price}.9", 14, (255, 255, 255), "mm")
    return screen.image


TEMPLATES: dict[str, Callable[[tuple[int, int], random.Random, Merchant], Image.Image]] = {
    "wechat_chat": wechat_chat,
    "shop_chat": shop_chat,
    "order_detail": order_detail,
    "pay_receipt": pay_receipt,
    "group_buy": group_buy,
}


def merchant_of(index: int) -> int:
    """Originals come in pairs from two victims of one merchant: the hardest negatives flags.py meets, since it
    compares a complaint's evidence with the same merchant's other complaints."""
    return index // 2


def screenshot(template: str, index: int) -> Image.Image:
    """Original number `index` of a template, the same every time. Both victims of a merchant use the same phone
    model (the commonest case, and the hardest); merchants cycle through the devices."""
    merchant = Merchant.draw(random.Random(f"{SEED}:{template}:merchant{merchant_of(index)}"))
    device = DEVICES[merchant_of(index) % len(DEVICES)]
    return TEMPLATES[template](device, random.Random(f"{SEED}:{template}:{index}"), merchant)


# Re-sharing ---------------------------------------------------------------------------------------------------


def jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def resized(image: Image.Image, factor: float) -> Image.Image:
    return image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS)


def crop_top(image: Image.Image, share: float) -> Image.Image:
    return image.crop((0, round(image.height * share), image.width, image.height))


def sticker(image: Image.Image, rng: random.Random) -> Image.Image:
    """A small emoji-like sticker in one corner and a faint handle watermark, as chat apps and editors add."""
    out = image.convert("RGB")
    draw = ImageDraw.Draw(out, "RGBA")
    side = round(out.width * rng.uniform(0.08, 0.14))
    x = rng.choice((round(out.width * 0.04), out.width - side - round(out.width * 0.04)))
    y = round(out.height * rng.uniform(0.55, 0.85))
    draw.ellipse([x, y, x + side, y + side], fill=(255, 204, 0, 255), outline=(120, 80, 0, 255), width=3)
    draw.ellipse([x + side * 0.28, y + side * 0.3, x + side * 0.4, y + side * 0.45], fill=(60, 40, 0, 255))
    draw.ellipse([x + side * 0.6, y + side * 0.3, x + side * 0.72, y + side * 0.45], fill=(60, 40, 0, 255))
    draw.arc([x + side * 0.25, y + side * 0.35, x + side * 0.75, y + side * 0.8], 20, 160, fill=(60, 40, 0, 255),
             width=3)  # fmt: skip
    handle = f"@{rng.choice(PEOPLE).replace(' ', '').lower()}{rng.randint(10, 99)}"
    draw.text((out.width * 0.62, out.height * 0.93), handle, font=font(round(out.width / 28)), fill=(0, 0, 0, 70))
    return out


def transform(image: Image.Image, name: str, rng: random.Random) -> tuple[bytes, str]:
    """One way a victim re-shares the screenshot: the file's bytes and its extension."""
    if name == "original":
        return png(image), "png"
    if name == "jpeg":  # saved again by a gallery or an editor
        return jpeg(image, rng.randint(60, 90)), "jpg"
    if name == "resize":  # shrunk by an app or a "send smaller" option
        return jpeg(resized(image, rng.uniform(0.5, 0.8)), 85), "jpg"
    if name == "wechat":  # sent through a chat without "original": at most 1080 wide, JPEG 75
        return jpeg(resized(image, min(1.0, 1080 / image.width)), 75), "jpg"
    if name == "crop_status":  # status bar trimmed off before sharing
        return png(crop_top(image, rng.uniform(0.02, 0.05))), "png"
    if name == "png_to_jpeg":  # exported by the phone's share sheet
        return jpeg(image, 95), "jpg"
    if name == "tone":  # a small brightness and contrast edit
        bright = ImageEnhance.Brightness(image).enhance(rng.uniform(0.9, 1.1))
        return jpeg(ImageEnhance.Contrast(bright).enhance(rng.uniform(0.9, 1.1)), 85), "jpg"
    if name == "sticker":
        return jpeg(sticker(image, rng), 85), "jpg"
    if name == "combo":  # cropped, then forwarded through WeChat and saved again
        return jpeg(resized(crop_top(image, rng.uniform(0.02, 0.05)), rng.uniform(0.6, 0.8)), 70), "jpg"
    raise ValueError(name)


TRANSFORMS = ("original", "jpeg", "resize", "wechat", "crop_status", "png_to_jpeg", "tone", "sticker", "combo")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--per-template", type=int, default=ORIGINALS_PER_TEMPLATE)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for template in TEMPLATES:
        for index in range(args.per_template):
            original_id = f"{template}-{index:02d}"
            image = screenshot(template, index)
            rng = random.Random(f"{SEED}:transform:{original_id}")
            for name in TRANSFORMS:
                content, ext = transform(image, name, rng)
                filename = f"{original_id}-{name}.{ext}"
                (args.out / filename).write_bytes(content)
                rows.append({"file": filename, "original_id": original_id, "template": template,
                             "merchant": f"{template}-m{merchant_of(index)}", "transform": name})  # fmt: skip
    with (args.out / "labels.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "original_id", "template", "merchant", "transform"])
        writer.writeheader()
        writer.writerows(rows)
    originals = len(TEMPLATES) * args.per_template
    print(f"{len(rows)} files ({originals} originals x {len(TRANSFORMS)}) in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
