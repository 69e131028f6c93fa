"""What victims send in a surge, for bench/surge.py: the filings' form fields and their phone screenshots.

Most filings name the shop that vanished (its name written several ways, its mini-program app ID and phone typed
as people type them), the rest name other busy shops or shops nobody reported before. Each account of what
happened is put together from sentences victims write (what was bought, what went wrong, how the shop was
chased, what is asked), so two independent accounts read alike as little as real ones do; a few are the
victims' group's template copied with edits, which the duplicate flags are there to notice.
"""

import functools
import io
import multiprocessing
import random
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta

VANISHED = {
    "names": ["鲜果日记", "鲜果日记官方商城", "【鲜果日记】", "鲜果日記", "xianguoriji", "鲜果日记小程序"],
    "app_ids": ["wx8f3c2a91d4e6b705", "WX8F3C2A91D4E6B705", "wx8f3c 2a91d4e6b705"],
    "phones": ["13912345678", "139 1234 5678", "+86 139-1234-5678"],
}
CATEGORIES = ["not_delivered"] * 5 + ["merchant_vanished"] * 4 + ["refund_refused"] * 2 + ["counterfeit", "other"]
PAYMENTS = ["wechat_pay", "wechat_pay", "alipay", "bank_transfer"]
REGIONS = ["440000", "330000", "320000", "370000", "510000", "310000", "110000", "420000", ""]

PRODUCTS = [
    "两箱车厘子", "一套护肤品", "儿童奶粉六罐", "蓝牙耳机", "五斤阳光玫瑰", "羽绒服", "空气炸锅", "会员年卡",
    "进口牛排礼盒", "学习平板", "扫地机器人", "三盒燕窝", "演唱会门票", "一箱橙子", "智能手表", "月饼礼券",
    "猫粮二十斤", "电动牙刷", "九块九秒杀商品", "预售新款手机",
]  # fmt: skip
PLACES = ["在小程序里", "在直播间", "通过朋友圈链接", "在拼团群里", "在店铺首页", "看了广告后"]
BOUGHT = ["下单买了", "拼团买了", "预订了", "抢购了", "购买了"]
PAID = ["用微信付了", "付款", "支付宝付了", "转账", "一共付了"]
PROBLEMS = [
    "说好的三天发货，过了两个星期还是没有物流信息",
    "物流单号一直查不到，问就说仓库爆单",
    "收到的东西和页面上完全不一样，明显是次品",
    "小程序突然打不开了，店铺也搜不到了",
    "付款以后订单状态一直是待发货，后来直接显示已关闭",
    "申请退款被拒绝，理由是预售商品不退不换",
    "客服先是说缺货会补发，后来就不再回复了",
    "收到的包裹是空的，里面只有一张卡片",
    "群主把群解散了，所有人都被移出群聊",
    "页面显示的优惠券结账时用不了，多扣了钱",
]
CHASED = [
    "我打了很多次客服电话都没人接",
    "在线客服只会自动回复",
    "加的客服微信已经把我删了",
    "给平台投诉了也没有结果",
    "留言问了好几天都没人理",
    "打过去提示是空号",
    "联系过卖家，对方一直拖着",
]
ASKED = [
    "希望尽快退款",
    "要求退还全部货款",
    "请监管部门查一查这家店",
    "希望平台冻结他们的资金",
    "希望能帮我们追回损失",
    "请尽快处理，身边很多人都被骗了",
]
# The victims' group's template, copied with the copier's own amount and date.
TEMPLATE = "本人于{month}月{day}日在鲜果日记小程序购买水果礼盒，支付{amount}元，商家承诺七天内发货，至今未发货且客服失联，店铺已关闭，请求相关部门介入调查并责令退款。"  # noqa: E501


def narrative(rng: random.Random, amount: str, paid: date, copied: bool) -> str:
    if copied:
        return TEMPLATE.format(month=paid.month, day=paid.day, amount=amount)
    opening = (
        f"{paid.month}月{paid.day}日{rng.choice(PLACES)}{rng.choice(BOUGHT)}{rng.choice(PRODUCTS)}，"
        f"{rng.choice(PAID)}{amount}元。"
    )
    middle = [f"{rng.choice(PROBLEMS)}。", f"{rng.choice(CHASED)}。"]
    rng.shuffle(middle)
    extra = rng.choice(["", f"订单号{rng.getrandbits(60):018d}。", f"已经过去{rng.randrange(5, 40)}天了。"])
    return opening + "".join(middle) + extra + f"{rng.choice(ASKED)}。"


def _near(rng: random.Random, name: str) -> str:
    return rng.choice([name, name + "官方店", f"【{name}】", name + "商城"])


class Filings:
    """An endless, seeded stream of filings (form fields): VANISHED_SHARE name the vanished shop, BUSY_SHARE one of
    the busy shops (by its phone or a near name), the rest a shop nobody named yet. Thread-safe."""

    VANISHED_SHARE, BUSY_SHARE, COPIED_SHARE = 0.6, 0.25, 0.05

    def __init__(self, seed: int, busy: int = 200):
        from bench.run import MOBILE_PREFIXES, shop_name

        self.rng = random.Random(seed)
        self.shop_name = shop_name
        # The busy shops are the same in every stream, whatever its seed.
        shops = random.Random(7)
        self.busy = [
            {"name": shop_name(shops), "phone": shops.choice(MOBILE_PREFIXES) + f"{shops.randrange(10**8):08d}"}
            for _ in range(busy)
        ]
        self.lock = threading.Lock()

    def merchant(self) -> dict:
        rng, roll = self.rng, self.rng.random()
        if roll < self.VANISHED_SHARE:
            fields = {"merchant_name": rng.choice(VANISHED["names"]), "platform": "wechat_mini_program"}
            if rng.random() < 0.7:
                fields["app_id"] = rng.choice(VANISHED["app_ids"])
            if rng.random() < 0.4:
                fields["merchant_phone"] = rng.choice(VANISHED["phones"])
            return fields
        if roll < self.VANISHED_SHARE + self.BUSY_SHARE:
            # The first busy shops draw most of these filings.
            shop = self.busy[min(len(self.busy) - 1, int(rng.paretovariate(1.2)) - 1)]
            fields = {"merchant_name": _near(rng, shop["name"]), "platform": "taobao_tmall"}
            if rng.random() < 0.6:
                fields["merchant_phone"] = shop["phone"]
            return fields
        return {
            "merchant_name": self.shop_name(rng),
            "platform": rng.choice(["douyin", "pinduoduo", "wechat_social"]),
            "merchant_phone": f"199{rng.randrange(10**8):08d}",
        }

    def __next__(self) -> dict:
        with self.lock:
            rng = self.rng
            merchant = self.merchant()
            amount = f"{rng.lognormvariate(5.5, 1.0):.2f}"
            # Paid 1 to 30 days ago: never "in the future", whatever the time zone of the run.
            paid = date.today() - timedelta(days=rng.randrange(1, 30))
            copied = merchant.get("platform") == "wechat_mini_program" and rng.random() < self.COPIED_SHARE
            return {
                **merchant,
                "category": rng.choice(CATEGORIES),
                "narrative": narrative(rng, amount, paid, copied),
                "amount": amount,
                "payment_method": rng.choice(PAYMENTS),
                "paid_at": paid.isoformat(),
                "order_number": f"{rng.getrandbits(60):018d}",
                "region": rng.choice(REGIONS),
                "consent_publish": rng.random() < 0.6,
            }

    def __iter__(self):
        return self


PHOTO_SIDE = (1080, 2340)
GRAIN_ROWS = 1400


@functools.cache
def _grain():
    """Film grain for the product photos, drawn once: each photo takes its own slice."""
    import numpy as np

    return np.random.default_rng(1).integers(-9, 10, size=(GRAIN_ROWS, PHOTO_SIDE[0], 1), dtype=np.int16)


def screenshot(seed: int) -> bytes:
    """A phone screenshot of a shop's product page: a coloured bar, a grainy product photo, lines of text and a
    buy button, 1080x2340 JPEG at quality 88, about 300 KB (the grain is what makes it as large as a photo). Each
    seed gives another picture, far apart in perceptual hash."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng, colours = random.Random(seed), np.random.default_rng(seed).integers(0, 256, size=(6, 5, 3), dtype=np.uint8)
    width, height = PHOTO_SIDE
    dark = rng.random() < 0.3
    image = Image.new("RGB", PHOTO_SIDE, (28, 28, 30) if dark else (245, 245, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width, 90], fill=tuple(rng.randrange(256) for _ in range(3)))
    # The product photo: its height and place on the page vary as shops' pages do.
    photo_height = rng.randrange(700, GRAIN_ROWS)
    top = rng.choice([180, 180, rng.randrange(300, height - photo_height - 200)])
    offset = rng.randrange(GRAIN_ROWS - photo_height + 1)
    photo = np.asarray(Image.fromarray(colours).resize((width, photo_height), Image.BILINEAR), dtype=np.int16)
    photo = photo + _grain()[offset : offset + photo_height]
    image.paste(Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)), (0, top))
    ink = rng.randrange(40, 90) if not dark else rng.randrange(170, 220)
    y = 120
    while y < height - 200:
        if top - 20 <= y <= top + photo_height + 20:
            y = top + photo_height + 40
            continue
        indent = rng.choice([40, 40, 160, 400])
        line = rng.randrange(34, 70)
        draw.rectangle([indent, y, min(width - 40, indent + rng.randrange(200, width)), y + line], fill=(ink,) * 3)
        y += line + rng.randrange(20, 120)
    button = tuple(rng.randrange(256) for _ in range(3))
    draw.rectangle([rng.choice([0, width // 2]), height - 160, width, height], fill=button)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def photo_pool(count: int, seed: int = 9, processes: int = 1) -> list[bytes]:
    """`count` different screenshots, drawn by `processes` fresh processes (spawned: nothing of the caller's
    database connections is shared)."""
    seeds = [seed * 100_000 + index for index in range(count)]
    if processes <= 1:
        return [screenshot(one) for one in seeds]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        return list(pool.map(screenshot, seeds, chunksize=16))
