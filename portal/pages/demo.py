"""Demo content for `manage.py seed_demo`: invented merchants and complaints modelled on reported cases.

The situations follow news reports Redress was conceived from: a WeChat mini-program shop that sold
discounted iPhone pre-sales, collected over 7 million yuan from 300+ buyers and vanished two months after
its company was registered; a fruit group-buy whose 77 places filled while the coupons showed "already
claimed" and the apples came small; sellers in WeChat Moments selling counterfeits to friends against bank
transfers; pyramid-like micro-business "agents"; passenger data leaked after buying air tickets. Every
name, number and person here is invented. Narratives are data typed by buyers, hence Chinese and not
translated.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from complaints import replies
from complaints.models import Complaint, ResolutionProposal
from merchants.models import Merchant, Representative
from merchants.services import MerchantClaims

DEMO_DOMAIN = "demo.redress.example"

# One account per role; the README lists the same emails and passwords (demo only).
ROLE_ACCOUNTS = [
    ("complainant", f"complainant@{DEMO_DOMAIN}", "redress-demo-complainant"),
    ("moderator", f"moderator@{DEMO_DOMAIN}", "redress-demo-moderator"),
    ("merchant_rep", f"merchant@{DEMO_DOMAIN}", "redress-demo-merchant"),
    ("authority", f"authority@{DEMO_DOMAIN}", "redress-demo-authority"),
]
# A second authority account, for the platform owner's dashboard: it works for the owner of this platform.
PLATFORM_ACCOUNT = (f"platform@{DEMO_DOMAIN}", "redress-demo-platform")
DEMO_PLATFORM = "wechat_mini_program"
# The crowd of buyers behind the complaints. They cannot sign in (no usable password).
CROWD_SIZE = 150


def crowd_email(number: int) -> str:
    return f"buyer{number:02d}@{DEMO_DOMAIN}"


# Where buyers live, weighted roughly by online shoppers (GB/T 2260 province codes).
REGION_WEIGHTS = {
    "440000": 16,  # Guangdong
    "330000": 10,  # Zhejiang
    "320000": 9,  # Jiangsu
    "310000": 8,  # Shanghai
    "110000": 7,  # Beijing
    "370000": 6,  # Shandong
    "510000": 6,  # Sichuan
    "500000": 5,  # Chongqing
    "420000": 5,  # Hubei
    "410000": 5,  # Henan
    "350000": 4,  # Fujian
    "430000": 4,  # Hunan
    "340000": 3,  # Anhui
    "610000": 3,  # Shaanxi
    "120000": 2,  # Tianjin
    "210000": 2,  # Liaoning
    "450000": 2,  # Guangxi
    "530000": 2,  # Yunnan
    "360000": 2,  # Jiangxi
    "130000": 2,  # Hebei
    "230000": 1,  # Heilongjiang
    "520000": 1,  # Guizhou
    "620000": 1,  # Gansu
    "460000": 1,  # Hainan
}

# Details buyers add in their own words; two go into each narrative, so accounts of one scam by different
# people read differently (as they do: copy-pasted accounts are what the duplicate signal looks for).
DETAILS = [
    "当时是在朋友圈看到的广告，链接直接跳转到小程序。",
    "付款的时候页面显示的收款方是一家公司，我没有多想。",
    "我把订单截图发给客服，对方一直说在核实。",
    "这笔钱是我两个月的生活费，现在每天都睡不好。",
    "我妈妈也在同一个群里下了单，她不太会用手机。",
    "平台的在线客服让我等商家处理，已经等了一个星期。",
    "商家的公众号文章也都删除了，评论区全是找退款的人。",
    "物流信息一直停在“等待揽收”，没有任何更新。",
    "我打过12315热线，工作人员让我先保留证据。",
    "客服最后一次回复是让我“耐心等待，不要听信谣言”。",
    "下单页面写着“假一赔十、七天无理由”，现在都不算数了。",
    "我在小红书上搜到很多人遇到了一模一样的情况。",
    "群里每天都有人发截图说已经发货，后来才知道是托。",
    "我的银行卡流水能证明这笔付款，可以提供给调查人员。",
    "商家还诱导我们把链接分享到三个群才能领券。",
    "我发现商家的营业执照照片和公司名称对不上。",
]

# Sentences buyers often end with; one is appended to most narratives so no two read quite alike.
CLOSINGS = [
    "希望平台核实后督促商家退款。",
    "聊天记录、付款截图和订单页面我都保存了。",
    "请求有关部门介入调查。",
    "和我情况一样的还有很多人。",
    "之前向平台投诉过，一直没有结果。",
    "希望提醒其他消费者不要再上当。",
    "我只想要回自己的钱。",
    "已经向当地派出所报案，请帮忙留存证据。",
]


@dataclass(frozen=True)
class Scenario:
    """One kind of complaint against a merchant.

    stories are narrative templates; they may use {name} (the merchant as the buyer typed it), {item} (with
    the quantity and unit when more than one), {amount}, {date} (day paid), {days} (days waited), {n}
    (quantity), {people} (group-buy members) and {phone} (the merchant's phone).
    """

    category: str
    count: int
    items: tuple[tuple[str, str], ...]  # (item, unit price in yuan)
    payment_methods: tuple[str, ...]
    stories: tuple[str, ...]
    # Submitted between these many days ago (older first); paid up to paid_before days earlier.
    days_ago: tuple[float, float]
    paid_before: tuple[int, int] = (1, 20)
    quantities: tuple[int, ...] = (1,)
    unit: str = ""


@dataclass(frozen=True)
class DemoMerchant:
    claims: MerchantClaims
    # How buyers name the merchant when they complain: partial claims (the platform is added), in the
    # scripts, spellings and identifiers real buyers use; merchants.services.merchant_resolve joins them.
    namings: tuple[dict, ...]
    scenarios: tuple[Scenario, ...]
    order_prefix: str = ""


# Complaints older than this have been moderated in the demo; newer ones wait in the queue.
MODERATED_AFTER = timedelta(days=10)
DEMO_QUESTION = "请补充付款截图和与商家的聊天记录，以便我们核实。"


# The run-away mini-program shop -------------------------------------------------------------------

RUNAWAY_APP_ID = "wx7c3e9a1f5b2d4e60"
RUNAWAY = MerchantClaims(
    merchant_name="易享购",
    platform="wechat_mini_program",
    mini_program_name="易享购在线商城",
    app_id=RUNAWAY_APP_ID,
    merchant_phone="023-6788 1204",
    payee_account="1628457391",
    company_name="重庆易享购电子科技有限公司",
    company_uscc="91500112MA60R7K36L",
)
RUNAWAY_NAMINGS = (
    {"merchant_name": "易享购"},
    {"merchant_name": "易享购", "app_id": RUNAWAY_APP_ID},
    {"merchant_name": "【易享购】", "mini_program_name": "易享购在线商城"},
    {"merchant_name": "易享购", "mini_program_name": "Yixianggou Online Mall"},
    {"merchant_name": "易 享 购", "company_name": "重庆易享购电子科技有限公司"},
    {"merchant_name": "《易享购》", "mini_program_name": "易享购商城", "app_id": RUNAWAY_APP_ID.upper()},
    {"mini_program_name": "易享购"},
    {"merchant_name": "易享购", "mini_program_name": "YiXiangGou", "merchant_phone": "02367881204"},
    {"merchant_name": "易享购", "payee_account": "1628457391"},
)
# Buyers who only knew the pinyin or English name, the customer-service phone, or only the app ID: the
# shop is reached by three names (易享购, Yi Xiang Gou, Yixianggou Online Mall) and a phone typed three ways.
RUNAWAY_STRAY_NAMINGS = (
    {"merchant_name": "Yi Xiang Gou"},
    {"merchant_name": "yixianggou", "merchant_phone": "+86 23 6788 1204"},
    {"mini_program_name": "Yixianggou Online Mall"},
    {"merchant_phone": "(023) 6788-1204"},
    {"app_id": RUNAWAY_APP_ID},
)
RUNAWAY_ITEMS = (
    ("iPhone 14 128GB", "5499"),
    ("iPhone 14 256GB", "6399"),
    ("iPhone 14 Plus 128GB", "6299"),
    ("iPhone 14 Pro 256GB", "8399"),
    ("iPhone 14 Pro Max 256GB", "9399"),
    ("iPhone 13 256GB", "5399"),
)
# The cluster: this many "not delivered" complaints within CLUSTER_HOURS, starting CLUSTER_DAYS_AGO.
CLUSTER_SIZE = 60
CLUSTER_STRAYS = 12
CLUSTER_DAYS_AGO = 6
CLUSTER_HOURS = 40
# Wave complaints already accepted by moderators, and the authority the demo authority account works for.
CLUSTER_ACCEPTED = 20
DEMO_AUTHORITY_REGION = "500000"
RUNAWAY_STORIES = (
    "{date}在微信小程序“{name}”预购了{item}，页面写着预售价比官网便宜500元，开售第二天发货。"
    "我付了{amount}，到现在没有发货，客服只有机器人自动回复，小程序也搜不到了。",
    "朋友拉我进了一个抢购群，群里说{name}的{item}预售直降500元，还有满2000减1588的券。"
    "我{date}用微信支付付了{amount}，订单一直显示待发货，今天看到网上说这个商城跑路了。",
    "群里有人说帮忙下单、收货后能赚四五百元差价，我就在“{name}”小程序下了{item}，一共{amount}。"
    "{date}付款后一直不发货，申请退款也没人处理，群主已经把群解散了。",
    "之前在{name}买过一次手机，第二天就发货了，所以这次放心预购了{item}，付款{amount}。"
    "开售前一天晚上客服失联，网上还流传他们自称已经出国的公告，我的钱怎么办？",
    "{date}在{name}下单{item}，支付{amount}，订单状态一直是“预售中”。"
    "现在小程序显示“因违规暂停服务”，客服电话打不通，请求平台冻结商家的货款。",
    "我在{name}小程序预定了{item}，{amount}已经付了{days}天。商家先说苹果延迟到货，"
    "后来干脆不回消息，页面也打不开了，听说和我一样的买家有几百人。",
    "看到{name}的iPhone预售活动，页面做得和苹果官网一模一样，我就信了。"
    "{date}付了{amount}买{item}，说好开售当天发顺丰，现在一点消息都没有。",
    "{name}承诺预售订单随时可以秒退款，我{date}下单{item}付了{amount}，"
    "昨天申请退款一直显示“处理中”，客服不再回复，怀疑商家已经卷款跑路。",
)
RUNAWAY_VANISHED_STORIES = (
    "{name}的小程序已经搜不到了，客服电话{phone}一直关机。我{date}付了{amount}预购{item}，"
    "查到这家公司注册还不到两个月，希望有关部门尽快立案。",
    "网上流传{name}的“跑路公告”，说钱已经被专业团队洗走、人在国外，下面还盖了公章。"
    "我付了{amount}买{item}，现在完全联系不上商家。",
    "{name}的客服群全部解散，小程序因违规暂停服务。我和家人一共付了{amount}买{item}，已经报警，请求平台协助追回货款。",
)

RUNAWAY_MERCHANT = DemoMerchant(
    claims=RUNAWAY,
    namings=RUNAWAY_NAMINGS,
    order_prefix="YXG",
    scenarios=(
        Scenario(
            category="merchant_vanished",
            count=8,
            items=RUNAWAY_ITEMS,
            payment_methods=("wechat_pay",),
            stories=RUNAWAY_VANISHED_STORIES,
            days_ago=(4, 0.5),
            paid_before=(10, 30),
            quantities=(1, 1, 2),
            unit="台",
        ),
    ),
)
CLUSTER_SCENARIO = Scenario(
    category="not_delivered",
    count=CLUSTER_SIZE,
    items=RUNAWAY_ITEMS,
    payment_methods=("wechat_pay", "wechat_pay", "wechat_pay", "card"),
    stories=RUNAWAY_STORIES,
    days_ago=(CLUSTER_DAYS_AGO, CLUSTER_DAYS_AGO - CLUSTER_HOURS / 24),
    paid_before=(3, 25),
    quantities=(1, 1, 1, 1, 2, 3, 5),
    unit="台",
)


# The other merchants ------------------------------------------------------------------------------

OTHER_MERCHANTS = (
    DemoMerchant(
        claims=MerchantClaims(
            merchant_name="鲜果七七",
            platform="wechat_official_account",
            wechat_id="xianguo77",
            merchant_phone="021-6088 7707",
            company_name="上海鲜果七七网络科技有限公司",
            company_uscc="91310115MA1K4F8Q3X",
        ),
        namings=(
            {"merchant_name": "鲜果七七"},
            {"merchant_name": "鲜果七七", "wechat_id": "xianguo77"},
            {"merchant_name": "【鲜果七七】"},
            {"merchant_name": "鲜果 七七", "company_name": "上海鲜果七七网络科技有限公司"},
        ),
        order_prefix="XG77",
        scenarios=(
            Scenario(
                category="promotion_not_honoured",
                count=12,
                items=(("新疆阿克苏冰糖心苹果12粒团购", "9.9"),),
                payment_methods=("wechat_pay",),
                stories=(
                    "{date}我在{name}公众号发起“新疆阿克苏冰糖心苹果”团购，规则是凑满77人9.9元包邮。"
                    "我转发到朋友圈和几个群，团里凑到了{people}人，付款时却一直提示“已领取优惠券”，账户里根本没有券。",
                    "参加{name}的77人团，人数早就满了，点“购买”一直提示已领取优惠券，接着页面显示加载错误。"
                    "客服让我第二天再试，第二天活动显示已结束，白忙一场。",
                    "{name}的客服说我的团购券已经被别人用我的微信账号领走了，可是我的手机和微信从没借给别人。"
                    "满77人9.9元包邮的团购，我一张券也没领到。",
                    "我们团凑满了{people}人，{name}却说系统问题只有少数人能领券，至少三十个团友没买到。"
                    "要求公布这次团购的销售记录，客服说是商业机密。",
                ),
                days_ago=(74, 72),
                paid_before=(0, 1),
            ),
            Scenario(
                category="not_as_described",
                count=7,
                items=(("阿克苏冰糖心苹果12粒", "9.9"), ("阿克苏冰糖心苹果12粒", "19.9"), ("阿克苏苹果12粒", "29.9")),
                payment_methods=("wechat_pay",),
                stories=(
                    "在{name}团购的{item}，页面承诺果径75-80毫米，收到的苹果平均只有60毫米左右，还有两个磕伤。"
                    "付了{amount}，要求按描述补发或者退款。",
                    "{date}付款{amount}买了{name}的{item}，等了{days}天才到，苹果又小又软，"
                    "没有一个达到宣传的果径，客服只说是个体差异。",
                ),
                days_ago=(70, 60),
                paid_before=(5, 10),
            ),
            Scenario(
                category="induced_sharing",
                count=5,
                items=(("冰糖心苹果团购", "9.9"),),
                payment_methods=("wechat_pay", ""),
                stories=(
                    "{name}的团购要求先关注公众号、填写手机号和收货地址、再分享到朋友圈才能开团。"
                    "我拉了{people}个朋友参团，最后谁也没买到，怀疑就是为了骗信息、骗分享、骗关注。",
                    "为了凑满77人，我把{name}的团购链接发到朋友圈和家长群，大家都填了手机号和地址。"
                    "活动结束后没人买到苹果，朋友们却开始接到各种推销电话。",
                ),
                days_ago=(72, 66),
                paid_before=(0, 2),
            ),
        ),
    ),
    DemoMerchant(
        claims=MerchantClaims(
            merchant_name="小雅海外代购",
            platform="wechat_social",
            wechat_id="xiaoya_daigou88",
            merchant_phone="139 0000 2718",
            payee_account="6222 0200 0012 3456 782",
        ),
        namings=(
            {"merchant_name": "小雅海外代购", "wechat_id": "xiaoya_daigou88"},
            {"merchant_name": "小雅海外代购", "payee_account": "6222020000123456782"},
            {"merchant_name": "小雅 海外代购"},
            {"merchant_name": "「小雅海外代购」", "merchant_phone": "13900002718"},
        ),
        scenarios=(
            Scenario(
                category="counterfeit",
                count=8,
                items=(("链条单肩包", "900"), ("经典款双肩包", "980"), ("老花托特包", "1280"), ("短款钱包", "460")),
                payment_methods=("bank_transfer", "bank_transfer", "bank_transfer", "alipay"),
                stories=(
                    "朋友圈里的{name}是我大学同学的朋友，说专做国际大牌、专柜正品。{date}我银行转账付了{amount}买{item}，"
                    "收到后发现和市场上五六百元的高仿差不多，皮质普通，金属扣很粗糙。",
                    "{name}在朋友圈发的{item}图片说是海外专柜代购，只收银行卡转账。我付了{amount}，"
                    "到货后拿去专柜鉴定是假货，没有发票，也没有任何售后。",
                    "在微信朋友圈向{name}买了{item}，花了{amount}。卖家说保证正品、假一赔十，"
                    "鉴定为假以后又改口说是“原单货”，拒绝退款。",
                ),
                days_ago=(110, 8),
                paid_before=(7, 30),
            ),
            Scenario(
                category="refund_refused",
                count=4,
                items=(("链条单肩包", "900"), ("羊绒围巾", "680")),
                payment_methods=("bank_transfer",),
                stories=(
                    "在朋友圈向{name}买的{item}有明显质量问题，我通过微信提出退货，一开始回复很冷淡，后来干脆不回，"
                    "最后把我拉黑了。{amount}是直接转到对方银行卡上的。",
                    "因为是熟人介绍，不好意思一直追着要退款。{date}付了{amount}买{item}，收到后和图片完全不一样，"
                    "{name}先说等一等，{days}天后说微商概不退换。",
                ),
                days_ago=(90, 15),
                paid_before=(10, 40),
            ),
        ),
    ),
    DemoMerchant(
        claims=MerchantClaims(
            merchant_name="美肌泉面膜",
            platform="wechat_social",
            wechat_id="meijiquan_zongdai",
            payee_account="6217 0000 0087 6543 210",
        ),
        namings=(
            {"merchant_name": "美肌泉面膜", "wechat_id": "meijiquan_zongdai"},
            {"merchant_name": "美肌泉面膜"},
            {"merchant_name": "美肌泉 面膜", "payee_account": "6217000000876543210"},
        ),
        scenarios=(
            Scenario(
                category="counterfeit",
                count=5,
                items=(("美肌泉补水面膜", "200"),),
                payment_methods=("wechat_pay", "bank_transfer"),
                stories=(
                    "{name}在朋友圈卖“进口”补水面膜，标价每盒200元。我{date}买了{n}盒，付了{amount}，"
                    "用了两次脸就红肿，包装上的批号根本查不到，怀疑是三无产品。",
                    "熟人在朋友圈代理{name}，说是韩国原装进口。我买了{n}盒共{amount}，"
                    "和专柜的对比包装印刷模糊、气味刺鼻，对方只让我找上级代理。",
                ),
                days_ago=(100, 20),
                quantities=(2, 3, 5, 10),
            ),
            Scenario(
                category="hidden_fees",
                count=5,
                items=(("一级代理资格", "3980"), ("代理升级", "6800"), ("首批囤货", "5000")),
                payment_methods=("bank_transfer", "wechat_pay"),
                stories=(
                    "{name}的上家说交{amount}就能拿到{item}，50元一盒拿货，还提供宣传模板和资质证书。"
                    "交钱后又要求继续囤货升级，货卖不出去，想退钱被拒绝。",
                    "加入{name}代理团队时只说交押金，后来又陆续收培训费、物料费、升级费，前后一共{amount}。"
                    "所谓月入过万，是用“转账截图生成器”做出来的假截图。",
                ),
                days_ago=(115, 30),
                paid_before=(20, 60),
            ),
            Scenario(
                category="not_as_described",
                count=4,
                items=(("美肌泉补水面膜", "200"), ("美肌泉精华液", "380")),
                payment_methods=("wechat_pay",),
                stories=(
                    "{name}朋友圈里的买家好评和付款截图都是假的。我付了{amount}买的{item}和宣传的成分完全不同，"
                    "包装粗糙，联系卖家只让我去找上级代理。",
                    "{date}买了{name}的{item}，卖家说七天见效，用了{days}天毫无变化还长了痘。"
                    "要求退款，对方说“个人体质问题”，拒绝处理。",
                ),
                days_ago=(80, 10),
            ),
        ),
    ),
    DemoMerchant(
        claims=MerchantClaims(
            merchant_name="潮玩优选",
            platform="douyin",
            shop_url="https://v.douyin.com/iRx7kP2d/",
            company_name="杭州潮玩优选贸易有限公司",
            company_uscc="91330106MA2H9C1W6W",
        ),
        namings=(
            {"merchant_name": "潮玩优选"},
            {"merchant_name": "潮玩优选", "shop_url": "https://v.douyin.com/iRx7kP2d/"},
            {"merchant_name": "潮玩 优选", "company_name": "杭州潮玩优选贸易有限公司"},
        ),
        order_prefix="69",
        scenarios=(
            Scenario(
                category="not_as_described",
                count=7,
                items=(("限定款盲盒整盒12个", "828"), ("动漫手办", "399"), ("潮玩积木", "259")),
                payment_methods=("alipay", "wechat_pay", "card"),
                stories=(
                    "在抖音{name}直播间下单{item}，主播展示的是正版，还说假一赔三。{date}付款{amount}，"
                    "收到后做工粗糙、没有防伪码，明显不是同一款。",
                    "{name}直播间说{item}是最后几件、马上下架，催着大家赶紧下单。我付了{amount}，"
                    "收到的东西掉漆缺件，和直播画面差很多。",
                ),
                days_ago=(95, 3),
            ),
            Scenario(
                category="refund_refused",
                count=5,
                items=(("限定款盲盒整盒12个", "828"), ("动漫手办", "399")),
                payment_methods=("alipay", "wechat_pay"),
                stories=(
                    "{date}在{name}直播间买了{item}，收到后申请七天无理由退货，商家说外包装已拆不支持退货，"
                    "拒绝退还{amount}。",
                    "{name}发来的{item}有破损，我拍了开箱视频申请退款，客服一直让我补充材料，"
                    "拖了{days}天以后售后被自动关闭了。",
                ),
                days_ago=(85, 5),
            ),
        ),
    ),
    DemoMerchant(
        claims=MerchantClaims(
            merchant_name="拼拼优品家纺",
            platform="pinduoduo",
            shop_url="https://mobile.yangkeduo.com/mall_page.html?mall_id=812345678",
        ),
        namings=(
            {"merchant_name": "拼拼优品家纺"},
            {
                "merchant_name": "拼拼优品家纺",
                "shop_url": "https://mobile.yangkeduo.com/mall_page.html?mall_id=812345678",
            },
            {"merchant_name": "拼拼优品 家纺"},
        ),
        order_prefix="230",
        scenarios=(
            Scenario(
                category="not_as_described",
                count=8,
                items=(("纯棉四件套1.8米", "129"), ("长绒棉被芯", "199"), ("乳胶枕一对", "89")),
                payment_methods=("wechat_pay", "alipay"),
                stories=(
                    "在拼多多{name}买的{item}，详情页写着百分之百新疆长绒棉，收到后一洗就起球，"
                    "烧了一根线是涤纶的味道。付了{amount}，商家说图片仅供参考。",
                    "{date}拼单买了{name}的{item}，打开有很重的刺鼻气味，晾了{days}天也散不掉，"
                    "商家只愿意补偿5元，不同意退货。",
                ),
                days_ago=(120, 2),
                quantities=(1, 1, 2),
                unit="件",
            ),
            Scenario(
                category="refund_refused",
                count=4,
                items=(("纯棉四件套1.8米", "129"), ("乳胶枕一对", "89")),
                payment_methods=("wechat_pay",),
                stories=(
                    "{name}的{item}尺寸和页面写的不一样，我按要求寄回了，物流显示商家{days}天前已签收，"
                    "到现在还没退款{amount}，客服说仓库没收到。",
                    "在{name}买的{item}质量有问题，申请退货退款后商家一直拒绝，理由是“影响二次销售”，"
                    "可我连包装都没拆。",
                ),
                days_ago=(100, 10),
            ),
        ),
    ),
    DemoMerchant(
        claims=MerchantClaims(
            merchant_name="星辰数码专营店",
            platform="taobao_tmall",
            shop_url="https://xingchenshuma.taobao.com",
            company_name="深圳市星辰数码科技有限公司",
            company_uscc="91440300MA5G3T7N97",
        ),
        namings=(
            {"merchant_name": "星辰数码专营店"},
            {"merchant_name": "星辰数码专营店", "shop_url": "https://xingchenshuma.taobao.com/"},
            {"merchant_name": "星辰数码 专营店", "company_name": "深圳市星辰数码科技有限公司"},
        ),
        order_prefix="3",
        scenarios=(
            Scenario(
                category="counterfeit",
                count=7,
                items=(("苹果原装20W快充充电器", "99"), ("AirPods Pro 第二代", "1299"), ("原装快充数据线", "59")),
                payment_methods=("alipay", "card"),
                stories=(
                    "{name}标着原装正品的{item}，用了{days}天就发烫，拿到官方售后检测说不是原装配件。"
                    "付了{amount}，商家不承认卖假货。",
                    "在淘宝{name}买的{item}，序列号在官网查不到，做工和正品差很多。申请假货赔付，商家反过来说我调包。",
                ),
                days_ago=(105, 4),
            ),
            Scenario(
                category="refund_refused",
                count=5,
                items=(("AirPods Pro 第二代", "1299"), ("移动电源20000毫安", "169")),
                payment_methods=("alipay",),
                stories=(
                    "{date}在{name}买了{item}，到手就有杂音，申请退货时商家说已激活不能退，"
                    "只肯寄回维修，维修要等一个月。",
                    "{name}的{item}寄回后商家说有划痕，拒绝退款{amount}，可是我寄出前拍了视频，完全没有划痕。",
                ),
                days_ago=(75, 6),
            ),
        ),
    ),
    DemoMerchant(
        claims=MerchantClaims(
            merchant_name="老铁农家土特产",
            platform="kuaishou",
            wechat_id="laotie_nongjia",
            merchant_phone="0917-881 2345",
        ),
        namings=(
            {"merchant_name": "老铁农家土特产"},
            {"merchant_name": "老铁农家土特产", "wechat_id": "laotie_nongjia"},
            {"merchant_name": "老铁 农家土特产", "merchant_phone": "09178812345"},
        ),
        scenarios=(
            Scenario(
                category="not_as_described",
                count=6,
                items=(("秦岭土蜂蜜2斤装", "128"), ("散养土鸡蛋60枚", "98"), ("山核桃5斤", "139")),
                payment_methods=("wechat_pay", "alipay"),
                stories=(
                    "快手{name}直播说{item}是自家山里产的，{date}下单付了{amount}，收到后发现和直播里展示的完全不一样，"
                    "明显是市场上批发来的便宜货。",
                    "{name}卖的{item}到货后坏了一大半，包装就是一个塑料袋。联系主播，对方说是快递的问题，"
                    "让我自己找快递理赔。",
                ),
                days_ago=(90, 3),
                quantities=(1, 2),
                unit="份",
            ),
            Scenario(
                category="hidden_fees",
                count=4,
                items=(("运费和冷链保鲜费", "36"), ("运费和包装费", "25")),
                payment_methods=("wechat_pay",),
                stories=(
                    "直播间明明说包邮，下单后{name}又通过微信要求另付{item}，一共多收了{amount}，不付就不发货。",
                    "{name}直播时说全国包邮，付款后客服说偏远地区要补{item}{amount}，可我根本不在偏远地区。",
                ),
                days_ago=(60, 5),
            ),
        ),
    ),
    DemoMerchant(
        claims=MerchantClaims(
            merchant_name="海淘直邮小铺",
            platform="xiaohongshu",
            wechat_id="haitao_zhiyou",
            payee_account="haitao.zhiyou@example.com",
        ),
        namings=(
            {"merchant_name": "海淘直邮小铺"},
            {"merchant_name": "海淘直邮小铺", "wechat_id": "haitao_zhiyou"},
            {"merchant_name": "海淘 直邮小铺", "payee_account": "haitao.zhiyou@example.com"},
        ),
        scenarios=(
            Scenario(
                category="not_delivered",
                count=6,
                items=(("精华液100ml", "599"), ("爽肤水400ml", "429"), ("保湿面霜60ml", "1980")),
                payment_methods=("alipay", "wechat_pay"),
                stories=(
                    "在小红书看到{name}的笔记，说{item}海外直邮、正品保证。私信后加了微信，{date}转账{amount}，"
                    "说好15天到货，已经过了{days}天还没发货，一直说在清关。",
                    "{name}收了我{amount}的{item}货款以后，先说航班延误，又说海关抽检，"
                    "物流单号一直查不到信息，现在把我删了。",
                ),
                days_ago=(80, 2),
                paid_before=(20, 50),
            ),
            Scenario(
                category="counterfeit",
                count=4,
                items=(("精华液100ml", "599"), ("口红礼盒", "329")),
                payment_methods=("alipay",),
                stories=(
                    "{name}寄来的{item}批号在品牌官网查不到，瓶身印刷也和专柜的不一样，"
                    "我付了{amount}，对方说是海外版所以不同。",
                    "从{name}买的{item}用了以后过敏，拿去专柜比对是仿品。卖家只收私人账户转账，现在拒绝退还{amount}。",
                ),
                days_ago=(70, 12),
            ),
        ),
    ),
    DemoMerchant(
        claims=MerchantClaims(
            merchant_name="畅游特价机票网",
            platform="website",
            shop_url="https://www.changyou-tejia.example",
            merchant_phone="010-5869 2233",
            company_name="北京畅游天下国际旅行社有限公司",
            company_uscc="91110105MA01B6D4XR",
        ),
        namings=(
            {"merchant_name": "畅游特价机票网"},
            {"merchant_name": "畅游特价机票网", "shop_url": "https://www.changyou-tejia.example/"},
            {"merchant_name": "畅游 特价机票网", "merchant_phone": "01058692233"},
        ),
        order_prefix="CY",
        scenarios=(
            Scenario(
                category="personal_data",
                count=6,
                items=(("上海飞成都机票", "780"), ("广州飞北京机票", "1160"), ("深圳飞重庆机票", "690")),
                payment_methods=("alipay", "wechat_pay", "card"),
                stories=(
                    "{date}在{name}订了{item}，第二天就收到“航班取消、可办理改签赔偿”的短信，"
                    "对方准确说出了我的姓名、航班号和身份证后四位，我怀疑网站泄露了乘客信息。",
                    "在{name}买了{item}以后，家里人接到诈骗电话，对方知道我的行程和手机号。"
                    "网站客服说和他们无关，拒绝说明信息是怎么泄露的。",
                ),
                days_ago=(115, 7),
            ),
            Scenario(
                category="hidden_fees",
                count=4,
                items=(("上海飞成都机票", "980"), ("杭州飞昆明机票", "1240")),
                payment_methods=("alipay", "card"),
                stories=(
                    "在{name}订{item}时，页面上的票价很低，付款时默认勾选了航空意外险、贵宾休息室和优先出票，"
                    "实际扣款{amount}，这些费用都没有明确提示。",
                    "{name}的{item}下单后又收了一笔“出票服务费”，总共付了{amount}，"
                    "比航空公司官网还贵，客服说服务费不退。",
                ),
                days_ago=(60, 1),
            ),
            Scenario(
                category="refund_refused",
                count=2,
                items=(("广州飞北京机票", "1160"),),
                payment_methods=("alipay",),
                stories=(
                    "航班被航空公司取消，按规定可以全额退票，{name}却要扣80%的手续费，我付的{amount}只能退回两百多元。",
                ),
                days_ago=(50, 10),
            ),
        ),
    ),
    DemoMerchant(
        claims=MerchantClaims(
            merchant_name="好运来生鲜超市",
            platform="meituan",
            merchant_phone="028-8555 1234",
        ),
        namings=(
            {"merchant_name": "好运来生鲜超市"},
            {"merchant_name": "好运来 生鲜超市", "merchant_phone": "02885551234"},
        ),
        scenarios=(
            Scenario(
                category="hidden_fees",
                count=4,
                items=(("打包费和配送费", "18"), ("包装费", "12")),
                payment_methods=("wechat_pay", "alipay"),
                stories=(
                    "在美团上{name}下单时页面显示免配送费，结算时却多了{item}，"
                    "一共多付了{amount}，页面上的优惠也没有生效。",
                    "{name}每单都加收{item}{amount}，下单页面字很小几乎看不到，客服说是平台规定。",
                ),
                days_ago=(45, 1),
            ),
            Scenario(
                category="not_as_described",
                count=4,
                items=(("车厘子5斤", "199"), ("冷冻牛排10片", "158"), ("活虾2斤", "96")),
                payment_methods=("wechat_pay", "alipay"),
                stories=(
                    "在{name}买的{item}，到家一称少了将近一半，还有不少烂的。联系商家只退了几块钱，我付了{amount}。",
                    "{date}在{name}买了{item}，标注当日新鲜，送来的已经变味了。拍照申请退款，商家说是我存放不当。",
                ),
                days_ago=(40, 2),
            ),
        ),
    ),
    DemoMerchant(
        claims=MerchantClaims(
            merchant_name="闪电充电宝",
            platform="alipay_mini_program",
            mini_program_name="闪电充电宝",
            app_id="2021003129876543",
            company_name="广州闪电共享科技有限公司",
            company_uscc="91440106MA59X2L89Q",
        ),
        namings=(
            {"merchant_name": "闪电充电宝"},
            {"merchant_name": "闪电充电宝", "app_id": "2021003129876543"},
            {"mini_program_name": "闪电充电宝"},
            {"merchant_name": "闪电 充电宝", "company_name": "广州闪电共享科技有限公司"},
        ),
        order_prefix="SD",
        scenarios=(
            Scenario(
                category="hidden_fees",
                count=6,
                items=(("充电宝租借", "99"), ("充电宝租借", "64")),
                payment_methods=("alipay",),
                stories=(
                    "在商场用支付宝小程序{name}借了充电宝，半小时内就还回了柜机，订单却一直显示使用中，"
                    "{days}天后被扣了{amount}。",
                    "{name}页面写着每小时2元，归还后却按封顶价扣了{amount}，客服说柜机没有收到归还记录，"
                    "可我有归还时拍的照片。",
                ),
                days_ago=(65, 1),
            ),
            Scenario(
                category="refund_refused",
                count=2,
                items=(("充电宝押金", "99"),),
                payment_methods=("alipay",),
                stories=(
                    "在{name}借充电宝交了{amount}押金，归还后申请退押金，{days}天过去了还没到账，"
                    "小程序里的客服入口打不开。",
                ),
                days_ago=(55, 20),
            ),
        ),
    ),
)


# The demo complainant files the first complaint of each of these, so "my complaints" has something to show.
PERSONAL_SCENARIOS = (CLUSTER_SCENARIO, OTHER_MERCHANTS[0].scenarios[0], OTHER_MERCHANTS[1].scenarios[0])


# The right of reply -------------------------------------------------------------------------------------------

# The demo representative (merchant@...) answers for the fruit group-buy: a registered company that owns up. It
# has replied in public to most accepted complaints, settled one with a refund the buyer accepted, explained
# another, had a replacement turned down, offers the demo complainant a refund, and left one reply overdue.
REPRESENTED = OTHER_MERCHANTS[0]
# A stand-in for the business licence a moderator compared with the registration number.
DEMO_LICENCE = b"%PDF-1.4\n% Redress demo: stand-in for a business licence\n%%EOF\n"
REPLIES = {
    "promotion_not_honoured": (
        "您好，我们是鲜果七七客服。77人团购当天优惠券系统出现故障，部分团友没能领券下单，"
        "给您添麻烦了，非常抱歉。我们已为没领到券的团友补发9.9元无门槛券，30天内有效，"
        "可在公众号“我的券”里查看。"
    ),
    "not_as_described": (
        "您好，非常抱歉这批苹果的果径没有达到页面写的标准。我们已请产地核查这一批次，"
        "支持未食用部分退款或按描述补发，请在公众号留言订单号，客服会在24小时内联系您。"
    ),
    "induced_sharing": (
        "您好，团购要求分享和填写手机号的规则确实不妥，我们已下线这个活动，"
        "并删除了活动期间收集的手机号，不会用于任何推销。给您和朋友们造成困扰，深表歉意。"
    ),
}
# What the representative offered on the first published complaints, and how each buyer answered.
OFFERS = (
    ("refund", "经核实，您收到的苹果与描述不符。我们同意全额退款，款项将在3个工作日内原路退回。", ""),
    (
        "explanation",
        "经核查，这次团购的优惠券是因为系统故障没能发放，并不是活动作假。系统已经修复，所有团友都补发了优惠券。",
        "",
    ),
    ("replacement", "我们可以为您补发一箱同款苹果，果径保证在75毫米以上。", "我只想要退款，不需要补发。"),
)
PERSONAL_OFFER = "抱歉团购当天优惠券没能正常领取。我们愿意退还您付的9.9元，并补发一张无门槛优惠券，请确认是否接受。"
# Accepted complaints still inside their reply time, left for the representative to answer in the demo.
LEFT_WAITING = 2
OVERDUE_BY = timedelta(days=2)


def right_of_reply_seed(*, representative, moderator) -> bool:
    """Make the demo representative an approved representative of REPRESENTED and play out its answers through
    complaints.replies, as the representative and the buyers would. Idempotent: does nothing once the
    representative has a claim. Returns whether it added anything."""
    if Representative.objects.filter(user=representative).exists():
        return False
    shop = Merchant.objects.get(uscc=REPRESENTED.claims.company_uscc, status=Merchant.Status.ACTIVE)
    Representative.objects.create(
        merchant=shop,
        user=representative,
        company_name=REPRESENTED.claims.company_name,
        uscc=REPRESENTED.claims.company_uscc,
        licence=ContentFile(DEMO_LICENCE, name="demo-licence.pdf"),
        status=Representative.Status.APPROVED,
        decided_by=moderator,
        decided_at=timezone.now(),
    )
    accepted = Complaint.objects.filter(merchant=shop, status=Complaint.Status.ACCEPTED).select_related("complainant")
    accepted = list(accepted.order_by("submitted_at", "pk"))
    personal = [c for c in accepted if c.complainant.email == ROLE_ACCOUNTS[0][1]]
    crowd = [c for c in accepted if c not in personal]
    offered = [c for c in crowd if c.consent_publish][: len(OFFERS)]
    for complaint, (kind, message, refusal) in zip(offered, OFFERS, strict=False):
        _reply(complaint, representative)
        amount = complaint.amount if kind == ResolutionProposal.Kind.REFUND else None
        proposal = replies.proposal_make(
            complaint=complaint, user=representative, kind=kind, amount=amount, message=message
        )
        if refusal:
            replies.proposal_reject(proposal=proposal, user=complaint.complainant, reason=refusal)
        else:
            replies.proposal_accept(proposal=proposal, user=complaint.complainant)
    rest = [c for c in crowd if c not in offered]
    for complaint in rest[: -1 - LEFT_WAITING]:
        _reply(complaint, representative)
    for complaint in personal:
        _reply(complaint, representative)
        replies.proposal_make(
            complaint=complaint,
            user=representative,
            kind=ResolutionProposal.Kind.REFUND,
            amount=complaint.amount,
            message=PERSONAL_OFFER,
        )
    # The seed setting its own clock: the newest one's reply time ran out before anyone answered.
    Complaint.objects.filter(pk__in=[c.pk for c in rest[-1:]]).update(reply_due_at=timezone.now() - OVERDUE_BY)
    replies.reply_reminders_send()
    return True


def _reply(complaint: Complaint, representative) -> None:
    replies.reply_post(
        complaint=complaint, user=representative, body=REPLIES.get(complaint.category, REPLIES["not_as_described"])
    )
