import type { TrainingBatch } from './templates-train4.js';

/**
 * Fourth batch, second pass on illegal / ads / vulgar (training only), for
 * shapes and topics the first pass lacks. Bad: illegal offers disguised as
 * subsidy notices, SMS, job adverts and "government projects" (phishing QR
 * codes, renting out bank and phone cards, surrogacy, organ trade, selling
 * personal data, fake invoices, illegal fundraising, loans against nude
 * photos); adverts disguised as public-service tips, readers' benefits,
 * news items, list items and comment spam; vulgar replies that are short,
 * or crude without a listed insult word (expletives, pinyin abbreviations,
 * sexual remarks, body-shaming). Look-alike clean: enforcement news with
 * figures and court verdicts, funds recovered, anti-drug / anti-gambling /
 * anti-porn work described neutrally, legitimate recruitment with pay,
 * free public training and services with QR codes and mini-programs,
 * 第一/首批/最高/最低/国家级 in official facts, consumer warnings about false
 * advertising, angry but civil complaints, praise, and respectful wording
 * about disabilities and regions.
 */
export const BATCH: TrainingBatch = {
  bad: {
    illegal: [
      // disguised as notices, SMS and policy
      '关于发放{year}年度{subsidy}的通知：请于三日内扫描下方二维码，填写本人银行卡号和短信验证码后领取。',
      '【人社补贴】您有一笔{nmoney}元技能补贴待领取，逾期作废，请点击 sbbt-sh.cc 登记银行卡信息。',
      '国家新政：领取{subsidy}前须先缴{nmoney}元个税保证金，到账后原路退还，今日截止。',
      '政府扶持养老项目，投资{nmoney}元每月返息{npct}%，到期还本，已有{nperson}位老人参与。',
      '问：没有真实工作也能领{subsidy}吗？答：能，挂个名就行，劳动合同我们来做，补贴对半分。',
      // disguised as job adverts
      '招聘居家兼职数据员，只需提供本人名下银行卡和电话卡，每张月租{nmoney}元，日结。',
      '高薪诚聘爱心妈妈，22至30岁健康女性，代孕一次报酬{nmoney}万元，全程包吃包住。',
      '急收肾源，身体健康、35岁以下即可，报酬丰厚，手术和术后休养全部安排好。',
      'KTV夜场招聘公主少爷，无需经验，陪酒陪唱，小费另算，可出台。',
      '招募居家打字员，其实就是在{gambleT!}平台陪客户聊天下注，流水抽成日结。',
      '“社保卡激活员”兼职：帮老人把卡激活，再把卡里的钱转到指定账户，一单提成{nmoney}元。',
      // other black-market offers
      '出售本市参保人员名单，含姓名、手机号、工作单位，按条计价，做保险推销的老板速来。',
      '代开各类发票，增值税专票普票都能开，点数低，可验真。',
      '学生急用钱？凭身份证和裸照即可借款，最高五万，当天放款。',
      '毕业证、学位证、职称证一条龙办理，网上可查，{ncount}天交货。',
      '出售仿真枪、气枪，配件齐全，拆散发货，懂行的私聊。',
      '世界杯竞猜带单，亚盘大小球都有，输了包赔，跟单请进群。',
      '今晚老地方开局，牌九加{gambleT}，带够现金，生人勿进。',
      '减肥胶囊含{drugT!}成分，一周瘦十斤，无需处方，拆包发货。',
      '求购{drugT!}，量大，长期合作，价格好商量。',
      '你懂的，{pornT!}，价格私聊，不诚勿扰。',
      '收社保卡，价高，秒结。',
    ],
    ads: [
      // disguised as tips, benefits, news
      '社保小知识：退休后想多领钱，光靠养老金可不够，推荐配置{adsBrand}的{adsProduct}，{adsAbsT}。',
      '读者福利｜{adsBrand}为本号读者准备了{ncount}份{adsProduct}体验装，留言即可领取，下单另享会员价。',
      '据了解，{adsBrand}推出的{adsProduct}上市以来深受好评，订购热线400-820-6688。',
      '温馨提示：天气转凉，老年人注意保暖，{adsBrand}{adsProduct}正在热销，送父母正合适。',
      '独家揭秘：HR不会告诉你的涨薪秘籍，都在{adsBrand}的{adsProduct}里，今天报名立减{nmoney}元。',
      '图片来源：{adsBrand}。文中推荐的{adsProduct}，点击下方卡片即可购买。',
      // sponsorship and endorsement
      '本场招聘会由{adsBrand}独家赞助，求职者到展位扫码购买{adsProduct}，立享七折。',
      '凡参加本次{event}的求职者，均可凭入场券到{adsBrand}门店领取{adsProduct}优惠券。',
      '{adsBrand}，人社部门推荐的放心品牌。',
      '国家级专利技术，{adsBrand}{adsProduct}让关节疼痛一扫而光。',
      '知名专家现场坐诊，{adsBrand}健康讲座免费听，当场购买{adsProduct}享专家价。',
      // list items, comments, slogans
      '3.{adsBrand}{adsProduct}：口碑{adsAbsT!}，点文末“阅读原文”即可购买。',
      '楼主说得对，顺便推荐下我家的{adsProduct}，{adsAbsT}，有需要的点我主页。',
      '{adsAbsT}，{adsBrand}值得信赖。',
      '选{adsBrand}，就是选{adsAbs!}。',
      '{adsProduct}全网价格最便宜，仅需{nmoney}元，手慢无。',
      '【好物推荐】适合久坐上班族的{adsProduct}，{adsBrand}出品，{adsAbsT}，戳链接。',
      // recruitment-like and raffles
      '{adsBrand}招学员啦！学{job}包分配工作，学费分期零利息，学成月薪过万。',
      '填写问卷即可参与抽奖，{adsBrand}送出{adsProduct}{ncount}份，中奖后仅需支付邮费。',
      '{adsBrand}（{district}店）盛大开业，前三天全场五折，办卡再送{nmoney}元储值。',
      '{adsBrand}与您一起守护健康，{adsProduct}限时体验价{nmoney}元。',
    ],
    vulgar: [
      '放屁，谁信谁是猪。',
      '你算哪根葱，也配来教育我？',
      '窗口那个小妹身材真不错，办事时光顾着盯她看了，嘿嘿。',
      '小编nmsl，删你妈的评论。',
      '{crudeT}，又是这破系统，登了八遍都登不上去。',
      '老不死的还占着岗位，赶紧滚回家给年轻人腾地方。',
      '吃饱了撑的吧，出这种狗屁规定。',
      '去你的吧，少在这放狗臭屁。',
      '这主持人胖得跟头猪似的，还好意思上镜。',
      '真是{crudeT!}，排到我就下班。',
      '一群装孙子的官老爷，见了领导就摇尾巴。',
      '{crudeT!}，养老金又少了。',
      '嘴这么臭，早上吃屎了吧？',
      '这破活动鬼才去，谁去谁是孙子。',
      '你是聋了还是瞎了？说了三遍还听不见。',
      '{crudeT}，又让我回去等通知，等到死吗？',
    ],
  },
  hard: {
    antifraud: [
      // verdicts, enforcement figures, funds recovered
      '{district}人民法院审结一起骗取失业保险金案，被告人{person}被判处有期徒刑一年，并退赔全部违法所得。',
      '专项整治期间，全市共追回被冒领的养老金{nmoney}万元，涉案人员已移交司法机关。',
      '市人社局联合市公安局通报{year}年打击欺诈骗保典型案例{ncount}起。',
      '据统计，今年以来全市人社部门配合公安机关破获骗保案件{ncount}起，挽回基金损失{nmoney}万元。',
      '经查，{company}通过伪造考勤记录骗取{subsidy}{nmoney}元，相关款项已全额追回。',
      '以欺诈、伪造证明材料骗取社会保险待遇的，由人社部门责令退回，并处骗取金额二倍以上五倍以下罚款。',
      '检察机关对以“代办工伤认定”为名骗取钱财的{person}依法提起公诉。',
      '劳动者被要求交纳“入职押金”的，可向劳动保障监察机构举报，用人单位将被责令退还。',
      // how scams work, how to spot them
      '揭秘“{fraudT}”骗局：先收定金，再以各种理由追加费用，最后拉黑失联。',
      '短信称“您的社保卡已冻结，点击链接解冻”？这是钓鱼短信，请直接删除。',
      '注意识别仿冒网站：本市人社业务请通过{service}等官方渠道办理，网址认准gov.cn。',
      '一图看懂：冒充社保经办人员实施诈骗的五种常见话术。',
      '温馨提示：办理{subsidy}不需要提供银行卡密码，也不需要向任何个人账户转账。',
      '下载国家反诈中心App并开启来电预警，可有效识别冒充人社部门的诈骗电话。',
      '被骗后请立即拨打110报警，并保留聊天记录、转账凭证等证据。',
      'Q：有人说花钱能把社保缴费年限“补”上去，靠谱吗？A：补缴须符合政策规定并由经办机构办理，他人无法代办。',
      '网友提问：朋友介绍的“社保代理”说能帮我在上海交社保，可以吗？回复：无真实用工关系的挂靠参保属于违规，请勿参与。',
      '凡以“{fraudT}”名义收费的微信群、公众号，请截图保存并向公安机关举报。',
      // stories, captions, events
      '“我差点就转账了！”市民{person}接到冒充社保中心的电话，幸亏银行柜员及时劝阻。',
      '图为民警在{street}社区为老年居民讲解常见养老诈骗手法。',
      '反诈宣传进招聘会：现场志愿者向求职者发放《求职防骗手册》{nperson}份。',
      '退休职工{person}说：“以前总觉得骗子离我很远，听了讲座才知道‘高息养老项目’全是套路。”',
      '从“高薪招工”到境外诈骗园区，一名获救青年讲述亲身经历，提醒求职者切勿轻信。',
      '收到所谓“{subsidy}到账通知”要求扫码登记的，请先拨打12333核实，切勿填写银行卡信息。',
      '出借银行卡、电话卡给他人“跑分”，看似赚小钱，实则涉嫌犯罪，已有多名大学生被依法处理。',
    ],
    antigamble: [
      '{district}人民法院以开设赌场罪判处{person}有期徒刑三年，没收违法所得{nmoney}万元。',
      '“净网”专项行动中，本市清理网上淫秽色情等有害信息{nperson}条，关闭违法账号{ncount}个。',
      '禁毒社工招聘｜{district}禁毒社会工作站招聘社工{ncount}名，要求大专及以上学历，月薪{nmoney}元起。',
      '含有{drugT}成分的所谓“上头电子烟”属于毒品，吸食、贩卖均将被依法追究。',
      '问：同事拉我进群“跟单买彩”，说稳赚不赔，能参与吗？答：不能，网络私彩属于赌博，请立即退群。',
      '购买体育彩票、福利彩票请到正规实体销售网点，切勿通过网络私彩平台投注。',
      '{year}年本市新发现吸毒人员数量同比下降{npct}%，禁毒工作成效持续巩固。',
      '用人单位可将“禁赌禁毒、拒绝黄色信息”写入员工守则，定期开展警示教育。',
      '社区戒毒、社区康复人员参加职业技能培训的，同样可以按规定申请培训补贴。',
      '图为禁毒志愿者在{venue}招聘会现场向求职者发放禁毒宣传折页。',
      '麻醉药品和精神药品须凭医师处方使用，非法提供给他人吸食的将被追究刑事责任。',
      '快递员、外卖员在工作中发现可疑包裹，可向公安机关举报，协助打击寄递渠道涉毒犯罪。',
      '沉迷网络赌博的职工往往伴随借贷、旷工等问题，工会和家属要及早发现、及时干预。',
      '世界杯期间警方提醒：以“世界杯竞猜”为名的境外网站均属赌博平台，参与者将被依法查处。',
      '网络平台发现用户发布{pornT}等违法信息的，应当立即停止传输、保存记录并向主管部门报告。',
      '禁毒知识竞赛决赛落幕，{company}代表队获得一等奖。',
      '网络赌博“杀猪盘”：先让你小赢几把，再诱你加大投入，最后平台关闭无法提现。',
      '民警走进{company}车间，用真实案例告诉职工：赌桌上赢来的钱，最终都会输回去。',
      '{district}开展娱乐场所专项检查，{ncount}家KTV、足浴店因涉黄问题被责令停业整顿。',
      '赌博成瘾是一种可以干预的行为问题，家属可陪同当事人到精神卫生机构寻求专业帮助。',
    ],
    policyAds: [
      // legitimate recruitment with pay figures
      '【招聘】{company}招聘{job}{nperson}名，月薪{nmoney}元起，缴纳五险一金，有意者请将简历投递至人事部邮箱。',
      '{company}{year}年校园招聘启动：本科起薪{nmoney}元/月，提供人才公寓并协助办理落户申报。',
      '养老护理员岗位缺口较大，多家养老机构开出月薪{nmoney}元以上的待遇，并提供免费岗前培训。',
      '岗位信息经{unit}审核发布，企业招聘不得收取任何费用，求职者如遇收费请及时举报。',
      // free public services, QR codes, mini-programs, live streams
      '长按识别二维码，即可预约{venue}免费技能体验课。',
      '打开微信搜索“{account}”小程序，即可在线查询{subsidy}申领进度。',
      '免费！{district}为失业人员提供职业能力测评，扫码即可预约。',
      '“技能夜校”第二期开班，电工、插花、烘焙等课程全部免费，由{unit}统一组织师资。',
      '本次培训由政府全额补贴，不收取学员任何费用，如有机构以本班名义收费，请拨打12333举报。',
      '直播预告：{month}月{day}日晚七点，{unit}政策专家做客{account}直播间，解读{subsidy}申领要点。',
      '读者福利：{venue}本周末举办公众开放日，凭身份证即可免费入场参观。',
      '留言抽奖：本期推送留言点赞前{ncount}名的读者，可获得世界技能博物馆文创纪念品一份。',
      '{district}就业补贴“直达快享”，符合条件的企业最快{ncount}个工作日到账。',
      // 第一 / 首批 / 最高 / 最低 / 国家级 in official facts
      '首批国家级高技能人才培训基地名单公布，本市{ncount}家单位入选。',
      '本次调整后，本市月最低工资标准仍处于全国最高水平。',
      '失业保险金标准不得低于城市居民最低生活保障标准，按月发放。',
      '企业职工基本养老保险最低缴费年限为15年，自2030年起逐步提高至20年。',
      '最高人民检察院、人力资源社会保障部联合开展劳动者权益保护专项监督。',
      '本届技能大赛决出金牌{ncount}枚，{company}选手获得{job}项目冠军。',
      '{district}企业吸纳高校毕业生人数连续三年位居全市首位。',
      '首批“上海工匠”名单出炉，其中最年轻的一位来自{company}。',
      '本市获评全国人社系统优质服务窗口{ncount}个，数量居全国前列。',
      // consumer warnings about false advertising
      '市场监管部门提醒：培训机构宣称“保过”“通过率100%”“国家级权威认证”的，涉嫌违反广告法，可拨打12315投诉。',
      '{year}年全市查处违法广告案件{ncount}件，重点整治医疗、保健食品和教育培训领域的虚假宣传。',
      '保健食品不是药物，不能代替药物治疗疾病，购买时请认准“蓝帽子”标志，警惕夸大宣传。',
    ],
    civil: [
      // angry but civil
      '太离谱了，网上显示已受理，打电话又说没有记录，到底信哪个？请给个说法。',
      '我不是故意找茬，只是想知道补贴为什么还没到账，已经过了三个月了。',
      '气死我了，同一份材料让我跑了三趟，希望你们内部先把标准统一好。',
      '服务这么差还好意思叫“便民”？我会向12345反映的。',
      '失望透顶，预约了名额到现场又说系统故障，白请了半天假。',
      '差评，服务太慢了。',
      // praise
      '真心点赞！{street}社保窗口的工作人员耐心细致，一次就帮我把事情办好了。',
      '这篇推文写得太好了，图文并茂，我妈都看懂了，必须转发！',
      '小编辛苦了！每次政策有变化都及时解读，比很多地方做得都好。',
      '说你们效率低不冤枉，但这次确实快，三天就办好了，表扬一下。',
      // replies by the account
      '评论区的朋友，大家的批评我们都看到了，有则改之、无则加勉，欢迎继续监督。',
      // disability, respectful wording
      '轮椅使用者可从{venue}东门无障碍坡道进入，现场设有无障碍卫生间。',
      '孤独症青少年职业体验营开营，{ncount}名学员在辅导员陪伴下体验咖啡制作。',
      '{company}录用{ncount}名听障员工从事数据标注工作，并为团队配备手语翻译。',
      '盲人按摩师{person}在就业帮扶下开了自己的按摩店，还带动了{ncount}名视障朋友就业。',
      '精神残疾人及其亲属可向街道残联申请辅助性就业服务。',
      '请问视力残疾人报名盲人医疗按摩考试，可以申请大字版试卷吗？',
      // regions, respectful wording
      '欢迎来自五湖四海的新上海人，在这座城市奋斗的每一个人都值得尊重。',
      '河南籍务工人员{person}在沪从事{job}工作十年，今年取得了高级工证书。',
      '安徽、江西等地来沪务工人员可就近参加技能培训，符合条件的按规定享受补贴。',
      '沪语和普通话双语服务已在{street}社区事务受理服务中心上线，方便老年居民。',
    ],
  },
  slots: {
    crudeT: ['握草', '特么的', 'TMD', '尼玛', '日了狗了', 'cnm', '我去你大爷', '妈的', 'WTF', '靠北'],
  },
};
