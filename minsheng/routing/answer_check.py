"""Answer check (答复质量检查): before a result goes to the complainant, does it hold the five
parts the rules require (答复五要素), and does it answer this complaint rather than being a
template?

The five parts: the facts found (调查核实的事实), the basis (依据: laws, regulations,
policies), the measures taken (采取的措施), the outcome (处理结果), and the remedy path with
its deadline (救济途径和期限).

Two entry points:
- `result_warnings` for our structured results (five fields and the remedy days): each
  field must say something (not empty, not a placeholder such as "无" or "已处理"), the
  basis must cite something (《…》, an article, a regulation, a policy), the remedy must
  name a path (复查, 复核, 行政复议, 诉讼 ...), and the answer must share words with the
  complaint's subject (else it may be a template that ignores the question);
- `reply_parts` for free-text replies (a public board's 答复意见): cue-phrase patterns
  for each part, validated by hand on replies.csv (bench/answer_check.md).

It only warns: the handler may submit anyway and the approver decides.
"""

import re
from dataclasses import dataclass

import rjieba
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Case, CaseResult

PARTS = ("facts", "basis", "measures", "outcome", "remedy")

# Subject-word overlap below this share suggests the answer ignores the question
# (bench/answer_check.md shows what falls below it on real replies).
LOW_OVERLAP = 0.2
MIN_CHARS = 6  # fewer meaningful characters than this is not an answer part

# Answers that say nothing (compared after removing punctuation and spaces).
PLACEHOLDERS = frozenset(
    {
        "无", "暂无", "没有", "不详", "略", "同上", "见上", "见附件", "详见附件", "已处理",
        "已处理完毕", "处理完毕", "已解决", "已办理", "已办结", "办结", "已核实", "已落实",
        "已回复", "已答复", "已整改", "按规定处理", "依法处理", "依规处理", "依法依规处理",
        "相关规定", "有关规定", "根据规定", "按照规定", "根据相关规定", "依据相关规定",
        "可申请复查", "无意见", "na", "n/a", "none", "ok", "test", "测试",
    }
)  # fmt: skip

_CN_NUMBER = "[0-9０-９一二三四五六七八九十百两]+"
_CITES = re.compile(
    r"《[^》]{2,}》|第" + _CN_NUMBER + r"[条款项章]|法|条例|规定|办法|细则|规则|规范|标准|"
    r"政策|意见|通知|决定|方案|文件|号文|\[\d{4}\]|〔\d{4}〕"
)
_REMEDY_PATH = re.compile(
    r"复查|复核|行政复议|复议|行政诉讼|诉讼|起诉|仲裁|申诉|信访|上级|12345|投诉|反映|联系"
)

# Free-text cue phrases, one pattern per part (checked on replies.csv by hand).
CUES: dict[str, re.Pattern[str]] = {
    "facts": re.compile(
        r"经(过)?(调查|核实|核查|查|了解|现场|实地|走访|询问|排查|检查|复核|研究|会商|协调|比对)|"
        r"调查|核实|核查|查明|了解到|了解情况|摸排|查勘|勘查|上户|入户|到现场|实地|走访|确有|属实|"
        r"现场(查看|核查|勘查|检查|察看|了解|调查|核实)|据(了解|核实|调查|查)|经与.{1,12}(联系|沟通)|"
        r"(您|你)(所)?反映的.{0,30}(位于|属于|系|为|是|目前|正在)|基本情况|"
        r"(目前|现在|现阶段|截至目前).{0,20}(正在|已|尚未|未|没有|为|是|有)|"
        r"该(项目|小区|路段|道路|工程|单位|公司|企业|学校|医院|地块|处|店|门店|区域|村).{0,20}"
        r"(已|正在|目前|于\d|位于|属于|系|为|现)"
    ),
    "basis": re.compile(
        r"《[^》]{2,}》|第" + _CN_NUMBER + r"[条款项]|(根据|依据|依照|按照|参照|对照)"
        r".{0,30}(法|条例|规定|办法|细则|政策|文件|通知|意见|标准|要求|精神|程序|简章)|"
        r"(法律|法规|政策|文件)(规定|明确)|有关规定|相关规定|规定[:：，,]|新政|政策规定"
    ),
    "measures": re.compile(
        r"已(责令|要求|安排|督促|组织|协调|联系|通知|约谈|对|派|开展|启动|立案|下达|制定|增设|修复|更换)|"
        r"责令|责成|督促|约谈|整改|查处|处罚|罚款|立案|下一步|下阶段|决定|"
        r"(将|会).{0,12}(加强|继续|进一步|尽快|积极|加大|督促|协调|反馈|对接|召开|组织|安排|要求|改进|"
        r"增加|增设|拆除|处理|办理|落实)|"
        r"采取.{0,6}措施|措施|部署|安排.{0,8}(人员|工作|专人)|跟踪|加强(管理|监管|巡查)|"
        r"进行(了)?(沟通|协调|处理|整改|清理|修复|衔接)"
    ),
    "outcome": re.compile(
        r"(目前|现|现在|截至目前)(已|已经)|"
        r"已(经)?(解决|完成|整改到位|拆除|恢复|办理|退还|发放|停止|清理|修复|落实|办结|关停|增设)|"
        r"处理(结果|完毕)|(问题|事项)(已|得到)(解决|处理)|得到(解决|处理|落实)|结果|"
        r"不符合|符合.{0,8}条件|承诺|决定|予以|增设了|不予|不属于"
    ),
    "remedy": re.compile(
        r"(如|若|如果|倘若).{0,16}(不满意|有异议|异议|不服|有疑问|疑问|问题|需要|有其他|新的)|"
        r"复查|复核|行政复议|行政诉讼|提起诉讼|申请仲裁|"
        r"(可|可以|请).{0,6}(拨打|致电|联系|来电|咨询)|联系电话|咨询电话|联系方式|电话[:：]"
    ),
}
# Forwarding a message is neither a finding nor a measure ("已将您的留言转交县住建局核实、
# 办复"): the rest of such a sentence is ignored.
_FORWARDING = re.compile(r"转(交|至|给|到|送|由)[^。！!；;]*")
# A deadline for the remedy: "30日内", "十五个工作日内", "之日起".
DEADLINE = re.compile(_CN_NUMBER + r"\s*(个)?(工作)?(日|天)(内|之内)|之日起|期限")

# Words of a subject that say what kind of message it is, not what it is about.
GENERIC_WORDS = frozenset(
    {
        "问题", "反映", "投诉", "举报", "咨询", "请问", "请求", "建议", "关于", "希望", "要求",
        "情况", "有关", "相关", "部门", "政府", "领导", "解决", "处理", "为什么", "何时", "什么",
        "能否", "是否", "可以", "怎么", "如何", "严重", "市民", "我们", "你们", "一下", "现在",
    }
)  # fmt: skip
_WORD = re.compile(r"[\u4e00-\u9fff]{2,}|[A-Za-z0-9]{2,}")
_PUNCT = re.compile(r"[\s\W_]+")


@dataclass(frozen=True)
class AnswerWarning:
    """One thing the answer seems to lack; `part` is a result field name or "overlap"."""

    part: str
    message: str


def subject_terms(subject: str) -> set[str]:
    """The words of a subject that name the matter (jieba-rs, generic words dropped)."""
    return {w for w in rjieba.cut(subject) if _WORD.fullmatch(w) and w not in GENERIC_WORDS}


def subject_overlap(subject: str, body: str, answer: str) -> float | None:
    """The share of the subject's content words that the answer uses (the body's first
    words stand in for a subject with fewer than two); None when there is nothing to
    compare. The subject quoted verbatim in the answer ("您反映的'…'") is removed first:
    repeating the question does not answer it."""
    terms = subject_terms(subject)
    if len(terms) < 2:
        terms |= subject_terms(body[:60])
    if not terms:
        return None
    text = answer.replace(subject.strip(), " ") if subject.strip() else answer
    return sum(1 for term in terms if _mentions(text, term)) / len(terms)


def _mentions(text: str, term: str) -> bool:
    """The term, or for a longer word its head or tail (城市规划 → 规划), is in the text."""
    if term in text:
        return True
    return len(term) >= 3 and (term[:2] in text or term[-2:] in text)


def is_placeholder(text: str) -> bool:
    """Empty, a stock phrase that says nothing, or too short to say anything."""
    compact = _PUNCT.sub("", text).lower()
    return compact in PLACEHOLDERS or len(compact) < MIN_CHARS


def result_warnings(
    *,
    subject: str,
    body: str,
    facts: str,
    basis: str,
    measures: str,
    outcome: str,
    remedy: str,
    remedy_days: int | None,
) -> list[AnswerWarning]:
    """What a structured result (the five parts of a CaseResult) seems to lack.

    Steps: each part said something; the basis cites a law, regulation or policy; the
    remedy names a path and a deadline (the remedy days, or one in its text); the answer
    shares words with the complaint's subject.
    """
    parts = {"facts": facts, "basis": basis, "measures": measures, "outcome": outcome}
    parts["remedy"] = remedy
    labels = {
        "facts": _("facts found"),
        "basis": _("basis"),
        "measures": _("measures taken"),
        "outcome": _("outcome"),
        "remedy": _("remedy path"),
    }
    warnings = [
        AnswerWarning(name, str(_("The %(part)s is empty or a placeholder.") % {"part": label}))
        for name, label in labels.items()
        if is_placeholder(parts[name])
    ]
    empty = {w.part for w in warnings}
    if "basis" not in empty and not _CITES.search(basis):
        warnings.append(
            AnswerWarning(
                "basis",
                str(
                    _(
                        "The basis cites no law, regulation or policy (a title in book-title "
                        "marks, an article, a regulation or measures)."
                    )
                ),
            )
        )
    if "remedy" not in empty and not _REMEDY_PATH.search(remedy):
        warnings.append(
            AnswerWarning(
                "remedy",
                str(
                    _(
                        "The remedy names no path (review, re-examination, administrative "
                        "reconsideration or litigation)."
                    )
                ),
            )
        )
    if not remedy_days and not DEADLINE.search(remedy):
        warnings.append(AnswerWarning("remedy", str(_("The remedy gives no deadline."))))
    answer = " ".join([facts, measures, outcome])
    overlap = subject_overlap(subject, body, answer)
    if overlap is not None and overlap < LOW_OVERLAP:
        warnings.append(
            AnswerWarning(
                "overlap",
                str(
                    _(
                        "The answer hardly mentions what the complaint is about "
                        "(%(share)d%% of the subject's words): is it a template?"
                    )
                    % {"share": round(overlap * 100)}
                ),
            )
        )
    return warnings


def case_result_warnings(case: Case, result: CaseResult | None) -> list[AnswerWarning]:
    """`result_warnings` for a stored result of `case` (none: nothing to check)."""
    if result is None:
        return []
    return result_warnings(
        subject=case.subject,
        body=case.body,
        facts=result.facts,
        basis=result.basis,
        measures=result.measures,
        outcome=result.outcome,
        remedy=result.remedy,
        remedy_days=result.remedy_days,
    )


def reply_parts(reply: str) -> dict[str, bool]:
    """Which of the five parts a free-text reply shows, by cue phrases; the remedy counts
    as given with a path (a deadline is reported separately by `reply_has_deadline`)."""
    text = _FORWARDING.sub(" ", reply)
    return {part: bool(pattern.search(text)) for part, pattern in CUES.items()}


def reply_has_deadline(reply: str) -> bool:
    return bool(DEADLINE.search(reply))
